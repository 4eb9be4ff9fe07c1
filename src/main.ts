// Wiring only: config → logger → kube clients → controller + HTTP; SIGTERM drains and exits.
import type { AddressInfo } from 'node:net';
import { loadConfig } from './config.js';
import { ChannelReconciler } from './controller/reconciler.js';
import { Controller } from './controller/controller.js';
import { SecretReader } from './controller/secrets.js';
import { createMetrics } from './http/metrics.js';
import { startHttpServer } from './http/server.js';
import { patchChannelStatus } from './kube/channels.js';
import { loadKubeConfig, makeClients } from './kube/client.js';
import { makeEventRecorder } from './kube/events.js';
import { createLogger } from './log.js';
import { TelegramClient } from './telegram/client.js';
import { Verifier } from './telegram/verifier.js';
import os from 'node:os';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    createLogger('info').fatal((e as Error).message);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const metrics = createMetrics();
  const kube = makeClients(loadKubeConfig());
  const identity = config.podName || os.hostname();

  const telegram = new TelegramClient(config.telegramApiUrl, (method, code, seconds) => {
    metrics.telegramRequests.inc({ method, code });
    metrics.telegramRequestDuration.observe({ method }, seconds);
  });
  const verifier = new Verifier(telegram);
  const controller = new Controller({
    kc: kube.kc,
    core: kube.core,
    custom: kube.custom,
    namespaces: config.watchNamespaces,
    concurrency: config.maxConcurrentReconciles,
    resyncMs: config.resyncPeriodMs,
    log,
    metrics,
  });
  const secrets = new SecretReader(kube.core, (ns, name) => controller.secretVersion(ns, name));
  const reconciler = new ChannelReconciler({
    channels: controller,
    secrets,
    verifier,
    writeStatus: (ch, patch) => patchChannelStatus(kube.custom, ch, patch),
    recordEvent: makeEventRecorder(kube.core, log, identity),
    log,
    metrics,
  });
  controller.setReconciler(reconciler);

  const server = await startHttpServer({ port: config.httpPort, metrics, ready: () => controller.hasSynced(), log });
  controller.start();
  log.info(
    { port: (server.address() as AddressInfo).port, namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all', telegramApiUrl: config.telegramApiUrl, identity },
    'telegram-channel-operator started',
  );

  // Drops cached Secret data no channel references any more.
  setInterval(() => secrets.retainOnly(controller.referencedSecrets()), 60_000).unref();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing work in flight');
    const force = setTimeout(() => process.exit(1), 9_000);
    force.unref();
    await controller.stop();
    server.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  createLogger('info').fatal({ err: e }, 'operator failed to start');
  process.exit(1);
});
