// Wiring only: config → logger → kube clients → controller, relay, HTTP → leader election.
// SIGTERM: stop taking work, finish sends in flight, release the Lease, exit within 10 s.
// Lease lost: send nothing new, finish sends in flight and record them, exit within 4 s.
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIELD_MANAGER } from './api/contract.js';
import { loadConfig, type Config } from './config.js';
import { Controller } from './controller/controller.js';
import { ChannelReconciler } from './controller/reconciler.js';
import { ChannelResolver } from './channel/resolver.js';
import { SecretReader, UNWATCHED_SECRET_MAX_AGE_MS } from './channel/secrets.js';
import { AnnotationRelay } from './delivery/relay.js';
import { Sender } from './delivery/sender.js';
import { alertmanagerRoutes } from './http/alertmanagerWebhook.js';
import { createMetrics } from './observability/metrics.js';
import { startHttpServer } from './http/server.js';
import { patchChannelStatus } from './kube/channels.js';
import { loadKubeConfig, makeClients } from './kube/client.js';
import { makeEventRecorder } from './kube/events.js';
import { LeaderElector } from './kube/leaderElection.js';
import { leaseClient } from './kube/leaseClient.js';
import { createLogger } from './observability/log.js';
import { TelegramClient } from './telegram/client.js';
import { redactUrl } from './observability/redact.js';
import { Verifier } from './telegram/verifier.js';

/** From losing the Lease to exiting: well under the 5 s before another replica may take over. */
const STEP_DOWN_BUDGET_MS = 4_000;
/** Of that, how long requests already on their way to Telegram may take; the rest is for writing their outcomes. */
const IN_FLIGHT_BUDGET_MS = 2_500;
/** Releasing the Lease at SIGTERM comes last and must fit before the 9.5 s hard exit. */
const RELEASE_BUDGET_MS = 1_000;

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
    watchSecrets: config.watchSecrets,
    log,
    metrics,
  });
  const secrets = new SecretReader(
    kube.core,
    config.watchSecrets ? { watchedVersion: (ns, name) => controller.secretVersion(ns, name) } : { maxAgeMs: UNWATCHED_SECRET_MAX_AGE_MS },
  );
  const resolver = new ChannelResolver(secrets);
  const recordEvent = makeEventRecorder(kube.core, log, identity);
  // eslint-disable-next-line prefer-const -- the relay's closures need it before it exists (issue 12: a Manager ends this cycle)
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
    resolver,
    verifier: new Verifier(telegram),
    writeStatus: (ch, patch) => patchChannelStatus(kube.custom, ch, patch),
    recordEvent,
    log,
    metrics,
    deliver: (key, ch, resolved, status) => relay.plan(key, ch, resolved, status),
    forgotten: (key) => relay.forget(key),
  });
  controller.setReconciler(reconciler);

  let stopping = false;
  /**
   * The Lease is lost: another replica may lead 5 s after the renew deadline (lease 15 s − 10 s). Nothing
   * new goes to Telegram from now on; requests already on their way finish, and their outcomes go to
   * status (if the API server can be reached), so that the next leader does not send them again. Then
   * exit, well within those 5 s. What is still unsent is the next leader's to send.
   */
  const stepDown = async () => {
    stopping = true; // a SIGTERM now changes nothing: this exit comes sooner
    metrics.isLeader.set(0);
    sender.stopAccepting();
    log.error('leadership lost: sending nothing new; finishing the sends in flight, then exiting');
    const deadline = Date.now() + STEP_DOWN_BUDGET_MS;
    setTimeout(() => process.exit(1), STEP_DOWN_BUDGET_MS).unref();
    const drained = await sender.drain(IN_FLIGHT_BUDGET_MS);
    while (relay.unrecordedOutcomes > 0 && Date.now() < deadline - 100) await sleep(20);
    const unrecorded = relay.unrecordedOutcomes;
    if (!drained || unrecorded > 0) {
      const msg = 'stepped down with sends unrecorded: the next leader may send them again';
      log.warn({ sendsInFlight: !drained, unrecordedOutcomes: unrecorded }, msg);
    }
    log.info('stepped down: exiting so that only the new leader sends');
    process.exit(1);
  };

  // Followers watch (so they are ready to take over at once) but reconcile and send nothing.
  const leaseNamespace = config.podNamespace || 'default';
  const endpoint = config.podIp
    ? `http://${config.podIp.includes(':') ? `[${config.podIp}]` : config.podIp}:${config.httpPort}`
    : undefined;
  const elector = config.leaderElection
    ? new LeaderElector(leaseClient(kube.coordination, leaseNamespace, FIELD_MANAGER), {
        namespace: leaseNamespace,
        name: FIELD_MANAGER,
        identity,
        endpoint,
        log,
        onStartedLeading: () => {
          metrics.isLeader.set(1);
          controller.queue.resume();
          controller.enqueueAll();
        },
        onStoppedLeading: () => void stepDown(),
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
      ...alertmanagerRoutes({
        getChannel: (ns, name) => controller.getChannel(ns, name),
        resolver,
        secrets,
        sender,
        relay,
        isLeader,
        leaderEndpoint: () => elector?.leaderEndpoint(),
        ownEndpoint: endpoint,
        log,
        metrics,
        maxBodyBytes: config.webhookMaxBodyBytes,
        maxConcurrent: config.webhookMaxConcurrent,
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
      watchSecrets: config.watchSecrets,
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
    await elector?.release(RELEASE_BUDGET_MS);
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
