// Many channels of one bot, one supergroup each: the load the delivery-guarantee and leader-election
// tests put through a kill. Channel ch-i goes to chatIds[i], with the bot's token in Secret "bot".
import { ScenarioBuilder, type BotSpec } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers } from './channels.js';
import { installCrds, kubectl } from './crds.js';
import { createNamespace } from './kube.js';

export interface ChannelFleet {
  ns: string;
  emulator: TelegramEmulator;
  /** The emulator's URL, for the operator's TELEGRAM_API_URL. */
  url: string;
}

/** A fresh namespace, the emulator with `theBot` in supergroup "Team i" for each of `chatIds`, and channel ch-i to each. */
export async function startChannelFleet(nsPrefix: string, theBot: BotSpec, chatIds: number[]): Promise<ChannelFleet> {
  installCrds();
  const ns = await createNamespace(nsPrefix);
  const b = new ScenarioBuilder().bot(theBot);
  chatIds.forEach((id, i) => b.supergroup(id, `Team ${i}`, theBot.id));
  const emulator = new TelegramEmulator(b.build());
  const url = await emulator.start();
  await channelHelpers(() => ns).secret('bot', { token: theBot.token });
  const docs = chatIds.map(
    (id, i) => `apiVersion: telegram.notify.dev/v1alpha1
kind: TelegramChannel
metadata: {name: ch-${i}, namespace: ${ns}}
spec: {tokenSecretRef: {name: bot}, chatId: "${id}"}
`,
  );
  kubectl(['apply', '-f', '-'], docs.join('---\n'));
  return { ns, emulator, url };
}
