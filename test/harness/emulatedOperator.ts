// The start most integration files share: the CRDs, a namespace of the file's own, the Telegram
// emulator with the demo scenario, the demo bot's token in Secret "bot" (and any other Secrets the
// file names), then the operator watching that namespace (or, for a file that starts its own, not). The file stops the operator and emulator.
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator, type EmulatorOptions } from '../emulator/server.js';
import { channelHelpers } from './channels.js';
import { installCrds } from './crds.js';
import { createNamespace } from './kube.js';
import { startOperator, type OperatorProcess } from './operator.js';

export interface EmulatedOperator {
  ns: string;
  emulator: TelegramEmulator;
  operator: OperatorProcess;
}

export interface NamespaceOptions {
  /** Secrets besides "bot", by name. */
  secrets?: Record<string, Record<string, string>>;
  emulator?: EmulatorOptions;
}

/** All of it but the operator, for a file that starts its own (replicas, a service account): the emulator's URL for it. */
export async function startEmulatedNamespace(
  nsPrefix: string,
  opts: NamespaceOptions = {},
): Promise<{ ns: string; emulator: TelegramEmulator; url: string }> {
  installCrds();
  const ns = await createNamespace(nsPrefix);
  const emulator = new TelegramEmulator(demoScenario(), opts.emulator);
  const url = await emulator.start();
  const { secret } = channelHelpers(() => ns);
  for (const [name, data] of Object.entries({ bot: { token: DEMO.bot.token }, ...opts.secrets })) await secret(name, data);
  return { ns, emulator, url };
}

/** What the alert-delivery tests start from: the Alertmanager webhook's token in Secret "am-webhook", an emulator without rate limits. */
export function startWebhookNamespace(nsPrefix: string, webhookToken: string): ReturnType<typeof startEmulatedNamespace> {
  return startEmulatedNamespace(nsPrefix, { secrets: { 'am-webhook': { token: webhookToken } }, emulator: { limits: false } });
}

export async function startEmulatedOperator(
  nsPrefix: string,
  opts: NamespaceOptions & { env?: (ns: string) => Record<string, string> } = {},
): Promise<EmulatedOperator> {
  const { ns, emulator, url } = await startEmulatedNamespace(nsPrefix, opts);
  const operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns, ...opts.env?.(ns) });
  return { ns, emulator, operator };
}

export interface TeamAndPlatform {
  /** The team's namespace, as startEmulatedNamespace makes it. */
  ns: string;
  /** The platform team's namespace: Secret "telegram-bot" there holds the token a ClusterTelegramBot names. */
  platform: string;
  emulator: TelegramEmulator;
  /** The operator's environment for both namespaces and the ClusterTelegramBots. */
  env: Record<string, string>;
}

/** A team's namespace and the platform team's beside it, for the tests of what a shared bot lets a team do; the emulator without rate limits. */
export async function startTeamAndPlatform(nsPrefix: string, secrets: NamespaceOptions['secrets']): Promise<TeamAndPlatform> {
  const { ns, emulator, url } = await startEmulatedNamespace(nsPrefix, { secrets, emulator: { limits: false } });
  const platform = await createNamespace(`${nsPrefix}-platform`);
  await channelHelpers(() => platform).secret('telegram-bot', { token: DEMO.bot.token });
  const env = { TELEGRAM_API_URL: url, WATCH_NAMESPACE: `${ns},${platform}`, WATCH_CLUSTER_BOTS: 'true', POD_NAMESPACE: ns };
  return { ns, platform, emulator, env };
}
