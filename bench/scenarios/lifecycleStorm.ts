// The life of a storm, side by side (issue 13): `alerts` alerts fire at once into ONE supergroup, then
// all resolve. One real Alertmanager routes both halves by a `side` label, as in storm.ts:
//   side="operator"     → webhook_configs (send_resolved) → the operator, channel with resolved: Edit
//   side="alertmanager" → Alertmanager's own telegram_configs (send_resolved), which only ever sends
// under the emulator's default Telegram limits, each side with its own bot and supergroup. Measured per
// side: messages the chat shows after firing and after resolution, firing text still showing at the
// end, requests by method and 429s per phase, and the time from the resolve until the chat shows every
// alert resolved. The operator's episode ConfigMap writes are counted too (per notification).
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { TelegramEmulator, type DeliveredMessage } from '../../test/emulator/server.js';
import { DEFAULT_LIMITS } from '../../test/emulator/limits.js';
import { startAlertmanager, type AlertmanagerProcess } from '../../test/harness/alertmanager.js';
import { ChannelWatch, clientsFor, createChannels, createSecret, sleep } from '../lib/kube.js';
import { EpisodeWriteWatch, requestsByMethod } from '../lib/lifecycle.js';
import { launchOperator, metricByLabels, scrapeMetrics } from '../lib/operator.js';
import { round } from '../lib/proc.js';

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

export interface LifecycleStormResult {
  scenario: 'lifecycle-storm';
  sizes: LifecycleStormSizes;
  targets: typeof LIFECYCLE_STORM_TARGETS;
  emulatorLimits: typeof DEFAULT_LIMITS;
  setup: string;
  operator: LifecycleStormSide;
  alertmanager: LifecycleStormSide;
  episodeWrites: { firing: number; resolution: number; perNotification: number | null };
  operatorMetrics: Record<string, Record<string, number>>;
  alertmanagerLog: { notifyFailures: Record<string, number> };
}

const WEBHOOK_TOKEN = 'bench-lifecycle-webhook-token-0123456789';
const alertName = (side: 'Op' | 'Am', i: number) => `Life${side}${String(i).padStart(3, '0')}`;

const mentions = (m: DeliveredMessage, n: string) => new RegExp(`\\b${n}\\b`).test(m.text);
const showsResolved = (m: DeliveredMessage) => /resolved/i.test(m.text) && !/firing/i.test(m.text);
const showsFiring = (m: DeliveredMessage) => /firing/i.test(m.text);

export async function runLifecycleStorm(kubeconfig: string, namespace: string, sizes: LifecycleStormSizes): Promise<LifecycleStormResult> {
  const c = clientsFor(kubeconfig);
  const opBot = bot(7400000011, 'life_operator_bot');
  const amBot = bot(7400000012, 'life_alertmanager_bot');
  const opChat = supergroupId(5000000011);
  const amChat = supergroupId(5000000012);
  const emulator = new TelegramEmulator(
    new ScenarioBuilder()
      .bot(opBot)
      .bot(amBot)
      .supergroup(opChat, 'Lifecycle (operator)', opBot.id)
      .supergroup(amChat, 'Lifecycle (Alertmanager)', amBot.id)
      .build(),
    { limits: DEFAULT_LIMITS },
  );
  const url = await emulator.start();
  const watch = new ChannelWatch(c, namespace);
  const writes = new EpisodeWriteWatch(c);
  let operator: Awaited<ReturnType<typeof launchOperator>> | undefined;
  let am: AlertmanagerProcess | undefined;
  try {
    await createSecret(c, namespace, 'bot', { token: opBot.token });
    await createSecret(c, namespace, 'am-webhook', { token: WEBHOOK_TOKEN });
    await createChannels(c, namespace, [
      {
        name: 'life',
        spec: {
          tokenSecretRef: { name: 'bot' },
          chatId: String(opChat),
          alertmanager: { tokenSecretRef: { name: 'am-webhook' }, resolved: 'Edit' },
        },
      },
    ]);
    await watch.start();
    await writes.start();
    operator = await launchOperator(kubeconfig, { TELEGRAM_API_URL: url, WATCH_NAMESPACE: namespace, POD_NAMESPACE: namespace });
    await watch.waitReady(1, 60_000);

    am = await startAlertmanager(`
route:
  receiver: operator
  group_by: [alertname]
  group_wait: ${sizes.groupWait}
  group_interval: ${sizes.groupInterval}
  repeat_interval: 4h
  routes:
  - receiver: telegram
    matchers: ['side="alertmanager"']
receivers:
- name: operator
  webhook_configs:
  - url: ${operator.op.url}/webhooks/alertmanager/${namespace}/life
    send_resolved: true
    http_config:
      authorization:
        credentials: ${WEBHOOK_TOKEN}
- name: telegram
  telegram_configs:
  - api_url: ${url}
    bot_token: ${amBot.token}
    chat_id: ${amChat}
    parse_mode: HTML
    send_resolved: true
`);
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

    // ---- firing -------------------------------------------------------------------------------
    const fireAt = Date.now();
    await am.postAlerts(all());
    const shown = (names: string[], chat: number) => {
      const view = emulator.chatView(chat);
      return names.filter((n) => view.some((m) => mentions(m, n))).length;
    };
    const firedAt: Record<'op' | 'am', number | null> = { op: null, am: null };
    const fireDeadline = fireAt + sizes.capMs;
    while (Date.now() < fireDeadline && (firedAt.op === null || firedAt.am === null)) {
      if (firedAt.op === null && shown(opNames, opChat) === opNames.length) firedAt.op = Date.now();
      if (firedAt.am === null && shown(amNames, amChat) === amNames.length) firedAt.am = Date.now();
      await sleep(200);
    }
    await sleep(3_000); // retries in flight at the end of the phase may still land
    const fireEnd = Date.now();
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
    const resolvedAt: Record<'op' | 'am', number | null> = { op: null, am: null };
    const resolveDeadline = resolveAt + sizes.capMs;
    while (Date.now() < resolveDeadline && (resolvedAt.op === null || resolvedAt.am === null)) {
      if (resolvedAt.op === null && shownResolved(opNames, opChat) === opNames.length) resolvedAt.op = Date.now();
      if (resolvedAt.am === null && shownResolved(amNames, amChat) === amNames.length) resolvedAt.am = Date.now();
      await sleep(200);
    }
    await sleep(3_000);
    const resolveEnd = Date.now();
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
    const notifyFailures: Record<string, number> = {};
    for (const line of am.output().split('\n')) {
      if (!/Notify (attempt )?failed|Notify for alerts failed/.test(line)) continue;
      const integration = /integration=(\w+)/.exec(line)?.[1] ?? 'unknown';
      const key = `${integration}: ${/Notify attempt failed/.test(line) ? 'attempt failed' : 'notify failed'}`;
      notifyFailures[key] = (notifyFailures[key] ?? 0) + 1;
    }
    return {
      scenario: 'lifecycle-storm',
      sizes,
      targets: LIFECYCLE_STORM_TARGETS,
      emulatorLimits: DEFAULT_LIMITS,
      setup:
        'one Alertmanager (send_resolved on both receivers), one emulator instance with default limits; each side has its own bot and supergroup; run concurrently; the operator channel has resolved: Edit and no buttons',
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
      alertmanagerLog: { notifyFailures },
    };
  } finally {
    watch.stop();
    writes.stop();
    await am?.stop();
    await operator?.op.stop('SIGTERM');
    await emulator.stop();
  }
}
