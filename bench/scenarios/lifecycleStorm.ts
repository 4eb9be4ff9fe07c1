// The life of a storm, side by side: `alerts` alerts fire at once into ONE supergroup, then all
// resolve. One real Alertmanager routes both halves by a `side` label (bench/lib/sideBySide.ts):
//   side="operator"     → webhook_configs (send_resolved) → the operator, channel with resolved: Edit
//   side="alertmanager" → Alertmanager's own telegram_configs (send_resolved), which only ever sends
// under the emulator's default Telegram limits, each side with its own bot and supergroup. Measured per
// side: messages the chat shows after firing and after resolution, firing text still showing at the
// end, requests by method and 429s per phase, and the time from the resolve until the chat shows every
// alert resolved. The operator's episode ConfigMap writes are counted too (per notification).
import type { DeliveredMessage } from '../../test/emulator/server.js';
import { benchRun } from '../lib/benchRun.js';
import { sleep } from '../lib/kube.js';
import { requestsByMethod } from '../lib/lifecycle.js';
import { metricByLabels, scrapeMetrics } from '../lib/operator.js';
import { notifyFailures, startSideBySide } from '../lib/sideBySide.js';
import { round } from '../lib/proc.js';
import { stormHead, type StormHead } from '../lib/stormHead.js';

export interface LifecycleStormSizes {
  alerts: number;
  /** How long each phase (firing, resolution) may take per side. */
  capMs: number;
  groupWait: string;
  groupInterval: string;
}

export const LIFECYCLE_STORM_TARGETS = { moreMessagesAfterResolution: 0, rateLimited: 0 } as const;

interface Phase {
  /** Every alert shown in the chat (firing phase) / shown resolved (resolution phase). */
  complete: boolean;
  /** From the POST to Alertmanager until the chat showed every alert (resolved, in that phase). */
  seconds: number | null;
  /** Messages the chat shows at the end of the phase (deleted ones not counted). */
  messagesInChat: number;
  requests: { byMethod: Record<string, number>; rateLimited: number; total: number };
}

export interface LifecycleStormSide {
  via: string;
  alerts: number;
  firing: Phase & { alertsShown: number };
  resolution: Phase & {
    alertsShownResolved: number;
    /** Messages still showing an alert as firing (and not resolved) when the phase ended. */
    staleFiringMessages: number;
    /** Messages with "edited" set: changed in place instead of a new message. */
    editedMessages: number;
  };
}

export interface LifecycleStormResult extends StormHead<'lifecycle-storm', LifecycleStormSizes, typeof LIFECYCLE_STORM_TARGETS> {
  operator: LifecycleStormSide;
  alertmanager: LifecycleStormSide;
  episodeWrites: { firing: number; resolution: number; perNotification: number | null };
  operatorMetrics: Record<string, Record<string, number>>;
  alertmanagerLog: { notifyFailures: Record<string, number> };
}

const alertName = (side: 'Op' | 'Am', i: number) => `Life${side}${String(i).padStart(3, '0')}`;

const mentions = (m: DeliveredMessage, n: string) => new RegExp(`\\b${n}\\b`).test(m.text);
const showsResolved = (m: DeliveredMessage) => /resolved/i.test(m.text) && !/firing/i.test(m.text);
const showsFiring = (m: DeliveredMessage) => /firing/i.test(m.text);

