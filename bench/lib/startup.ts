// The start-up measurement of the scale scenarios: the operator starts against channels that already
// exist, and the figures cover its spawn until every channel is Ready plus a settle window, in which
// late writes and Telegram calls still count as start-up.
import type { TelegramEmulator } from '../../test/emulator/server.js';
import type { BenchRun } from './benchRun.js';
import type { ChannelWatch } from './kube.js';
import type { StartedOperator } from './operator.js';
import { ProcSampler, round, type ProcSnapshot } from './proc.js';

export interface StartupSizes {
  channels: number;
  readyTimeoutMs: number;
  settleMs: number;
}

export interface StartupWindow {
  operator: StartedOperator;
  sampler: ProcSampler;
  /** The operator's spawn, the start of the window. */
  t0: number;
  readyAt: number;
  atReady: ProcSnapshot;
  /** The end of the settle window. */
  settled: number;
  /** The emulator's requests within the window. */
  requests: TelegramEmulator['requests'];
}

export interface StartupFigures {
  readyzSeconds: number;
  allReadySeconds: number;
  ready: number;
  rssPeakMB: number;
  rssAtReadyMB: number;
  hwmMB: number;
  /** CPU time from spawn to the end of the settle window. */
  cpuSeconds: number;
}

export interface StartupTelegram {
  byMethod: Record<string, number>;
  getMe: number;
  callsPerChannel: number;
  rateLimited: number;
}

export async function measureStartup(
  run: BenchRun,
  watch: ChannelWatch,
  emulator: TelegramEmulator,
  env: Record<string, string>,
  sizes: StartupSizes,
): Promise<StartupWindow> {
  const operator = await run.operator(env);
  const sampler = new ProcSampler(operator.op.child.pid!);
  run.onStop(() => sampler.stop());
  const t0 = operator.spawnedAt;
  const readyAt = await watch.waitReady(sizes.channels, sizes.readyTimeoutMs);
  const atReady = sampler.sample()!;
  await new Promise((r) => setTimeout(r, sizes.settleMs));
  const settled = Date.now();
  sampler.sample();
  const requests = emulator.requests.filter((r) => r.time >= t0 && r.time < settled);
  return { operator, sampler, t0, readyAt, atReady, settled, requests };
}

export function startupFigures(w: StartupWindow, watch: ChannelWatch): StartupFigures {
  return {
    readyzSeconds: round((w.operator.readyzAt - w.t0) / 1000, 2),
    allReadySeconds: round((w.readyAt - w.t0) / 1000, 2),
    ready: watch.readyCount,
    rssPeakMB: round(w.sampler.peakRssMB),
    rssAtReadyMB: round(w.atReady.rssMB),
    hwmMB: round(w.atReady.hwmMB),
    cpuSeconds: round(w.sampler.last!.cpuSeconds, 2),
  };
}

export function startupTelegram(w: StartupWindow, channels: number): StartupTelegram {
  const byMethod: Record<string, number> = {};
  for (const r of w.requests) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
  return {
    byMethod,
    getMe: byMethod.getMe ?? 0,
    callsPerChannel: round(w.requests.length / channels, 3),
    rateLimited: w.requests.filter((r) => r.status === 429).length,
  };
}
