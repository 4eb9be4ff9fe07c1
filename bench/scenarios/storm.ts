// Storm, side by side: `alerts` alerts fire at once into ONE supergroup, under the emulator's
// default Telegram limits (1/s per chat with a burst of 3, 20/min per group, 30/s per bot).
// One real Alertmanager (Debian's prometheus-alertmanager) gets 2 × `alerts` alerts in one POST and
// routes them by the `side` label (bench/lib/sideBySide.ts): to the operator's webhook, or to
// Alertmanager's own telegram_configs. group_by [alertname] with distinct alertnames makes every
// alert its own notification.
//
// With `words`, the operator's channel also has a template (the third ready-to-paste template of
// docs/templates-and-routes.md) and two routes by severity, each to a forum topic by name, and its
// supergroup is a forum where its bot may manage topics: the same storm, split over two topics the
// operator creates, in the channel's own words. Alertmanager's side stays as it is, for comparison.
import type { TelegramEmulator, DeliveredMessage } from '../../test/emulator/server.js';
import { benchRun } from '../lib/benchRun.js';
import { sleep } from '../lib/kube.js';
import { metricByLabels, scrapeMetrics } from '../lib/operator.js';
import { notifyFailures, startSideBySide } from '../lib/sideBySide.js';
import { round } from '../lib/proc.js';
import { summarize, type LatencySummary } from '../lib/stats.js';
import { readyToPasteTemplates } from '../lib/docTemplates.js';
import { stormHead, type StormHead } from '../lib/stormHead.js';

export interface StormSizes {
  alerts: number;
  /** How long each side may take; what has not arrived by then counts as not delivered. */
  capMs: number;
  groupWait: string;
  groupInterval: string;
}

export const STORM_TARGETS = { rateLimited: 0, p99Ms: 5000, truncated: 0 } as const;

export interface StormSide {
  via: string;
  alerts: number;
  delivered: number;
  /** Alerts that arrived in more than one message (retries after a timeout): extra copies. */
  duplicates: number;
  truncated: number;
  rateLimited: number;
  sendMessageCalls: number;
  messagesAccepted: number;
  /** Characters of accepted text (as Telegram stores it), in all and per delivered alert. */
  textChars: number;
  textCharsPerAlert: number | null;
  /** Alert posted to Alertmanager → first accepted message containing it. */
  latencyMs: LatencySummary;
  lastDeliveredSeconds: number | null;
}

export interface StormResult extends StormHead<'storm', StormSizes, typeof STORM_TARGETS | typeof WORDS_STORM_TARGETS> {
  operator: StormSide;
  alertmanager: StormSide;
  /** operator ÷ Alertmanager, same run (lower is better for latency and 429s). */
  ratios: {
    delivered: number | null;
    p50: number | null;
    p99: number | null;
    max: number | null;
    rateLimited: number | null;
    sendMessageCalls: number | null;
  };
  operatorMetrics: { rateLimitWaits: Record<string, number>; messagesSent: Record<string, number> };
  alertmanagerLog: { notifyFailures: Record<string, number> };
  words?: WordsOutcome;
}

/** With `words`: where the operator's messages went and in whose words. */
export interface WordsOutcome {
  template: string;
  routes: { matcher: string; topic: string }[];
  /** The topics the operator created (createForumTopic), with the alerts that landed in each. */
  topics: { name: string; threadId: number; alerts: number }[];
  createForumTopicCalls: number;
  /** Alerts whose first message is not in their severity's topic. */
  misrouted: number;
  /** Messages in the built-in format with the "template failed" note. */
  fellBack: number;
}

export const WORDS_STORM_TARGETS = { rateLimited: 0, p99Ms: 1.5 * 3500, misrouted: 0, fellBack: 0 } as const;

const WORDS_ROUTES = [
  { matcher: 'severity="critical"', topic: 'Critical' },
  { matcher: 'severity="warning"', topic: 'Warnings' },
] as const;

function wordsChannelSpec(template: { firing: string }): Record<string, unknown> {
  return {
    template: { firing: template.firing },
    routes: WORDS_ROUTES.map((r) => ({ matchers: [r.matcher], topic: { name: r.topic } })),
  };
}

function wordsOutcome(
  template: string,
  names: string[],
  severityOf: (i: number) => string,
  messages: DeliveredMessage[],
  emulator: TelegramEmulator,
  chat: number,
  token: string,
): WordsOutcome {
  const topics = emulator.forumTopics.filter((t) => t.chatId === chat && !t.deleted);
  const topicOf = new Map(topics.map((t) => [t.threadId, t.name]));
  const counts = new Map<string, number>();
  let misrouted = 0;
  names.forEach((n, i) => {
    const first = messages.find((m) => m.text.includes(n));
    if (!first) return;
    const landed = first.threadId === undefined ? '(General)' : (topicOf.get(first.threadId) ?? `thread ${first.threadId}`);
    counts.set(landed, (counts.get(landed) ?? 0) + 1);
    const expected = WORDS_ROUTES.find((r) => r.matcher === `severity="${severityOf(i)}"`)?.topic;
    if (landed !== expected) misrouted++;
  });
  return {
    template,
    routes: WORDS_ROUTES.map((r) => ({ ...r })),
    topics: topics.map((t) => ({ name: t.name, threadId: t.threadId, alerts: counts.get(t.name) ?? 0 })),
    createForumTopicCalls: emulator.requests.filter((r) => r.token === token && r.method === 'createForumTopic').length,
    misrouted,
    fellBack: messages.filter((m) => m.text.startsWith('⚠️ the template')).length,
  };
}

const name = (side: 'Op' | 'Am', i: number) => `Storm${side}${String(i).padStart(4, '0')}`;
const END = (alertname: string) => `END-${alertname}-END`;

