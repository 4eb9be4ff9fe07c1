// Prometheus metrics (prom-client), one registry per operator. No label ever carries a token or a
// chat's contents; chat ids are not labels either (unbounded cardinality).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'telegram_operator_';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  // Every metric named with the operator's prefix and kept in this registry; the label names given
  // type the labels each `inc`/`set`/`observe` takes.
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: PREFIX + name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
    new Histogram<L>({ name: PREFIX + name, help, buckets, labelNames, registers: [registry] });
  return {
    registry,
    reconciles: counter('reconciles_total', 'Reconciles by result (success, error, transient, deadline).', ['result']),
    reconcileDuration: histogram('reconcile_duration_seconds', 'Time spent in one reconcile.', [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15]),
    telegramRequests: counter('telegram_requests_total', 'Bot API requests by method and HTTP code ("network" when no answer came).', [
      'method',
      'code',
    ]),
    telegramRequestDuration: histogram(
      'telegram_request_duration_seconds',
      'Bot API request latency by method.',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      ['method'],
    ),
    messagesSent: counter('messages_sent_total', 'Messages Telegram accepted, by source (alert, test, alertmanager).', ['source']),
    messagesFailed: counter('messages_failed_total', 'Messages that failed for good, by source and reason.', ['source', 'reason']),
    sendLatency: histogram(
      'send_latency_seconds',
      'Time from a message being queued to Telegram accepting it, by source.',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      ['source'],
    ),
    rateLimitWaits: counter('rate_limit_waits_total', 'Times a send waited for a rate limit, by scope (chat, group, bot, retry_after).', [
      'scope',
    ]),
    queueDepth: gauge('queue_depth', 'Keys waiting in the reconcile queue.'),
    channels: gauge('channels', 'TelegramChannels by Ready status.', ['ready']),
    templateFailures: counter(
      'template_failures_total',
      "Notifications sent in the built-in format because the channel's template failed on them, by channel and reason.",
      ['namespace', 'name', 'reason'],
    ),
    episodeWrites: counter('episode_writes_total', 'Writes of the remembered alert episodes (ConfigMaps) that reached the API server.'),
    isLeader: gauge('leader', '1 while this replica holds the leader Lease.'),
    // One series per channel condition that is not True: what the alerts need to say which channel is not
    // Ready and why. Bounded by the channels that need attention; the labels are object names and the
    // contract's reasons, never a chat id or a token. `channel_namespace`, not `namespace`: Prometheus
    // gives the scraped pod's namespace that name.
    channelCondition: gauge(
      'channel_condition',
      'TelegramChannel conditions (Ready, Interactive, AlertmanagerConfigured) that are not True: 1 for the current status and reason.',
      ['channel_namespace', 'channel', 'type', 'status', 'reason'],
    ),
    botCondition: gauge(
      'cluster_bot_condition',
      'ClusterTelegramBot Ready condition when it is not True: 1 for the current status and reason.',
      ['bot', 'type', 'status', 'reason'],
    ),
    buttonPresses: counter(
      'button_presses_total',
      'Button presses received, by action (silence, unsilence, ack; unknown: data naming none).',
      ['action'],
    ),
    silences: counter(
      'silences_total',
      "Calls to the silences API (Alertmanager's, or Grafana's for its alerts) from button presses, by operation (create, expire) and result (ok, failed, not_found).",
      ['operation', 'result'],
    ),
    httpResponses: counter('http_responses_total', 'Answers of the webhook routes, by route pattern and HTTP status code.', [
      'route',
      'code',
    ]),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
