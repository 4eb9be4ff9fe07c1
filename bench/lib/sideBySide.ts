// The side-by-side set-up of the storm scenarios: one real Alertmanager routes each alert by its `side`
// label, side="operator" to the operator's webhook and side="alertmanager" to Alertmanager's own
// telegram_configs. Both talk to one emulator with Telegram's default limits, each with its own bot and
// supergroup, so the same limits apply to each and neither side's traffic counts against the other's.
import { ScenarioBuilder, bot, supergroupId, type BotSpec } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { DEFAULT_LIMITS } from '../../test/emulator/limits.js';
import type { AlertmanagerProcess } from '../../test/harness/alertmanager.js';
import { alertmanagerWebhookPath } from '../../test/harness/alertmanagerPayload.js';
import type { BenchRun } from './benchRun.js';
import { createChannels, createSecret } from './kube.js';
import type { StartedOperator } from './operator.js';

export interface SideBySideOptions {
  /** Ids of the two bots and two supergroups: operator's, then Alertmanager's. */
  ids: { botIds: [number, number]; chatIds: [number, number] };
  /** Names the bots and the chats after the scenario (e.g. storm, life). */
  label: string;
  chatTitle: string;
  /** spec.alertmanager of the operator's one channel, besides its webhook token. */
  alertmanagerSpec?: Record<string, unknown>;
  /** Both receivers send resolved notifications too. */
  sendResolved: boolean;
  groupWait: string;
  groupInterval: string;
  /** Settings of the operator beyond the emulator and the namespace it watches. */
  operatorEnv?: Record<string, string>;
  /** More of the operator's channel spec (a template, routes). */
  operatorChannelSpec?: Record<string, unknown>;
  /** The operator's supergroup is a forum where its bot is an administrator with Manage topics. */
  operatorChatIsForum?: boolean;
}

export interface SideBySide {
  emulator: TelegramEmulator;
  operator: StartedOperator;
  am: AlertmanagerProcess;
  side: { op: { bot: BotSpec; chat: number }; am: { bot: BotSpec; chat: number } };
}

const WEBHOOK_TOKEN = 'bench-side-by-side-webhook-token-0123';

export async function startSideBySide(run: BenchRun, o: SideBySideOptions): Promise<SideBySide> {
  const { c, namespace } = run;
  const opBot = bot(o.ids.botIds[0], `${o.label}_operator_bot`);
  const amBot = bot(o.ids.botIds[1], `${o.label}_alertmanager_bot`);
  const [opChat, amChat] = o.ids.chatIds.map(supergroupId) as [number, number];
  const builder = new ScenarioBuilder().bot(opBot).bot(amBot);
  if (o.operatorChatIsForum)
    builder.forum(opChat, `${o.chatTitle} (operator)`, opBot.id, [], { status: 'administrator', canManageTopics: true });
  else builder.supergroup(opChat, `${o.chatTitle} (operator)`, opBot.id);
  builder.supergroup(amChat, `${o.chatTitle} (Alertmanager)`, amBot.id);
  const { emulator, url } = await run.emulator(builder.build(), { limits: DEFAULT_LIMITS });
  await createSecret(c, namespace, 'bot', { token: opBot.token });
  await createSecret(c, namespace, 'am-webhook', { token: WEBHOOK_TOKEN });
  const channel = o.label;
  await createChannels(c, namespace, [
    {
      name: channel,
      spec: {
        tokenSecretRef: { name: 'bot' },
        chatId: String(opChat),
        alertmanager: { tokenSecretRef: { name: 'am-webhook' }, ...o.alertmanagerSpec },
        ...o.operatorChannelSpec,
      },
    },
  ]);
  const watch = await run.channelWatch();
  const operator = await run.operator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: namespace, ...o.operatorEnv });
  await watch.waitReady(1, 60_000);

  const am = await run.alertmanager(`
route:
  receiver: operator
  group_by: [alertname]
  group_wait: ${o.groupWait}
  group_interval: ${o.groupInterval}
  repeat_interval: 4h
  routes:
  - receiver: telegram
    matchers: ['side="alertmanager"']
receivers:
- name: operator
  webhook_configs:
  - url: ${operator.op.url}${alertmanagerWebhookPath({ namespace, name: channel })}
    send_resolved: ${o.sendResolved}
    http_config:
      authorization:
        credentials: ${WEBHOOK_TOKEN}
- name: telegram
  telegram_configs:
  - api_url: ${url}
    bot_token: ${amBot.token}
    chat_id: ${amChat}
    parse_mode: HTML
    send_resolved: ${o.sendResolved}
`);
  return { emulator, operator, am, side: { op: { bot: opBot, chat: opChat }, am: { bot: amBot, chat: amChat } } };
}

/** Alertmanager's failed notifications, by integration and kind, from its log. */
export function notifyFailures(alertmanagerLog: string): Record<string, number> {
  const failures: Record<string, number> = {};
  for (const line of alertmanagerLog.split('\n')) {
    if (!/Notify (attempt )?failed|Notify for alerts failed/.test(line)) continue;
    const integration = /integration=(\w+)/.exec(line)?.[1] ?? 'unknown';
    const key = `${integration}: ${/Notify attempt failed/.test(line) ? 'attempt failed' : 'notify failed'}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  return failures;
}
