// The set-up of the annotation scenarios (latency, throughput): the channels exist and are Ready
// before the first alert annotation, so what is measured is delivery, not verification.
import type { Scenario } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import type { BenchRun } from './benchRun.js';
import { createChannels, createSecret, sleep, type ChannelDoc } from './kube.js';
import type { StartedOperator } from './operator.js';

export interface AnnotationChannelsOptions {
  /** Emulated with Telegram's default limits. */
  scenario: Scenario;
  /** Secret name → bot token. */
  tokens: Record<string, string>;
  channels: ChannelDoc[];
  maxConcurrentReconciles: number;
  readyTimeoutMs: number;
}

export async function startAnnotationChannels(
  run: BenchRun,
  o: AnnotationChannelsOptions,
): Promise<{ emulator: TelegramEmulator; operator: StartedOperator }> {
  const { c, namespace } = run;
  const { emulator, url } = await run.emulator(o.scenario);
  for (const [name, token] of Object.entries(o.tokens)) await createSecret(c, namespace, name, { token });
  await createChannels(c, namespace, o.channels);
  const watch = await run.channelWatch();
  const operator = await run.operator({
    TELEGRAM_API_URL: url,
    WATCH_NAMESPACE: namespace,
    MAX_CONCURRENT_RECONCILES: String(o.maxConcurrentReconciles),
  });
  await watch.waitReady(o.channels.length, o.readyTimeoutMs);
  await sleep(1000); // let start-up writes finish
  return { emulator, operator };
}
