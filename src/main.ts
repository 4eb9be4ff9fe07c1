// Wiring only, as small build functions, each given what it uses and returning what the next needs:
// config → clients → manager (runnables, queue, leader election, drains) → watches → Secrets →
// verification → delivery (ledger, lifecycle, service) → interaction → channel and bot reconcilers
// (the channel's status contributors, in order) → HTTP → manager.start. Nothing is set afterwards.
import type { AddressInfo } from 'node:net';
import { alertmanagerConfigApi } from './alertmanagerConfig/api.js';
import { AlertmanagerConfigs } from './alertmanagerConfig/configurer.js';
import { watchOwnedConfigs } from './alertmanagerConfig/ownedWatch.js';
import { FIELD_MANAGER } from './api/contract.js';
import { buildBase, type Base } from './base.js';
import { BotReconciler } from './controller/botReconciler.js';
import { alertmanagerConfigStatus } from './controller/alertmanagerConfigStatus.js';
import { deliveryStatus } from './controller/deliveryStatus.js';
import { channelGauges } from './controller/gauges.js';
import { interactiveStatus } from './controller/interactiveStatus.js';
import { ChannelReconciler } from './controller/channelReconciler.js';
import { Verification } from './controller/verification.js';
import { eventsStatus } from './controller/eventsStatus.js';
import { buildEventsRelay } from './events/build.js';
import type { EventsRelay } from './events/eventsRelay.js';
import { WordsStatus, wordsStatus } from './controller/wordsStatus.js';
import { templateConfigMapReader } from './kube/templateConfigMaps.js';
import { RenderPool } from './template/pool.js';
import { Watches, allKeys } from './controller/watches.js';
import { ChannelResolver } from './credentials/resolver.js';
import { SecretReader, UNWATCHED_SECRET_MAX_AGE_MS, type SecretFreshness } from './credentials/secrets.js';
import { DeliveryLedger } from './delivery/ledger.js';
import { AnnotationRelay } from './delivery/annotationRelay.js';
import { Sender } from './delivery/sender.js';
import { DeliveryService, notificationMessage } from './delivery/service.js';
import { webhookRoutes } from './http/webhook.js';
import { startHttpServer } from './http/server.js';
import { ChatsRecorder } from './interaction/chatsRecord.js';
import { credentialsOptIn } from './interaction/credentialsOptIn.js';
import { Interaction } from './interaction/interaction.js';
import { patchBotStatus } from './kube/bots.js';
import { patchChannelStatus } from './kube/channels.js';
import { episodeConfigMaps } from './kube/episodeConfigMaps.js';
import { leaseClient } from './kube/leaseClient.js';
import { AlertLifecycle } from './lifecycle/alertLifecycle.js';
import { NotificationComposer } from './lifecycle/compose.js';
import { createLogger } from './observability/log.js';
import { redactUrl } from './observability/redact.js';
import { byKind } from './runtime/keys.js';
import { LeaderElector } from './runtime/leaderElection.js';
import { Manager } from './runtime/manager.js';

/** Followers watch (so they are ready to take over at once) but reconcile and send nothing. */
function buildManager({ config, kube, ownNamespace, identity, endpoint, log, metrics }: Base): Manager {
  const lease = () => leaseClient(kube.coordination, ownNamespace, FIELD_MANAGER);
  return new Manager({
    elector: config.leaderElection
      ? (hooks) => new LeaderElector(lease(), { namespace: ownNamespace, name: FIELD_MANAGER, identity, endpoint, log, ...hooks })
      : undefined,
    concurrency: config.maxConcurrentReconciles,
    log,
    metrics,
  });
}

/** The watches feed the manager's queue; on every replica, with the gauges read from their cache. */
function buildWatches({ config, kube, log, metrics }: Base, manager: Manager): Watches {
  const watches = new Watches({
    kc: kube.kc,
    core: kube.core,
    custom: kube.custom,
    namespaces: config.watchNamespaces,
    resyncMs: config.resyncPeriodMs,
    watchSecrets: config.watchSecrets,
    watchClusterBots: config.watchClusterBots,
    log,
    events: { changed: (key) => manager.enqueue(key), deleted: (key) => manager.forget(key) },
  });
  manager.add(watches);
  manager.add(channelGauges(metrics, watches));
  return watches;
}

/** A channel's Secrets → its token and chat id; a botRef channel's through its ClusterTelegramBot. */
function buildResolver({ config, kube }: Base, watches: Watches) {
  const freshness: SecretFreshness = config.watchSecrets
    ? { watchedVersion: (ns, name) => watches.secretVersion(ns, name) }
    : { maxAgeMs: UNWATCHED_SECRET_MAX_AGE_MS };
  const secrets = new SecretReader(kube.core, freshness);
  secrets.pruneEvery(5_000, () => watches.referencedSecrets());
  const resolver = new ChannelResolver(secrets, watches.watchesBots() ? watches : undefined);
  return { secrets, freshness, resolver };
}