export async function runLifecycleStorm(kubeconfig: string, namespace: string, sizes: LifecycleStormSizes): Promise<LifecycleStormResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const writes = await run.episodeWrites();
    const { emulator, operator, am, side } = await startSideBySide(run, {
      ids: { botIds: [7400000011, 7400000012], chatIds: [5000000011, 5000000012] },
      label: 'life',
      chatTitle: 'Lifecycle',
      alertmanagerSpec: { resolved: 'Edit' },
      sendResolved: true,
      groupWait: sizes.groupWait,
      groupInterval: sizes.groupInterval,
      operatorEnv: { POD_NAMESPACE: namespace },
    });
    const [opChat, amChat] = [side.op.chat, side.am.chat];
    const [opBot, amBot] = [side.op.bot, side.am.bot];
    const opNames = Array.from({ length: sizes.alerts }, (_, i) => alertName('Op', i));
    const amNames = Array.from({ length: sizes.alerts }, (_, i) => alertName('Am', i));
    const startsAt = new Date().toISOString();
    const alert = (alertname: string, side: string, i: number, endsAt?: string) => ({
      labels: { alertname, side, severity: i % 3 === 0 ? 'critical' : 'warning', instance: `node-${i}.cluster.local:9100` },
      annotations: { summary: `Filesystem on node-${i} is filling up` },
      startsAt,
      ...(endsAt ? { endsAt } : {}),
    });
    const all = (endsAt?: string) => [
      ...opNames.map((n, i) => alert(n, 'operator', i, endsAt)),
      ...amNames.map((n, i) => alert(n, 'alertmanager', i, endsAt)),
    ];

    /**
     * A phase begun at `from`: polls until each side's chat shows all of its alerts as `count` counts
     * them, or the cap passes, then lets retries in flight land. When each side got there (null:
     * never), and when the phase ended.
     */
    const untilBothSidesShow = async (from: number, count: (names: string[], chat: number) => number) => {
      const at: Record<'op' | 'am', number | null> = { op: null, am: null };
      const sides = [
        ['op', opNames, opChat],
        ['am', amNames, amChat],
      ] as const;
      while (Date.now() < from + sizes.capMs && (at.op === null || at.am === null)) {
        for (const [s, names, chat] of sides) if (at[s] === null && count(names, chat) === names.length) at[s] = Date.now();
        await sleep(200);
      }
      await sleep(3_000); // retries in flight at the end of the phase may still land
      return { at, end: Date.now() };
    };

    // ---- firing -------------------------------------------------------------------------------
    const fireAt = Date.now();
    await am.postAlerts(all());
    const shown = (names: string[], chat: number) => {
      const view = emulator.chatView(chat);
      return names.filter((n) => view.some((m) => mentions(m, n))).length;
    };
    const { at: firedAt, end: fireEnd } = await untilBothSidesShow(fireAt, shown);
    const firing = (names: string[], chat: number, token: string, at: number | null) => ({
      complete: at !== null,
      seconds: at === null ? null : round((at - fireAt) / 1000, 1),
      alertsShown: shown(names, chat),
      messagesInChat: emulator.chatView(chat).length,
      requests: requestsByMethod(emulator.requests, token, fireAt, fireEnd),
    });
    const opFiring = firing(opNames, opChat, opBot.token, firedAt.op);
    const amFiring = firing(amNames, amChat, amBot.token, firedAt.am);
    const writesFiring = writes.between(fireAt, fireEnd);

    // ---- resolution ---------------------------------------------------------------------------
    const resolveAt = Date.now();
    await am.postAlerts(all(new Date(resolveAt).toISOString()));
    const shownResolved = (names: string[], chat: number) => {
      const view = emulator.chatView(chat);
      return names.filter((n) => view.some((m) => mentions(m, n) && showsResolved(m))).length;
    };
    const { at: resolvedAt, end: resolveEnd } = await untilBothSidesShow(resolveAt, shownResolved);
    const resolution = (names: string[], chat: number, token: string, at: number | null) => {
      const view = emulator.chatView(chat);
      return {
        complete: at !== null,
        seconds: at === null ? null : round((at - resolveAt) / 1000, 1),
        alertsShownResolved: shownResolved(names, chat),
        messagesInChat: view.length,
        staleFiringMessages: view.filter((m) => showsFiring(m) && names.some((n) => mentions(m, n))).length,
        editedMessages: view.filter((m) => m.edits > 0).length,
        requests: requestsByMethod(emulator.requests, token, resolveAt, resolveEnd),
      };
    };
    const writesResolution = writes.between(resolveAt, resolveEnd);
    const metrics = await scrapeMetrics(operator.op.url);
    const setup =
      'one Alertmanager (send_resolved on both receivers), one emulator instance with default limits; each side has its own bot and supergroup; run concurrently; the operator channel has resolved: Edit and no buttons';
    return {
      ...stormHead('lifecycle-storm', sizes, LIFECYCLE_STORM_TARGETS, setup),
      operator: {
        via: 'operator webhook, resolved: Edit',
        alerts: sizes.alerts,
        firing: opFiring,
        resolution: resolution(opNames, opChat, opBot.token, resolvedAt.op),
      },
      alertmanager: {
        via: 'Alertmanager telegram_configs',
        alerts: sizes.alerts,
        firing: amFiring,
        resolution: resolution(amNames, amChat, amBot.token, resolvedAt.am),
      },
      episodeWrites: {
        firing: writesFiring,
        resolution: writesResolution,
        perNotification: round((writesFiring + writesResolution) / (2 * sizes.alerts), 3),
      },
      operatorMetrics: Object.fromEntries(
        Object.keys(metrics)
          .filter((k) => /^telegram_operator_(messages_sent|rate_limit_waits|episode|message_edits|notifications)/.test(k))
          .map((k) => [k, metricByLabels(metrics, k)]),
      ),
      alertmanagerLog: { notifyFailures: notifyFailures(am.output()) },
    };
  });
}
