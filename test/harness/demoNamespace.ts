// What the delivery tests start from: the CRDs, a fresh namespace, the demo chat's Telegram emulator
// (no rate limits: these tests are about what is sent, not how fast), and in that namespace the demo
// bot's token (Secret `bot`) and the Alertmanager webhook's bearer token (Secret `am-webhook`).
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers } from './channels.js';
import { installCrds } from './crds.js';
import { createNamespace } from './kube.js';

export async function demoNamespace(
  prefix: string,
  webhookToken: string,
): Promise<{ ns: string; emulator: TelegramEmulator; url: string }> {
  installCrds();
  const ns = await createNamespace(prefix);
  const emulator = new TelegramEmulator(demoScenario(), { limits: false });
  const url = await emulator.start();
  const { secret } = channelHelpers(() => ns);
  await secret('bot', { token: DEMO.bot.token });
  await secret('am-webhook', { token: webhookToken });
  return { ns, emulator, url };
}