/** The sender (rate limits), the ledger (outcomes until status has them), the alert lifecycle, the service over them. */
function buildDelivery(
  base: Base,
  manager: Manager,
  watches: Watches,
  resolver: ChannelResolver,
  verification: Verification,
  words: Words,
) {
  const { config, kube, log, metrics, telegram, ownNamespace, recordEvent } = base;
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
  const ledger = new DeliveryLedger({
    log,
    // Recording a send is what the bot's next annotation send waits for: it goes first.
    requeue: (key) => manager.enqueue(key, { first: true }),
    chatFailed: (key) => verification.chatFailed(key),
  });
  // The alert's life in the chat: episodes in ConfigMaps of the operator's namespace; every Alertmanager
  // notification goes through its notifier (edit, reply or send, with buttons), and presses redraw through it.
  const lifecycle = new AlertLifecycle({
    configMaps: episodeConfigMaps(kube.core, ownNamespace),
    getChannel: (ns, name) => watches.getChannel(ns, name),
    hasSynced: () => watches.hasSynced(),
    watches: (ns) => config.watchNamespaces.length === 0 || config.watchNamespaces.includes(ns),
    isLeader: () => manager.isLeader(),
    sendPlain: (n) => sender.send(notificationMessage(n)),
    composer: words.composer,
    onWrite: () => metrics.episodeWrites.inc(),
    imageUrlHosts: config.imageUrlHosts,
    log,
  });
  const service = new DeliveryService({
    sender,
    ledger,
    resolver,
    recordEvent,
    metrics,
    log,
    sendNotification: lifecycle.sendNotification,
  });
  const relay = new AnnotationRelay({ service, ledger, recordEvent, metrics, log });
  return { sender, ledger, lifecycle, service, relay };
}
type Delivery = ReturnType<typeof buildDelivery>;

/** Templates render in worker threads, never on this event loop (docs/templates-and-routes.md): one pool checks and sends. */
function buildWords({ config, kube, log, metrics, recordEvent }: Base, watches: Watches) {
  const pool = new RenderPool({ size: config.templateWorkers, deadlineMs: config.templateDeadlineMs });
  const readConfigMap = templateConfigMapReader(kube.core);
  const bots = watches.watchesBots() ? { getBot: (name: string) => watches.getBot(name) } : {};
  const status = new WordsStatus({ pool, readConfigMap, log, ...bots });
  const templateFailed = (labels: { namespace: string; name: string; reason: string }) => metrics.templateFailures.inc(labels);
  const composer = new NotificationComposer({ pool, readConfigMap, ...bots, recordEvent, templateFailed, log });
  return { pool, status, composer };
}
type Words = ReturnType<typeof buildWords>;
type Resolution = ReturnType<typeof buildResolver>;

/** The buttons' back channel: getUpdates pollers and presses, leader only. */
function buildInteraction(
  base: Base,
  manager: Manager,
  watches: Watches,
  { secrets, freshness, resolver }: Resolution,
  delivery: Delivery,
) {
  const { config, kube, log, metrics, telegram, ownNamespace } = base;
  const interaction = new Interaction({
    telegram,
    secrets,
    episodes: delivery.lifecycle.store,
    renderer: delivery.lifecycle.renderer(delivery.service, resolver),
    getChannel: (ns, name) => watches.getChannel(ns, name),
    enqueue: (key) => manager.enqueue(key),
    chats: new ChatsRecorder(kube.core, ownNamespace, log),
    // Where silence URLs and credentials may go: docs/multi-tenancy.md, "Silence buttons".
    policy: {
      operatorHosts: config.silenceUrlHosts,
      ...(watches.watchesBots() ? { getBot: (name: string) => watches.getBot(name) } : {}),
      optIn: credentialsOptIn(kube.kc, freshness),
    },
    // Answers go straight to the Bot API, outside the bot's send bucket: Telegram does not count them
    // against message limits, and a press must be answered within 15 s however busy the bot's chats
    // are. The press handler's per-user limit bounds them instead.
    pressed: (action) => metrics.buttonPresses.inc({ action }),
    silenceCall: (operation, result) => metrics.silences.inc({ operation, result }),
    log,
  });
  manager.add({ name: 'interaction', needLeaderElection: true, start: () => interaction.start(), stop: () => interaction.stop() });
  manager.add({
    name: 'lifecycle',
    needLeaderElection: true,
    start: () => delivery.lifecycle.start(),
    stop: () => delivery.lifecycle.stop(),
  });
  return interaction;
}

