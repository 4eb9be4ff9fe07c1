// Wiring only: config → logger → kube clients → controller, relay, HTTP → leader election.
// SIGTERM: stop taking work, finish sends in flight, release the Lease, exit within 10 s.
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { FIELD_MANAGER } from './api/contract.js';
import { loadConfig, type Config } from './config.js';
import { Controller } from './controller/controller.js';
import { ChannelReconciler } from './controller/reconciler.js';
import { SecretReader } from './controller/secrets.js';
import { AnnotationRelay } from './delivery/relay.js';
import { Sender } from './delivery/sender.js';
import { alertmanagerRoute } from './http/alertmanagerWebhook.js';
import { createMetrics } from './http/metrics.js';
import { startHttpServer } from './http/server.js';
import { patchChannelStatus } from './kube/channels.js';
import { loadKubeConfig, makeClients } from './kube/client.js';
import { makeEventRecorder } from './kube/events.js';
import { LeaderElector } from './kube/leaderElection.js';
import { createLogger } from './log.js';
import { TelegramClient } from './telegram/client.js';
import { redactUrl } from './telegram/redact.js';
import { Verifier } from './telegram/verifier.js';

async function main(): Promise<void> {
  let config: Config;
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
  const sender = new Sender(
    telegram,
    {
      rateLimitWait: (scope) => metrics.rateLimitWaits.inc({ scope }),
      sent: (source, seconds) => {
        metrics.messagesSent.inc({ source });
        metrics.sendLatency.observe({ source }, seconds);
      },
    },
    config.rateLimits,
  );
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
  const recordEvent = makeEventRecorder(kube.core, log, identity);
  let reconciler: ChannelReconciler;
  const relay = new AnnotationRelay({
    sender,
    recordEvent,
    metrics,
    log,
    // Recording a send is what the bot's next annotation send waits for: it goes first.
    requeue: (key) => controller.queue.addFirst(key),
    chatFailed: (key) => reconciler.invalidate(key),
  });
  reconciler = new ChannelReconciler({
    channels: controller,
    secrets,
    verifier: new Verifier(telegram),
    writeStatus: (ch, patch) => patchChannelStatus(kube.custom, ch, patch),
    recordEvent,
    log,
    metrics,
    deliver: (key, ch, resolved, status) => relay.plan(key, ch, resolved, status),
    forgotten: (key) => relay.forget(key),
  });
  controller.setReconciler(reconciler);

  // Followers watch (so they are ready to take over at once) but reconcile and send nothing.
  const elector = config.leaderElection
    ? new LeaderElector(kube.coordination, {
        namespace: config.podNamespace || 'default',
        name: FIELD_MANAGER,
        identity,
        endpoint: config.podIp ? `http://${config.podIp.includes(':') ? `[${config.podIp}]` : config.podIp}:${config.httpPort}` : undefined,
        log,
        onStartedLeading: () => {
          metrics.isLeader.set(1);
          controller.queue.resume();
          controller.enqueueAll();
        },
        onStoppedLeading: () => {
          metrics.isLeader.set(0);
          // Another replica may already be sending: stop at once, as client-go's controllers do.
          log.error('leadership lost: exiting so that only the new leader sends');
          process.exit(1);
        },
      })
    : undefined;
  if (elector) controller.queue.pause();
  else metrics.isLeader.set(1);
  const isLeader = () => !elector || elector.isLeader();

  const server = await startHttpServer({
    port: config.httpPort,
    metrics,
    ready: () => controller.hasSynced(),
    log,
    routes: [
      alertmanagerRoute({
        getChannel: (ns, name) => controller.getChannel(ns, name),
        resolvedFor: (key, ch) => reconciler.resolvedFor(key, ch),
        secrets,
        sender,
        relay,
        isLeader,
        leaderEndpoint: () => elector?.leaderEndpoint(),
        log,
        metrics,
        maxBodyBytes: config.webhookMaxBodyBytes,
      }),
    ],
  });
  controller.start();
  elector?.start();
  log.info(
    {
      port: (server.address() as AddressInfo).port,
      namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all',
      telegramApiUrl: redactUrl(config.telegramApiUrl),
      identity,
      leaderElection: config.leaderElection,
    },
    'telegram-channel-operator started',
  );

  const gauges = setInterval(() => {
    metrics.queueDepth.set(controller.queue.depth);
    const counts: Record<string, number> = { True: 0, False: 0, Unknown: 0 };
    for (const ch of controller.listChannels()) {
      const ready = ch.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      counts[ready] = (counts[ready] ?? 0) + 1;
    }
    for (const [ready, n] of Object.entries(counts)) metrics.channels.set({ ready }, n);
    secrets.retainOnly(controller.referencedSecrets());
  }, 5_000);
  gauges.unref();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing work in flight');
    setTimeout(() => process.exit(1), 9_500).unref();
    server.close();
    // Sends in flight finish, and their outcomes reach status, so the next leader does not resend them.
    const drained = await sender.drain(6_000);
    if (!drained) log.warn('some sends were still queued at shutdown; the next leader resends them');
    await controller.queue.waitIdle(2_000);
    await controller.stop();
    await elector?.release();
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
