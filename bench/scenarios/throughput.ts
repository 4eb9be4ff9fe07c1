// Throughput: one bot, `chats` private chats (users who pressed Start), `alerts` annotation alerts.
// Each alert is its own TelegramChannel (channel i posts to chat i mod `chats`), so every alert is a
// separate message (annotation alerts are never coalesced) and the chats share the one bot's
// 30 messages/s. All channels are annotated as fast as the API server takes it, in round-robin
// chat order; the rate at which the emulator accepts the messages is the sustained throughput.
import { ScenarioBuilder, bot } from '../../test/emulator/scenario.js';
import { ANNOTATION_ALERT } from '../../src/api/contract.js';
import { startAnnotationChannels } from '../lib/annotationChannels.js';
import { benchRun } from '../lib/benchRun.js';
import { annotate, pool, sleep } from '../lib/kube.js';
import { metricByLabels, scrapeMetrics } from '../lib/operator.js';
import { round } from '../lib/proc.js';

export interface ThroughputSizes {
  alerts: number;
  chats: number;
  maxConcurrentReconciles: number;
  timeoutMs: number;
}

export const THROUGHPUT_CEILING = 30;
export const THROUGHPUT_TARGETS = { messagesPerSecond: 0.9 * THROUGHPUT_CEILING, rateLimited: 0 } as const;

export interface ThroughputResult {
  scenario: 'throughput';
  sizes: ThroughputSizes;
  source: string;
  targets: typeof THROUGHPUT_TARGETS;
  ceilingPerSecond: number;
  delivered: number;
  duplicates: number;
  rateLimited: number;
  annotateSeconds: number;
  /** (messages − 1) ÷ (last − first accepted message). */
  sustainedPerSecond: number | null;
  /** Over the middle 80 % of messages (drops start-up and tail). */
  middle80PerSecond: number | null;
  /** Messages ÷ (last accepted message − first annotation issued). */
  endToEndPerSecond: number | null;
  fractionOfCeiling: number | null;
  /** Messages accepted in each whole second from the first one. */
  perSecond: number[];
  operatorMetrics: { rateLimitWaits: Record<string, number>; reconciles: Record<string, number> };
}

export async function runThroughput(kubeconfig: string, namespace: string, sizes: ThroughputSizes): Promise<ThroughputResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const { c } = run;
    const theBot = bot(7500000001, 'throughput_bot');
    const userOf = (k: number) => 600000001 + k;
    const b = new ScenarioBuilder().bot(theBot);
    for (let k = 0; k < sizes.chats; k++) b.user({ id: userOf(k), firstName: `User ${k}`, started: true });
    const { emulator, operator } = await startAnnotationChannels(run, {
      scenario: b.build(),
      tokens: { bot: theBot.token },
      channels: Array.from({ length: sizes.alerts }, (_, i) => ({
        name: `tp-${i}`,
        spec: { tokenSecretRef: { name: 'bot' }, chatId: String(userOf(i % sizes.chats)) },
      })),
      maxConcurrentReconciles: sizes.maxConcurrentReconciles,
      readyTimeoutMs: sizes.timeoutMs,
    });

    const textOf = (i: number) => `throughput alert ${i} of ${sizes.alerts}`;
    const start = Date.now();
    const indexes = Array.from({ length: sizes.alerts }, (_, i) => i);
    await pool(indexes, 16, (i) => annotate(c, namespace, `tp-${i}`, { [ANNOTATION_ALERT]: textOf(i) }));
    const annotated = Date.now();

    const want = new Set(indexes.map(textOf));
    const deadline = Date.now() + sizes.timeoutMs;
    const arrived = () => emulator.messages.filter((m) => want.has(m.text));
    while (Date.now() < deadline && new Set(arrived().map((m) => m.text)).size < sizes.alerts) await sleep(200);
    const msgs = arrived().sort((x, y) => x.time - y.time);
    const times = msgs.map((m) => m.time);
    const n = times.length;
    const sustained = n > 1 ? round((n - 1) / ((times[n - 1]! - times[0]!) / 1000), 2) : null;
    const lo = Math.floor(n * 0.1);
    const hi = Math.max(lo + 1, Math.ceil(n * 0.9) - 1);
    const middle = n > 10 && times[hi]! > times[lo]! ? round((hi - lo) / ((times[hi]! - times[lo]!) / 1000), 2) : sustained;
    const perSecond: number[] = [];
    for (const t of times) {
      const s = Math.floor((t - times[0]!) / 1000);
      perSecond[s] = (perSecond[s] ?? 0) + 1;
    }
    const metrics = await scrapeMetrics(operator.op.url);
    return {
      scenario: 'throughput',
      sizes,
      source: `annotations: ${sizes.alerts} TelegramChannels on one bot, channel i → private chat i mod ${sizes.chats}`,
      targets: THROUGHPUT_TARGETS,
      ceilingPerSecond: THROUGHPUT_CEILING,
      delivered: new Set(msgs.map((m) => m.text)).size,
      duplicates: n - new Set(msgs.map((m) => m.text)).size,
      rateLimited: emulator.requests.filter((r) => r.status === 429).length,
      annotateSeconds: round((annotated - start) / 1000, 2),
      sustainedPerSecond: sustained,
      middle80PerSecond: middle,
      endToEndPerSecond: n ? round(n / ((times[n - 1]! - start) / 1000), 2) : null,
      fractionOfCeiling: sustained === null ? null : round(sustained / THROUGHPUT_CEILING, 3),
      perSecond: Array.from(perSecond, (v) => v ?? 0),
      operatorMetrics: {
        rateLimitWaits: metricByLabels(metrics, 'telegram_operator_rate_limit_waits_total'),
        reconciles: metricByLabels(metrics, 'telegram_operator_reconciles_total'),
      },
    };
  });
}
