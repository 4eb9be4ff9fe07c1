// Event storm: ONE channel with spec.kubernetesEvents in its namespace, then `events` Warning events
// (events.k8s.io/v1) over `objects` Pods in about `spreadMs`: each object's first event is created,
// every further one grows that event's series (what the kubelet's recorder does for a crash loop).
// The chat is a supergroup under the emulator's default Telegram limits. Measured: the messages and
// edits the chat got, 429s, how long until the chat settled (every object shown, every message of
// its own showing its final count, then quiet), and the operator's RSS and CPU over the storm.
import * as k8s from '@kubernetes/client-node';
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { DEFAULT_LIMITS } from '../../test/emulator/limits.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { CHANNELS as G } from '../../test/harness/resources.js';
import { recordEvent, repeatEvent } from '../../test/harness/warningEvents.js';
import { benchRun } from '../lib/benchRun.js';
import { createChannels, createSecret, sleep } from '../lib/kube.js';
import { metricByLabels, scrapeMetrics } from '../lib/operator.js';
import { ProcSampler, round, snapshot } from '../lib/proc.js';
import { stormHead, type StormHead } from '../lib/stormHead.js';

export interface EventStormSizes {
  events: number;
  objects: number;
  /** The events are issued evenly over this long. */
  spreadMs: number;
  /** How long the chat may take to settle; what is not shown by then is reported as such. */
  capMs: number;
  /** No request to the chat for this long (after everything is shown) counts as settled. */
  quietMs: number;
}

export const EVENT_STORM_TARGETS = { rateLimited: 0 } as const;

export interface EventStormResult extends StormHead<'event-storm', EventStormSizes, typeof EVENT_STORM_TARGETS> {
  /** How long issuing the events through the API server took (the target is `spreadMs`). */
  issuedSeconds: number;
  /** API calls for the events that failed after retries. */
  issueFailures: number;
  /** Every object counted in the chat: in a message of its own, or in the "and N more" message. */
  objectsShown: number;
  objectsInOwnMessage: number;
  objectsInOverflow: number;
  /** Messages of their own whose count is not the object's final event count when the chat settled. */
  staleCounts: number;
  settled: boolean;
  /** First event issued → the last request to the chat (sendMessage or editMessageText). */
  settledSeconds: number | null;
  telegram: {
    messagesSent: number;
    edits: number;
    rateLimited: number;
    /** Answers other than 200 and 429. */
    otherErrors: number;
    byMethod: Record<string, number>;
  };
  operator: {
    rssBeforeMB: number;
    rssPeakMB: number;
    hwmMB: number;
    /** CPU time (user + system) from the first event until the chat was quiet (or the cap). */
    cpuSeconds: number;
    /** cpuSeconds over the same wall time, in % of one core. */
    cpuPercentOfOneCore: number | null;
  };
  operatorMetrics: { rateLimitWaits: Record<string, number>; messagesSent: Record<string, number> };
}

const REASONS = ['BackOff', 'OOMKilling', 'FailedMount', 'Unhealthy', 'FailedScheduling'];
const podName = (j: number) => `storm-${String(j).padStart(3, '0')}`;

/** One API call of the storm: event k creates its object's event, or grows that event's series. */
interface Issue {
  k: number;
  object: number;
  /** 1: create; more: the series count after this event. */
  count: number;
}

function plan(sizes: EventStormSizes): Issue[] {
  return Array.from({ length: sizes.events }, (_, k) => ({ k, object: k % sizes.objects, count: 1 + Math.floor(k / sizes.objects) }));
}

async function conditionStatus(run: { c: { custom: k8s.CustomObjectsApi }; namespace: string }, name: string, type: string) {
  const ch = (await run.c.custom.getNamespacedCustomObject({ ...G, namespace: run.namespace, name })) as {
    status?: { conditions?: { type: string; status: string }[] };
  };
  return ch.status?.conditions?.find((c) => c.type === type)?.status;
}

/** What the chat shows now: objects with a message of their own (and the count it shows), and the overflow total. */
function chatView(emulator: TelegramEmulator, chat: number, namespace: string) {
  const own = new Map<string, number>();
  let overflow = 0;
  for (const m of emulator.messagesTo(chat)) {
    const more = /and (\d+) more/.exec(m.text);
    if (more) {
      overflow = Number(more[1]);
      continue;
    }
    const obj = new RegExp(`Pod ${namespace}/(storm-\\d+)`).exec(m.text);
    if (obj) own.set(obj[1]!, Number(/×(\d+)/.exec(m.text)?.[1] ?? 1));
  }
  return { own, overflow };
}

