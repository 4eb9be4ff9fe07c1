// The set-up of the start-up scenarios (scale, webhook flood): N TelegramChannels spread round-robin
// over T bot tokens, each posting to a supergroup of its own, created before the operator starts.
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import type { BenchRun } from './benchRun.js';
import { createChannels, createSecret } from './kube.js';

export interface ManyChannelsOptions {
  channels: number;
  tokens: number;
  /** Bot k is `${label}_bot_${k}` with id botIdBase + k; channel i's chat is supergroup chatIdBase + i. */
  label: string;
  botIdBase: number;
  chatIdBase: number;
  /** More of channel i's spec (e.g. the one channel that takes Alertmanager notifications). */
  specOf?: (i: number) => Record<string, unknown>;
}

/** Channel i is named ch-i and uses the Secret bot-(i mod tokens). */
export async function createManyChannels(
  run: BenchRun,
  o: ManyChannelsOptions,
): Promise<{ emulator: TelegramEmulator; url: string; createMs: number }> {
  const bots = Array.from({ length: o.tokens }, (_, k) => bot(o.botIdBase + k, `${o.label}_bot_${k}`));
  const chatOf = (i: number) => supergroupId(o.chatIdBase + i);
  const b = new ScenarioBuilder();
  bots.forEach((x) => b.bot(x));
  for (let i = 0; i < o.channels; i++) b.supergroup(chatOf(i), `Team ${i}`, bots[i % o.tokens]!.id);
  const { emulator, url } = await run.emulator(b.build());
  for (let k = 0; k < o.tokens; k++) await createSecret(run.c, run.namespace, `bot-${k}`, { token: bots[k]!.token });
  const createMs = await createChannels(
    run.c,
    run.namespace,
    Array.from({ length: o.channels }, (_, i) => ({
      name: `ch-${i}`,
      spec: { tokenSecretRef: { name: `bot-${i % o.tokens}` }, chatId: String(chatOf(i)), ...o.specOf?.(i) },
    })),
    48,
  );
  return { emulator, url, createMs };
}