function evaluate(
  via: string,
  names: string[],
  postedAt: number,
  messages: DeliveredMessage[],
  requests: TelegramEmulator['requests'],
  token: string,
): StormSide {
  const lat: number[] = [];
  let delivered = 0;
  let duplicates = 0;
  let truncated = 0;
  let last: number | null = null;
  for (const n of names) {
    const containing = messages.filter((m) => m.text.includes(n));
    if (containing.length === 0) continue;
    delivered++;
    duplicates += containing.length - 1;
    const first = containing[0]!.time - postedAt;
    lat.push(first);
    last = Math.max(last ?? 0, first);
    if (!messages.some((m) => m.text.includes(END(n)))) truncated++;
  }
  const sends = requests.filter((r) => r.token === token && r.method === 'sendMessage');
  return {
    via,
    alerts: names.length,
    delivered,
    duplicates,
    truncated,
    rateLimited: sends.filter((r) => r.status === 429).length,
    sendMessageCalls: sends.length,
    messagesAccepted: messages.length,
    textChars: messages.reduce((a, m) => a + m.text.length, 0),
    textCharsPerAlert: delivered ? Math.round(messages.reduce((a, m) => a + m.text.length, 0) / delivered) : null,
    latencyMs: summarize(lat),
    lastDeliveredSeconds: last === null ? null : round(last / 1000, 2),
  };
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : round(a / b, 3));

export async function runStorm(
  kubeconfig: string,
  namespace: string,
  sizes: StormSizes,
  options: { words?: boolean } = {},
): Promise<StormResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const template = options.words ? readyToPasteTemplates()[2]! : undefined;
    const { emulator, operator, am, side } = await startSideBySide(run, {
      ids: options.words
        ? { botIds: [7400000021, 7400000022], chatIds: [5000000021, 5000000022] }
        : { botIds: [7400000001, 7400000002], chatIds: [5000000001, 5000000002] },
      label: options.words ? 'words' : 'storm',
      chatTitle: options.words ? 'Words storm' : 'Storm',
      sendResolved: false,
      groupWait: sizes.groupWait,
      groupInterval: sizes.groupInterval,
      ...(template ? { operatorChannelSpec: wordsChannelSpec(template), operatorChatIsForum: true } : {}),
    });
    const severityOf = (i: number) => (i % 3 === 0 ? 'critical' : 'warning');
    const opNames = Array.from({ length: sizes.alerts }, (_, i) => name('Op', i));
    const amNames = Array.from({ length: sizes.alerts }, (_, i) => name('Am', i));
    const alert = (alertname: string, sideLabel: string, i: number) => ({
      labels: {
        alertname,
        side: sideLabel,
        severity: severityOf(i),
        instance: `node-${i}.cluster.local:9100`,
        job: 'node-exporter',
      },
      annotations: {
        summary: `Filesystem on node-${i} is filling up`,
        description: `Filesystem /var/lib/kubelet on node-${i} has only ${i % 10}% space left and is predicted to run out within 4 hours. ${END(alertname)}`,
      },
      startsAt: new Date().toISOString(),
    });
    const postedAt = Date.now();
    await am.postAlerts([...opNames.map((n, i) => alert(n, 'operator', i)), ...amNames.map((n, i) => alert(n, 'alertmanager', i))]);

    const deadline = postedAt + sizes.capMs;
    const done = (names: string[], chat: number) => {
      const msgs = emulator.messagesTo(chat);
      return names.every((n) => msgs.some((m) => m.text.includes(n)));
    };
    while (Date.now() < deadline && !(done(opNames, side.op.chat) && done(amNames, side.am.chat))) await sleep(250);
    await sleep(500); // a reply in flight at the cap may still land

    const metrics = await scrapeMetrics(operator.op.url);
    const evaluated = (via: string, names: string[], s: typeof side.op) =>
      evaluate(via, names, postedAt, emulator.messagesTo(s.chat), emulator.requests, s.bot.token);
    const opSide = evaluated('operator webhook', opNames, side.op);
    const amSide = evaluated('Alertmanager telegram_configs', amNames, side.am);
    const setup = options.words
      ? 'one Alertmanager, one emulator instance with default limits; each side has its own bot and supergroup; run concurrently; the operator channel has a template and two routes by severity to forum topics by name, in a forum where its bot may manage topics'
      : 'one Alertmanager, one emulator instance with default limits; each side has its own bot and supergroup; run concurrently';
    return {
      ...stormHead('storm', sizes, options.words ? WORDS_STORM_TARGETS : STORM_TARGETS, setup),
      operator: opSide,
      alertmanager: amSide,
      ratios: {
        delivered: ratio(opSide.delivered, amSide.delivered),
        p50: ratio(opSide.latencyMs.p50, amSide.latencyMs.p50),
        p99: ratio(opSide.latencyMs.p99, amSide.latencyMs.p99),
        max: ratio(opSide.latencyMs.max, amSide.latencyMs.max),
        rateLimited: ratio(opSide.rateLimited, amSide.rateLimited),
        sendMessageCalls: ratio(opSide.sendMessageCalls, amSide.sendMessageCalls),
      },
      operatorMetrics: {
        rateLimitWaits: metricByLabels(metrics, 'telegram_operator_rate_limit_waits_total'),
        messagesSent: metricByLabels(metrics, 'telegram_operator_messages_sent_total'),
      },
      alertmanagerLog: { notifyFailures: notifyFailures(am.output()) },
      ...(template
        ? {
            words: wordsOutcome(
              template.title,
              opNames,
              severityOf,
              emulator.messagesTo(side.op.chat),
              emulator,
              side.op.chat,
              side.op.bot.token,
            ),
          }
        : {}),
    };
  });
}