export async function runEventStorm(kubeconfig: string, namespace: string, sizes: EventStormSizes): Promise<EventStormResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const { c } = run;
    const theBot = bot(7400000061, 'event_storm_bot');
    const chat = supergroupId(5000000601);
    const { emulator, url } = await run.emulator(new ScenarioBuilder().bot(theBot).supergroup(chat, 'Cluster events', theBot.id).build(), {
      limits: DEFAULT_LIMITS,
    });
    await createSecret(c, namespace, 'bot', { token: theBot.token });
    await createChannels(c, namespace, [
      { name: 'events', spec: { tokenSecretRef: { name: 'bot' }, chatId: String(chat), kubernetesEvents: {} } },
    ]);
    const watch = await run.channelWatch();
    const operator = await run.operator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: namespace, POD_NAMESPACE: namespace });
    await watch.waitReady(1, 60_000);
    const watchingBy = Date.now() + 60_000;
    while ((await conditionStatus(run, 'events', 'EventsWatching')) !== 'True') {
      if (Date.now() > watchingBy) throw new Error('EventsWatching did not become True within 60 s');
      await sleep(250);
    }
    await sleep(1_000); // start-up writes and the verification's calls are not the storm's

    const events = c.kc.makeApiClient(k8s.EventsV1Api);
    const finalCount = new Map<string, number>();
    const issues = plan(sizes);
    for (const i of issues) finalCount.set(podName(i.object), i.count);
    const issue = async (i: Issue) => {
      const name = `${podName(i.object)}.warning`;
      const note = `${REASONS[i.object % REASONS.length]} on pod ${podName(i.object)}`;
      if (i.count === 1) {
        await recordEvent(events, {
          namespace,
          name,
          object: { kind: 'Pod', name: podName(i.object), uid: `uid-${podName(i.object)}` },
          reason: REASONS[i.object % REASONS.length]!,
          note,
          reportingInstance: `node-${i.object % 7}`,
        });
      } else {
        await repeatEvent(events, namespace, name, i.count);
      }
    };

    const pid = operator.op.child.pid!;
    const before = snapshot(pid)!;
    const sampler = new ProcSampler(pid, 100);
    const since = emulator.requests.length;
    const start = Date.now();
    let issueFailures = 0;
    // Each event at its slot of the spread, at most 20 calls in flight; a call is retried twice, then
    // counted as failed and the storm goes on.
    let next = 0;
    const worker = async () => {
      while (next < issues.length) {
        const i = issues[next++]!;
        const at = start + (i.k * sizes.spreadMs) / sizes.events;
        if (at > Date.now()) await sleep(at - Date.now());
        for (let attempt = 0; ; attempt++) {
          try {
            await issue(i);
            break;
          } catch (e) {
            if ((e as { code?: number }).code === 409) break; // a retried create that had landed
            if (attempt >= 2) {
              issueFailures++;
              break;
            }
            await sleep(200);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const issued = Date.now();

    const chatCalls = () => emulator.requests.slice(since).filter((r) => String(r.params['chat_id']) === String(chat));
    const complete = () => {
      const v = chatView(emulator, chat, namespace);
      return v.own.size + v.overflow >= sizes.objects && [...v.own].every(([pod, n]) => n === finalCount.get(pod));
    };
    const deadline = start + sizes.capMs;
    let settled = false;
    while (Date.now() < deadline) {
      const last = chatCalls().at(-1)?.time ?? start;
      if (complete() && Date.now() - last >= sizes.quietMs) {
        settled = true;
        break;
      }
      await sleep(250);
    }
    const after = sampler.sample() ?? before;
    sampler.stop();

    const calls = chatCalls();
    const lastCall = calls.at(-1)?.time;
    const settledSeconds = settled && lastCall !== undefined ? round((lastCall - start) / 1000, 2) : null;
    const view = chatView(emulator, chat, namespace);
    const byMethod: Record<string, number> = {};
    for (const r of calls) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
    const cpuSeconds = round(after.cpuSeconds - before.cpuSeconds, 2);
    const metrics = await scrapeMetrics(operator.op.url);
    const setup = `one TelegramChannel with spec.kubernetesEvents: {} posting to one supergroup; ${sizes.events} Warning events (events.k8s.io/v1) over ${sizes.objects} Pods (${REASONS.length} reasons), each object's first event created and the rest growing its series, issued evenly over ${sizes.spreadMs / 1000} s`;
    return {
      ...stormHead('event-storm', sizes, EVENT_STORM_TARGETS, setup),
      issuedSeconds: round((issued - start) / 1000, 2),
      issueFailures,
      objectsShown: view.own.size + view.overflow,
      objectsInOwnMessage: view.own.size,
      objectsInOverflow: view.overflow,
      staleCounts: [...view.own].filter(([pod, n]) => n !== finalCount.get(pod)).length,
      settled,
      settledSeconds,
      telegram: {
        messagesSent: calls.filter((r) => r.method === 'sendMessage' && r.status === 200).length,
        edits: calls.filter((r) => r.method === 'editMessageText' && r.status === 200).length,
        rateLimited: calls.filter((r) => r.status === 429).length,
        otherErrors: calls.filter((r) => r.status !== 200 && r.status !== 429).length,
        byMethod,
      },
      operator: {
        rssBeforeMB: round(before.rssMB),
        rssPeakMB: round(sampler.peakRssMB),
        hwmMB: round(after.hwmMB),
        cpuSeconds,
        cpuPercentOfOneCore: after.at > start ? round((100 * cpuSeconds) / ((after.at - start) / 1000)) : null,
      },
      operatorMetrics: {
        rateLimitWaits: metricByLabels(metrics, 'telegram_operator_rate_limit_waits_total'),
        messagesSent: metricByLabels(metrics, 'telegram_operator_messages_sent_total'),
      },
    };
  });
}
