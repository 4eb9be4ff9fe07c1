// The channel gauges, refreshed from the watch cache on every replica: how many channels are Ready,
// and the per-object condition gauges the operator's own alerts read (conditionGauges.ts). A runnable
// beside the watches, so a follower exports them too and the alerts survive the leader's loss.
import type { ClusterTelegramBot, TelegramChannel } from '../api/types.js';
import type { Metrics } from '../observability/metrics.js';
import { GAUGE_INTERVAL_MS, type Runnable } from '../runtime/manager.js';
import { updateConditionGauges } from './conditionGauges.js';

export interface GaugeSource {
  listChannels(): TelegramChannel[];
  listBots(): ClusterTelegramBot[];
}

export function channelGauges(metrics: Metrics, cache: GaugeSource): Runnable {
  let timer: NodeJS.Timeout | undefined;
  const update = () => {
    const channels = cache.listChannels();
    const counts: Record<string, number> = { True: 0, False: 0, Unknown: 0 };
    for (const ch of channels) {
      const ready = ch.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      counts[ready] = (counts[ready] ?? 0) + 1;
    }
    for (const [ready, n] of Object.entries(counts)) metrics.channels.set({ ready }, n);
    updateConditionGauges(metrics, channels, cache.listBots());
  };
  return {
    name: 'channel-gauges',
    needLeaderElection: false,
    start: () => {
      timer = setInterval(update, GAUGE_INTERVAL_MS);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}
