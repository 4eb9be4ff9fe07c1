// The set-up of the alert-lifecycle scenarios that post straight to the operator: one bot, one
// channel per supergroup with spec.alertmanager (and Silence buttons against a real Alertmanager that
// routes nothing), and the operator holding its episodes in the scenario's namespace. Notifications go
// to every channel at once, each channel's groups one after the other, as Alertmanager sends them.
import type { BotSpec, Scenario } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { DEFAULT_LIMITS } from '../../test/emulator/limits.js';
import type { AlertmanagerProcess } from '../../test/harness/alertmanager.js';
import { postAlertmanagerWebhook, type WebhookAnswer } from '../../test/harness/alertmanagerPayload.js';
import { SILENCES_ONLY, type BenchRun } from './benchRun.js';
import { createChannels, createSecret, pool } from './kube.js';
import type { EpisodeWriteWatch } from './lifecycle.js';
import type { StartedOperator } from './operator.js';

export interface ButtonChannelsOptions {
  /** The emulator's scenario: the bot, the supergroups and whoever presses. */
  scenario: Scenario;
  bot: BotSpec;
  chats: number[];
  /** Channel k is named `${prefix}-${k}` and posts to chats[k]. */
  prefix: string;
  /** spec.alertmanager beyond its webhook token, given the Alertmanager the buttons call. */
  alertmanagerSpec: (alertmanagerUrl: string) => Record<string, unknown>;
}

export interface ButtonChannels {
  emulator: TelegramEmulator;
  operator: StartedOperator;
  am: AlertmanagerProcess;
  writes: EpisodeWriteWatch;
  /** POSTs one notification per group: all channels at once, each channel's groups in order. */
  postPerChannel: <G extends { chat: number }>(
    groups: G[],
    payloadOf: (g: G) => unknown,
    answered: (g: G, a: WebhookAnswer) => void,
  ) => Promise<void>;
}

const WEBHOOK_TOKEN = 'bench-episodes-webhook-token-0123456789';

export async function startButtonChannels(run: BenchRun, o: ButtonChannelsOptions): Promise<ButtonChannels> {
  const { c, namespace } = run;
  const { emulator, url } = await run.emulator(o.scenario, { limits: DEFAULT_LIMITS });
  const am = await run.alertmanager(SILENCES_ONLY);
  await createSecret(c, namespace, 'bot', { token: o.bot.token });
  await createSecret(c, namespace, 'am-webhook', { token: WEBHOOK_TOKEN });
  await createChannels(
    c,
    namespace,
    o.chats.map((chat, k) => ({
      name: `${o.prefix}-${k}`,
      spec: {
        tokenSecretRef: { name: 'bot' },
        chatId: String(chat),
        alertmanager: { tokenSecretRef: { name: 'am-webhook' }, ...o.alertmanagerSpec(am.url) },
      },
    })),
  );
  const watch = await run.channelWatch();
  const writes = await run.episodeWrites();
  const operator = await run.operator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: namespace, POD_NAMESPACE: namespace });
  await watch.waitReady(o.chats.length, 120_000);

  const postPerChannel: ButtonChannels['postPerChannel'] = (groups, payloadOf, answered) =>
    pool(
      o.chats.map((_, k) => k),
      o.chats.length,
      async (k) => {
        for (const g of groups.filter((x) => x.chat === k)) {
          const channel = { namespace, name: `${o.prefix}-${k}` };
          answered(g, await postAlertmanagerWebhook(operator.op.url, channel, WEBHOOK_TOKEN, payloadOf(g)));
        }
      },
    );
  return { emulator, operator, am, writes, postPerChannel };
}
