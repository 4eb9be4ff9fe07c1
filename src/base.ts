// What every part of the running operator is built on: the configuration (a bad one exits with code
// 2 before anything starts), the logger, the metrics, the API clients, this replica's identity and
// address, the Bot API client and its verifier, the Event recorder. main.ts builds it first.
import os from 'node:os';
import { loadConfig, type Config } from './config.js';
import { loadKubeConfig, makeClients, type KubeClients } from './kube/client.js';
import { makeEventRecorder, type EventRecorder } from './kube/events.js';
import { createLogger, type Logger } from './observability/log.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { TelegramClient } from './telegram/client.js';
import { Verifier } from './telegram/verifier.js';

/** What every later piece may use. */
export interface Base {
  config: Config;
  log: Logger;
  metrics: Metrics;
  kube: KubeClients;
  identity: string;
  /** The operator's own namespace: the Lease, the episode and chats ConfigMaps. */
  ownNamespace: string;
  /** This pod's address for forwarded webhooks; undefined outside a pod. */
  endpoint: string | undefined;
  telegram: TelegramClient;
  /** One verifier: a bot's getMe answer is shared with any channel that still asks for it. */
  verifier: Verifier;
  recordEvent: EventRecorder;
}

export function buildBase(): Base {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    createLogger('info').fatal((e as Error).message);
    process.exit(2);
  }
  const metrics = createMetrics();
  const telegram = new TelegramClient(config.telegramApiUrl, (method, code, seconds) => {
    metrics.telegramRequests.inc({ method, code });
    metrics.telegramRequestDuration.observe({ method }, seconds);
  });
  const ip = config.podIp;
  const log = createLogger(config.logLevel);
  const kube = makeClients(loadKubeConfig());
  const identity = config.podName || os.hostname();
  return {
    config,
    log,
    metrics,
    kube,
    identity,
    ownNamespace: config.podNamespace || 'default',
    endpoint: ip ? `http://${ip.includes(':') ? `[${ip}]` : ip}:${config.httpPort}` : undefined,
    telegram,
    verifier: new Verifier(telegram),
    recordEvent: makeEventRecorder(kube.core, log, identity),
  };
}
