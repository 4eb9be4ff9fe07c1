// Prometheus metrics (prom-client), one registry per operator. No label ever carries a token or a
// chat's contents; chat ids are not labels either (unbounded cardinality).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'telegram_operator_' });
  const p = 'telegram_operator_';
  return {
    registry,
    reconciles: new Counter({
      name: `${p}reconciles_total`,
      help: 'Reconciles by result (success, error, transient, deadline).',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: `${p}reconcile_duration_seconds`,
      help: 'Time spent in one reconcile.',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
      registers: [registry],
    }),
    telegramRequests: new Counter({
      name: `${p}telegram_requests_total`,
      help: 'Bot API requests by method and HTTP code ("network" when no answer came).',
      labelNames: ['method', 'code'],
      registers: [registry],
    }),
    telegramRequestDuration: new Histogram({
      name: `${p}telegram_request_duration_seconds`,
      help: 'Bot API request latency by method.',
      labelNames: ['method'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [registry],
    }),
    messagesSent: new Counter({
      name: `${p}messages_sent_total`,
      help: 'Messages Telegram accepted, by source (alert, test, alertmanager).',
      labelNames: ['source'],
      registers: [registry],
    }),
    messagesFailed: new Counter({
      name: `${p}messages_failed_total`,
      help: 'Messages that failed for good, by source and reason.',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
    sendLatency: new Histogram({
      name: `${p}send_latency_seconds`,
      help: 'Time from a message being queued to Telegram accepting it, by source.',
      labelNames: ['source'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    rateLimitWaits: new Counter({
      name: `${p}rate_limit_waits_total`,
      help: 'Times a send waited for a rate limit, by scope (chat, group, bot, retry_after).',
      labelNames: ['scope'],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: `${p}queue_depth`, help: 'Keys waiting in the reconcile queue.', registers: [registry] }),
    channels: new Gauge({ name: `${p}channels`, help: 'TelegramChannels by Ready status.', labelNames: ['ready'], registers: [registry] }),
    templateFailures: new Counter({
      name: `${p}template_failures_total`,
      help: "Notifications sent in the built-in format because the channel's template failed on them, by channel and reason.",
      labelNames: ['namespace', 'name', 'reason'],
      registers: [registry],
    }),
    episodeWrites: new Counter({
      name: `${p}episode_writes_total`,
      help: 'Writes of the remembered alert episodes (ConfigMaps) that reached the API server.',
      registers: [registry],
    }),
    isLeader: new Gauge({ name: `${p}leader`, help: '1 while this replica holds the leader Lease.', registers: [registry] }),
    // One series per channel condition that is not True: what the alerts need to say which channel is not
    // Ready and why. Bounded by the channels that need attention; the labels are object names and the
    // contract's reasons, never a chat id or a token. `channel_namespace`, not `namespace`: Prometheus
    // gives the scraped pod's namespace that name.
    channelCondition: new Gauge({
      name: `${p}channel_condition`,
      help: 'TelegramChannel conditions (Ready, Interactive, AlertmanagerConfigured) that are not True: 1 for the current status and reason.',
      labelNames: ['channel_namespace', 'channel', 'type', 'status', 'reason'],
      registers: [registry],
    }),
    botCondition: new Gauge({
      name: `${p}cluster_bot_condition`,
      help: 'ClusterTelegramBot Ready condition when it is not True: 1 for the current status and reason.',
      labelNames: ['bot', 'type', 'status', 'reason'],
      registers: [registry],
    }),
    buttonPresses: new Counter({
      name: `${p}button_presses_total`,
      help: 'Button presses received, by action (silence, unsilence, ack; unknown: data naming none).',
      labelNames: ['action'],
      registers: [registry],
    }),
    silences: new Counter({
      name: `${p}silences_total`,
      help: "Calls to the silences API (Alertmanager's, or Grafana's for its alerts) from button presses, by operation (create, expire) and result (ok, failed, not_found).",
      labelNames: ['operation', 'result'],
      registers: [registry],
    }),
    httpResponses: new Counter({
      name: `${p}http_responses_total`,
      help: 'Answers of the webhook routes, by route pattern and HTTP status code.',
      labelNames: ['route', 'code'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
