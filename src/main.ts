// Wiring only: config → logger → kube clients → manager (watches, queue, leader election, shutdown)
// → delivery (ledger, lifecycle, service, relay) → interaction → reconciler → HTTP. Each piece is built after
// what it uses; nothing is set afterwards.
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { alertmanagerConfigApi } from './alertmanagerConfig/api.js';
import { AlertmanagerConfigs } from './alertmanagerConfig/configurer.js';
import { watchOwnedConfigs } from './alertmanagerConfig/ownedWatch.js';
import { FIELD_MANAGER } from './api/contract.js';
import { loadConfig, type Config } from './config.js';
import { BotReconciler } from './bot/reconciler.js';
import { ChannelReconciler } from './controller/reconciler.js';
import { ChannelResolver } from './channel/resolver.js';
import { SecretReader, UNWATCHED_SECRET_MAX_AGE_MS, type SecretFreshness } from './channel/secrets.js';
import { DeliveryLedger } from './delivery/ledger.js';
import { AnnotationRelay } from './delivery/relay.js';
import { Sender } from './delivery/sender.js';
import { DeliveryService, notificationMessage } from './delivery/service.js';
import { webhookRoutes } from './http/webhook.js';
import { createMetrics } from './observability/metrics.js';
import { startHttpServer } from './http/server.js';
import { patchBotStatus } from './kube/bots.js';
import { patchChannelStatus } from './kube/channels.js';
import { loadKubeConfig, makeClients } from './kube/client.js';
import { makeEventRecorder } from './kube/events.js';
import { LeaderElector } from './runtime/leaderElection.js';
import { byKind } from './runtime/keys.js';
import { Manager } from './runtime/manager.js';
import { Watches } from './runtime/watches.js';
import { leaseClient } from './kube/leaseClient.js';
import { createLogger } from './observability/log.js';
import { TelegramClient } from './telegram/client.js';
import { redactUrl } from './observability/redact.js';
import { Verifier } from './telegram/verifier.js';
import { ChatsRecorder } from './interaction/chatsRecord.js';
import { credentialsOptIn } from './interaction/credentialsOptIn.js';
import { Interaction } from './interaction/interaction.js';
import { episodeConfigMaps } from './kube/episodeConfigMaps.js';
import { AlertLifecycle } from './lifecycle/alertLifecycle.js';
import { NotificationComposer } from './lifecycle/compose.js';
import { WordsStatus } from './controller/wordsStatus.js';
import { templateConfigMapReader } from './kube/templateConfigMaps.js';
import { RenderPool } from './template/pool.js';

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
  // Followers watch (so they are ready to take over at once) but reconcile and send nothing.
  const leaseNamespace = config.podNamespace || 'default';
  const endpoint = config.podIp
    ? `http://${config.podIp.includes(':') ? `[${config.podIp}]` : config.podIp}:${config.httpPort}`
    : undefined;
  // The manager builds the watches (they feed its queue); the bot side reads their caches directly.
  let watches: Watches | undefined;
  const manager = new Manager({
    watches: (events) =>
      (watches = new Watches({
        kc: kube.kc,
        core: kube.core,
        custom: kube.custom,
        namespaces: config.watchNamespaces,
        resyncMs: config.resyncPeriodMs,
        watchSecrets: config.watchSecrets,
        watchClusterBots: config.watchClusterBots,
        log,
        events,
      })),
    elector: config.leaderElection
      ? (hooks) =>
          new LeaderElector(leaseClient(kube.coordination, leaseNamespace, FIELD_MANAGER), {
            namespace: leaseNamespace,
            name: FIELD_MANAGER,
            identity,
            endpoint,
            log,
            ...hooks,
          })
      : undefined,
    concurrency: config.maxConcurrentReconciles,
    log,
    metrics,
  });
  const secretFreshness: SecretFreshness = config.watchSecrets
    ? { watchedVersion: (ns, name) => manager.secretVersion(ns, name) }
    : { maxAgeMs: UNWATCHED_SECRET_MAX_AGE_MS };
  const secrets = new SecretReader(kube.core, secretFreshness);
  secrets.pruneEvery(5_000, () => manager.referencedSecrets());
  const caches = watches!;
  const resolver = new ChannelResolver(secrets, caches.watchesBots() ? caches : undefined);
  const recordEvent = makeEventRecorder(kube.core, log, identity);
  const chatFailures = new Set<string>();
  const ledger = new DeliveryLedger({
    log,
    // Recording a send is what the bot's next annotation send waits for: it goes first.
    requeue: (key) => manager.enqueue(key, { first: true }),
    chatFailed: (key) => chatFailures.add(key),
  });
  const alertmanagerConfigs = new AlertmanagerConfigs({
    api: alertmanagerConfigApi(kube.custom),
    baseUrl: config.webhookBaseUrl,
    owned: watchOwnedConfigs({
      kc: kube.kc,
      namespaces: config.watchNamespaces,
      resyncMs: config.resyncPeriodMs,
      log,
      wake: (key) => manager.enqueue(key),
    }),
    wake: (key) => manager.enqueue(key),
    log,
  });
  // One verifier: a bot's getMe answer is shared with any channel that still asks for it.
  const verifier = new Verifier(telegram);
  const bots = new BotReconciler({
    cache: caches,
    secrets,
    verifier,
    writeStatus: (bot, patch) => patchBotStatus(kube.custom, bot, patch),
    log,
    metrics,
  });
  // Templates render in worker threads, never on this event loop (docs/templates-and-routes.md).
  const renderPool = new RenderPool({ size: config.templateWorkers, deadlineMs: config.templateDeadlineMs });
  // The alert's life in the chat: episodes in ConfigMaps of the operator's namespace; every Alertmanager
  // notification goes through its notifier (edit, reply or send, with buttons), and presses redraw through it.
  const lifecycle = new AlertLifecycle({
    configMaps: episodeConfigMaps(kube.core, leaseNamespace),
    getChannel: (ns, name) => manager.getChannel(ns, name),
    hasSynced: () => manager.hasSynced(),
    watches: (ns) => config.watchNamespaces.length === 0 || config.watchNamespaces.includes(ns),
    isLeader: () => manager.isLeader(),
    sendPlain: (n) => sender.send(notificationMessage(n)),
    composer: new NotificationComposer({
      pool: renderPool,
      readConfigMap: templateConfigMapReader(kube.core),
      ...(caches.watchesBots() ? { getBot: (name: string) => caches.getBot(name) } : {}),
      recordEvent,
      templateFailed: (labels) => metrics.templateFailures.inc(labels),
      log,
    }),
    onWrite: () => metrics.episodeWrites.inc(),
    log,
  });
  const delivery = new DeliveryService({
    sender,
    ledger,
    resolver,
    recordEvent,
    metrics,
    log,
    sendNotification: lifecycle.sendNotification,
  });
  const interaction = new Interaction({
    telegram,
    secrets,
    episodes: lifecycle.store,
    renderer: lifecycle.renderer(delivery, resolver),
    getChannel: (ns, name) => manager.getChannel(ns, name),
    enqueue: (key) => manager.enqueue(key),
    chats: new ChatsRecorder(kube.core, leaseNamespace, log),
    // Where silence URLs and credentials may go: docs/multi-tenancy.md, "Silence buttons".
    policy: {
      operatorHosts: config.silenceUrlHosts,
      ...(caches.watchesBots() ? { getBot: (name: string) => caches.getBot(name) } : {}),
      optIn: credentialsOptIn(kube.kc, secretFreshness),
    },
    // Answers go straight to the Bot API, outside the bot's send bucket: Telegram does not count them
    // against message limits, and a press must be answered within 15 s however busy the bot's chats
    // are. The press handler's per-user limit bounds them instead.
    pressed: (action) => metrics.buttonPresses.inc({ action }),
    silenceCall: (operation, result) => metrics.silences.inc({ operation, result }),
    log,
  });
  const words = new WordsStatus({
    pool: renderPool,
    readConfigMap: templateConfigMapReader(kube.core),
    log,
    ...(caches.watchesBots() ? { getBot: (name: string) => caches.getBot(name) } : {}),
  });
  const relay = new AnnotationRelay({ service: delivery, ledger, recordEvent, metrics, log });
  const reconciler = new ChannelReconciler({
    channels: manager,
    resolver,
    verifier,
    writeStatus: (ch, patch) => patchChannelStatus(kube.custom, ch, patch),
    recordEvent,
    log,
    metrics,
    delivery: relay,
    forgotten: (key) => {
      relay.forget(key);
      interaction.forget(key);
      lifecycle.forgetChannel(key);
      alertmanagerConfigs.forget(key);
    },
    chatFailures,
    interactive: (ch, resolved, verified) => interaction.condition(ch, resolved, verified),
    alertmanagerConfig: (ch, current) => alertmanagerConfigs.configure(ch, current),
    words,
  });

  const server = await startHttpServer({
    port: config.httpPort,
    metrics,
    ready: () => manager.hasSynced(),
    log,
    routes: [
      ...webhookRoutes({
        getChannel: (ns, name) => manager.getChannel(ns, name),
        secrets,
        delivery,
        isLeader: () => manager.isLeader(),
        leaderEndpoint: () => manager.leaderEndpoint(),
        ownEndpoint: endpoint,
        log,
        maxBodyBytes: config.webhookMaxBodyBytes,
        maxConcurrent: config.webhookMaxConcurrent,
      }),
    ],
  });
  manager.start(
    byKind({ channels: reconciler, bots }),
    {
      stopAccepting: () => sender.stopAccepting(),
      drain: (ms) => sender.drain(ms),
      unrecordedOutcomes: () => ledger.unrecorded,
      allRecorded: (ms) => ledger.allRecorded(ms),
    },
    {
      start: () => {
        interaction.start();
        lifecycle.start();
      },
      stop: () => Promise.all([interaction.stop(), lifecycle.stop()]).then(() => undefined),
    },
  );
  log.info(
    {
      port: (server.address() as AddressInfo).port,
      namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all',
      telegramApiUrl: redactUrl(config.telegramApiUrl),
      identity,
      leaderElection: config.leaderElection,
      watchSecrets: config.watchSecrets,
      webhookBaseUrl: config.webhookBaseUrl,
      watchClusterBots: config.watchClusterBots,
    },
    'telegram-channel-operator started',
  );
  // A reconcile still running meets a closed pool and keeps its TemplateValid as it was.
  const stopIntake = () => {
    server.close();
    void renderPool.close();
  };
  process.on('SIGTERM', () => void manager.shutdown('SIGTERM', stopIntake));
  process.on('SIGINT', () => void manager.shutdown('SIGINT', stopIntake));
}

main().catch((e: unknown) => {
  createLogger('info').fatal({ err: e }, 'operator failed to start');
  process.exit(1);
});
