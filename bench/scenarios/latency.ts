// Latency: annotation change → message accepted by the emulator. One alert per channel on
// `alerts` channels spread over `tokens` bots, issued at a steady pace far below Telegram's limits
// (each chat gets one message; each bot gets rate/tokens messages per second), so the figure is the
// operator's own path: watch event → reconcile → intent written to status → sendMessage.
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { ANNOTATION_ALERT } from '../../src/api/contract.js';
import { startAnnotationChannels } from '../lib/annotationChannels.js';
import { benchRun } from '../lib/benchRun.js';
import { annotate, sleep } from '../lib/kube.js';
import { metricByLabels, scrapeMetrics } from '../lib/operator.js';
import { round } from '../lib/proc.js';
import { summarize, type LatencySummary } from '../lib/stats.js';

export interface LatencySizes {
  alerts: number;
  tokens: number;
  /** Alerts issued per second overall (≤ 30 × tokens and one per chat keeps within Telegram's limits). */
  ratePerSecond: number;
  maxConcurrentReconciles: number;
  timeoutMs: number;
}

export const LATENCY_TARGETS = { p50Ms: 100, p99Ms: 500 } as const;

export interface LatencyResult {
  scenario: 'latency';
  sizes: LatencySizes;
  targets: typeof LATENCY_TARGETS;
  delivered: number;
  rateLimited: number;
  /** Annotation patch issued → first message accepted by the emulator. */
  latencyMs: LatencySummary;
  /** The annotation PATCH round trip alone (part of the above). */
  patchRoundTripMs: LatencySummary;
  perBotPerSecond: number;
  operatorMetrics: { sendLatencySecondsSum: number; rateLimitWaits: Record<string, number> };
}

export async function runLatency(kubeconfig: string, namespace: string, sizes: LatencySizes): Promise<LatencyResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const { c } = run;
    const bots = Array.from({ length: sizes.tokens }, (_, k) => bot(7300000001 + k, `latency_bot_${k}`));
    const chatOf = (i: number) => supergroupId(4000000000 + i);
    const b = new ScenarioBuilder();
    bots.forEach((x) => b.bot(x));
    for (let i = 0; i < sizes.alerts; i++) b.supergroup(chatOf(i), `Latency ${i}`, bots[i % sizes.tokens]!.id);
    const { emulator, operator } = await startAnnotationChannels(run, {
      scenario: b.build(),
      tokens: Object.fromEntries(bots.map((x, k) => [`bot-${k}`, x.token])),
      channels: Array.from({ length: sizes.alerts }, (_, i) => ({
        name: `lat-${i}`,
        spec: { tokenSecretRef: { name: `bot-${i % sizes.tokens}` }, chatId: String(chatOf(i)) },
      })),
      maxConcurrentReconciles: sizes.maxConcurrentReconciles,
      readyTimeoutMs: sizes.timeoutMs,
    });

    const issued: number[] = new Array(sizes.alerts);
    const patched: number[] = new Array(sizes.alerts);
    const textOf = (i: number) => `latency probe ${i} for ${namespace}`;
    const interval = 1000 / sizes.ratePerSecond;
    const start = Date.now();
    const patches: Promise<void>[] = [];
    for (let i = 0; i < sizes.alerts; i++) {
      const due = start + i * interval;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      issued[i] = Date.now();
      patches.push(annotate(c, namespace, `lat-${i}`, { [ANNOTATION_ALERT]: textOf(i) }).then(() => void (patched[i] = Date.now())));
    }
    await Promise.all(patches);

    const want = new Map(Array.from({ length: sizes.alerts }, (_, i) => [textOf(i), i]));
    const deadline = Date.now() + sizes.timeoutMs;
    const firstAt = new Map<number, number>();
    while (Date.now() < deadline) {
      for (const m of emulator.messages) {
        const i = want.get(m.text);
        if (i !== undefined && !firstAt.has(i)) firstAt.set(i, m.time);
      }
      if (firstAt.size === sizes.alerts) break;
      await sleep(100);
    }
    const latencies = [...firstAt.entries()].map(([i, t]) => t - issued[i]!);
    const metrics = await scrapeMetrics(operator.op.url);
    return {
      scenario: 'latency',
      sizes,
      targets: LATENCY_TARGETS,
      delivered: firstAt.size,
      rateLimited: emulator.requests.filter((r) => r.status === 429).length,
      latencyMs: summarize(latencies),
      patchRoundTripMs: summarize(issued.map((t, i) => (patched[i] ?? t) - t)),
      perBotPerSecond: round(sizes.ratePerSecond / sizes.tokens, 2),
      operatorMetrics: {
        sendLatencySecondsSum: round(
          Object.entries(metrics.telegram_operator_send_latency_seconds_sum ?? {}).reduce((a, [, v]) => a + v, 0),
          3,
        ),
        rateLimitWaits: metricByLabels(metrics, 'telegram_operator_rate_limit_waits_total'),
      },
    };
  });
}