/** The cluster's Warning events (spec.kubernetesEvents): leader work, its records beside the episodes. */
function buildEvents(
  { config, kube, log, ownNamespace }: Base,
  manager: Manager,
  watches: Watches,
  resolver: ChannelResolver,
  delivery: Delivery,
) {
  const events = buildEventsRelay({
    kc: kube.kc,
    core: kube.core,
    namespace: ownNamespace,
    clusterNamespaces: config.eventsClusterNamespaces,
    service: delivery.service,
    resolver,
    getChannel: (ns, name) => watches.getChannel(ns, name),
    namespaceLabels: (ns) => watches.namespaceLabels(ns),
    wake: (key) => manager.enqueue(key),
    log,
  });
  manager.add({ name: 'events', needLeaderElection: true, start: () => events.start(), stop: () => events.stop() });
  return events;
}

function buildAlertmanagerConfigs({ config, kube, log }: Base, manager: Manager): AlertmanagerConfigs {
  return new AlertmanagerConfigs({
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
}

/**
 * The channel's status, one contributor per part, in order: verification first (Ready, and the token
 * and chat the others read), delivery last (it plans sends against the status about to be written).
 */
function buildChannelReconciler(
  base: Base,
  watches: Watches,
  parts: {
    verification: Verification;
    interaction: Interaction;
    alertmanagerConfigs: AlertmanagerConfigs;
    words: Words;
    events: EventsRelay;
    delivery: Delivery;
  },
) {
  const { kube, log, metrics } = base;
  return new ChannelReconciler({
    channels: watches,
    contributors: [
      parts.verification,
      interactiveStatus(parts.interaction),
      alertmanagerConfigStatus(parts.alertmanagerConfigs),
      wordsStatus(parts.words.status, parts.verification),
      eventsStatus(parts.events),
      deliveryStatus(parts.delivery.relay),
    ],
    channelState: [{ forget: (key) => parts.delivery.lifecycle.forgetChannel(key) }],
    writeStatus: (ch, patch) => patchChannelStatus(kube.custom, ch, patch),
    recordEvent: base.recordEvent,
    log,
    metrics,
  });
}

function buildBotReconciler({ kube, log, metrics, verifier }: Base, watches: Watches, { secrets }: Resolution): BotReconciler {
  return new BotReconciler({
    cache: watches,
    secrets,
    verifier,
    writeStatus: (bot, patch) => patchBotStatus(kube.custom, bot, patch),
    log,
    metrics,
  });
}

function buildHttp(
  { config, log, metrics, endpoint }: Base,
  manager: Manager,
  watches: Watches,
  { secrets }: Resolution,
  delivery: Delivery,
) {
  return startHttpServer({
    port: config.httpPort,
    metrics,
    ready: () => watches.hasSynced(),
    log,
    routes: [
      ...webhookRoutes({
        getChannel: (ns, name) => watches.getChannel(ns, name),
        secrets,
        delivery: delivery.service,
        isLeader: () => manager.isLeader(),
        leaderEndpoint: () => manager.leaderEndpoint(),
        ownEndpoint: endpoint,
        log,
        maxBodyBytes: config.webhookMaxBodyBytes,
        maxConcurrent: config.webhookMaxConcurrent,
      }),
    ],
  });
}

async function main(): Promise<void> {
  const base = buildBase();
  const { config, log, verifier } = base;
  const manager = buildManager(base);
  const watches = buildWatches(base, manager);
  const resolution = buildResolver(base, watches);
  const verification = new Verification({ resolver: resolution.resolver, verifier });
  const words = buildWords(base, watches);
  const delivery = buildDelivery(base, manager, watches, resolution.resolver, verification, words);
  const interaction = buildInteraction(base, manager, watches, resolution, delivery);
  const alertmanagerConfigs = buildAlertmanagerConfigs(base, manager);
  const events = buildEvents(base, manager, watches, resolution.resolver, delivery);
  const channels = buildChannelReconciler(base, watches, { verification, interaction, alertmanagerConfigs, words, events, delivery });
  const bots = buildBotReconciler(base, watches, resolution);
  const server = await buildHttp(base, manager, watches, resolution, delivery);
  const { sender, ledger } = delivery;
  manager.start({
    reconciler: byKind({ channels, bots }),
    sends: {
      stopAccepting: () => sender.stopAccepting(),
      drain: (ms) => sender.drain(ms),
      unrecordedOutcomes: () => ledger.unrecorded,
      allRecorded: (ms) => ledger.allRecorded(ms),
    },
    allKeys: () => allKeys(watches),
  });
  log.info(
    {
      port: (server.address() as AddressInfo).port,
      namespaces: config.watchNamespaces.length ? config.watchNamespaces : 'all',
      telegramApiUrl: redactUrl(config.telegramApiUrl),
      identity: base.identity,
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
    void words.pool.close();
  };
  process.on('SIGTERM', () => void manager.shutdown('SIGTERM', stopIntake));
  process.on('SIGINT', () => void manager.shutdown('SIGINT', stopIntake));
}

main().catch((e: unknown) => {
  createLogger('info').fatal({ err: e }, 'operator failed to start');
  process.exit(1);
});
