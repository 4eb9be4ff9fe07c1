// The watches: channel and Secret events turn into keys for the manager's queue (WatchEvents); a
// runnable on every replica, so a follower's caches are ready when it takes the lead.
// Channels are watched whole; Secrets are watched as metadata only and mapped to the channels that
// reference them, so a rotated token wakes exactly those channels within a second or two. With
// WATCH_SECRETS=false there is no Secret watch: SecretReader reads referenced Secrets again instead.
//
// With WATCH_CLUSTER_BOTS (the default without WATCH_NAMESPACE), ClusterTelegramBots are watched whole and namespaces as metadata
// only (name and labels: allowedNamespaces). Keys: see keys.ts. What wakes what:
//   a bot's spec changes                → the bot; what its channels read changes (spec, Ready, bot) → its channels
//   a bot's Secret changes              → the bot and its channels
//   a botRef channel appears, goes, or changes bot → the bot(s) (status.channels counts them)
//   a namespace's labels change         → its botRef channels and their bots
// Channels are watched once bots and namespaces have listed, so that no channel is judged (BotNotFound,
// BotNotAllowed) on an empty cache at start-up.
import type * as k8s from '@kubernetes/client-node';
import { ANNOTATION_PREFIX, API_VERSION, BOT_KIND, KIND } from '../api/contract.js';
import { keyOf, splitKey, type TelegramChannel } from '../api/types.js';
import { BOT_WATCH_PATH, listBots } from '../kube/bots.js';
import { LIST_PAGE_SIZE, channelWatchPath, listChannels } from '../kube/channels.js';
import { ACCEPT_METADATA_WATCH, listMetadata, metadataOnlyWatch } from '../kube/metadataOnly.js';
import type { ClusterTelegramBot } from '../api/types.js';
import { botKey, botNameOf } from '../runtime/keys.js';
import type { Runnable } from '../runtime/manager.js';
import type { KubeObject } from '../kube/objects.js';
import { ResourceWatcher } from '../runtime/resourceWatcher.js';
import type { Logger } from '../observability/log.js';
import { BotRefIndex, ReferenceIndex } from './indexes.js';

type SecretMeta = KubeObject;
type NamespaceMeta = KubeObject & { metadata: { labels?: Record<string, string> } };
type BotObject = ClusterTelegramBot & KubeObject;

/** Where the watches send keys: the manager's queue. */
export interface WatchEvents {
  /** Something a reconcile reads changed. */
  changed(key: string): void;
  /** The channel is gone. */
  deleted(key: string): void;
}

export interface WatchesOptions {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
  namespaces: string[]; // empty: all
  resyncMs: number;
  /**
   * Watch Secret metadata to wake a channel within seconds of a change to a Secret it references.
   * false: RBAC grants only `get` on Secrets; a change is seen at the channel's next reconcile.
   */
  watchSecrets: boolean;
  /** Watch ClusterTelegramBots and namespaces (metadata only): cluster-scoped, so the ClusterRole must allow it. */
  watchClusterBots: boolean;
  log: Logger;
  events: WatchEvents;
}

export class Watches implements Runnable {
  readonly name = 'watches';
  readonly needLeaderElection = false;
  private readonly channelWatchers: ResourceWatcher<TelegramChannel & KubeObject>[];
  private readonly secretWatchers: ResourceWatcher<SecretMeta>[];
  /** Secret "ns/name" → keys of the channels and bots that reference it. */
  private readonly secretIndex = new ReferenceIndex();
  /** Bots and namespaces: only with watchClusterBots (a Role cannot grant cluster-scoped objects). */
  private readonly botWatcher: ResourceWatcher<BotObject> | undefined;
  private readonly namespaceWatcher: ResourceWatcher<NamespaceMeta> | undefined;
  /** Bot name → keys of the channels whose spec.botRef names it; and the reverse. */
  private readonly botRefs = new BotRefIndex();
  private channelsStarted = false;

  constructor(private readonly opts: WatchesOptions) {
    const scopes = opts.namespaces.length ? opts.namespaces : [undefined];
    this.channelWatchers = scopes.map(
      (ns) =>
        new ResourceWatcher<TelegramChannel & KubeObject>(
          opts.kc,
          { upsert: (obj, prev) => this.onChannel(obj, prev), deleted: (obj) => this.onChannelDeleted(obj) },
          {
            path: channelWatchPath(ns),
            list: () => listChannels(opts.custom, ns, keepChannel),
            keep: keepChannel,
            resyncMs: opts.resyncMs,
            log: opts.log,
          },
        ),
    );
    this.secretWatchers = (opts.watchSecrets ? scopes : []).map(
      (ns) =>
        new ResourceWatcher<SecretMeta>(
          opts.kc,
          { upsert: (obj) => this.onSecret(obj), deleted: (obj) => this.onSecret(obj) },
          {
            // Metadata only, on the wire: the data of a Secret is never sent to the operator by the
            // watch, so unrelated Secrets (Helm releases, certificates) cost a few hundred bytes each;
            // only identity and version are kept, whatever the server sent.
            ...metadataOnlyWatch(opts.kc, secretsPath(ns), LIST_PAGE_SIZE),
            forbiddenHint:
              'grant list and watch on secrets, or set WATCH_SECRETS=false (the get-only install: deploy/overlays/secrets-get-only)',
            log: opts.log,
          },
        ),
    );
    if (!opts.watchClusterBots) return;
    this.botWatcher = new ResourceWatcher<BotObject>(
      opts.kc,
      { upsert: (obj, prev) => this.onBot(obj, prev), deleted: (obj) => this.onBotDeleted(obj) },
      { path: BOT_WATCH_PATH, list: () => listBots(opts.custom, keepBot), keep: keepBot, resyncMs: opts.resyncMs, log: opts.log },
    );
    this.namespaceWatcher = new ResourceWatcher<NamespaceMeta>(
      opts.kc,
      { upsert: (obj, prev) => this.onNamespace(obj, prev), deleted: (obj) => this.onNamespace(obj, undefined) },
      {
        path: '/api/v1/namespaces',
        // Metadata only: name and labels are all allowedNamespaces reads.
        list: () => listMetadata(opts.kc, '/api/v1/namespaces', LIST_PAGE_SIZE, { labels: true }),
        accept: ACCEPT_METADATA_WATCH,
        forbiddenHint: 'grant list and watch on namespaces (ClusterTelegramBot allowedNamespaces)',
        keep: (raw) => {
          const m = (raw as NamespaceMeta).metadata;
          return { metadata: { name: m.name, resourceVersion: m.resourceVersion, labels: m.labels ?? {} } };
        },
        log: opts.log,
      },
    );
  }

  start(): void {
    for (const w of this.botSideWatchers()) w.start();
    for (const w of this.secretWatchers) w.start();
    this.startChannelsWhenBotsSynced();
  }

  stop(): void {
    this.channelsStarted = true; // a pending start must not happen after stop
    for (const w of [...this.secretWatchers, ...this.channelWatchers, ...this.botSideWatchers()]) w.stop();
  }

  hasSynced(): boolean {
    return [...this.secretWatchers, ...this.channelWatchers, ...this.botSideWatchers()].every((w) => w.hasSynced());
  }

  getBot(name: string): ClusterTelegramBot | undefined {
    return this.botWatcher?.get(undefined, name);
  }

  listBots(): ClusterTelegramBot[] {
    return this.botWatcher?.list() ?? [];
  }

  /** Whether bots are watched at all (cluster-wide installs). */
  watchesBots(): boolean {
    return this.botWatcher !== undefined;
  }

  /** undefined: the namespace has not been seen (not created yet, or its event is on its way). */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined {
    const ns = this.namespaceWatcher?.get(undefined, namespace);
    return ns ? (ns.metadata.labels ?? {}) : undefined;
  }

  /** The channels whose spec.botRef names this bot (allowed or not). */
  channelsOfBot(name: string): TelegramChannel[] {
    return [...this.botRefs.channelsOf(name)].flatMap((k) => {
      const { namespace, name: channel } = splitKey(k);
      const ch = this.getChannel(namespace, channel);
      return ch ? [ch] : [];
    });
  }

  private botSideWatchers(): ResourceWatcher<KubeObject>[] {
    return [this.botWatcher, this.namespaceWatcher].filter((w): w is ResourceWatcher<KubeObject> => w !== undefined);
  }

  private startChannelsWhenBotsSynced(): void {
    if (this.channelsStarted) return;
    if (!this.botSideWatchers().every((w) => w.hasSynced())) {
      setTimeout(() => this.startChannelsWhenBotsSynced(), 50).unref();
      return;
    }
    this.channelsStarted = true;
    for (const w of this.channelWatchers) w.start();
  }

  getChannel(namespace: string, name: string): TelegramChannel | undefined {
    for (const w of this.channelWatchers) {
      const c = w.get(namespace, name);
      if (c) return c;
    }
    return undefined;
  }

  listChannels(): TelegramChannel[] {
    return this.channelWatchers.flatMap((w) => w.list());
  }

  secretVersion(namespace: string, name: string): string | undefined {
    for (const w of this.secretWatchers) {
      const s = w.get(namespace, name);
      if (s) return s.metadata.resourceVersion;
    }
    return undefined;
  }

  /** Secrets referenced by at least one channel or bot ("ns/name"). */
  referencedSecrets(): Set<string> {
    return this.secretIndex.refs();
  }

  private onChannel(obj: TelegramChannel, prev: TelegramChannel | undefined): void {
    const key = keyOf(obj);
    this.indexSecrets(key, channelSecretRefs(obj));
    if (prev && prev !== obj && onlyStatusChanged(prev, obj)) return; // our own status write coming back
    this.indexBotRef(key, obj);
    this.opts.events.changed(key);
  }

  private onChannelDeleted(obj: TelegramChannel): void {
    const key = keyOf(obj);
    this.indexSecrets(key, []);
    this.indexBotRef(key, undefined);
    this.opts.events.deleted(key);
  }

  private onSecret(obj: SecretMeta): void {
    for (const k of this.secretIndex.keysOf(`${obj.metadata.namespace}/${obj.metadata.name}`)) {
      this.opts.events.changed(k);
      const bot = botNameOf(k);
      if (bot !== undefined) this.wakeChannelsOf(bot); // the token they send with changed
    }
  }

  private onBot(obj: BotObject, prev: BotObject | undefined): void {
    const name = obj.metadata.name;
    const spec = obj.spec as { tokenSecretRef?: { name?: string; namespace?: string } } | undefined;
    const ref = spec?.tokenSecretRef;
    this.indexSecrets(botKey(name), ref?.name && ref.namespace ? [`${ref.namespace}/${ref.name}`] : []);
    if (prev === obj) {
      this.opts.events.changed(botKey(name)); // resync
      return;
    }
    if (
      !prev ||
      prev.metadata.generation !== obj.metadata.generation ||
      prev.metadata.deletionTimestamp !== obj.metadata.deletionTimestamp
    ) {
      this.opts.events.changed(botKey(name));
    }
    // The bot's own status write comes back here too: its channels read its Ready and identity.
    if (!prev || whatChannelsRead(prev) !== whatChannelsRead(obj)) this.wakeChannelsOf(name);
  }

  private onBotDeleted(obj: BotObject): void {
    this.indexSecrets(botKey(obj.metadata.name), []);
    this.opts.events.deleted(botKey(obj.metadata.name));
    this.wakeChannelsOf(obj.metadata.name); // now BotNotFound
  }

  /** A new namespace, a relabelled or a deleted one: its botRef channels may be allowed or not now. */
  private onNamespace(obj: NamespaceMeta, prev: NamespaceMeta | undefined): void {
    if (prev && JSON.stringify(prev.metadata.labels ?? {}) === JSON.stringify(obj.metadata.labels ?? {})) return;
    const prefix = `${obj.metadata.name}/`;
    for (const [key, bot] of this.botRefs.entries()) {
      if (!key.startsWith(prefix)) continue;
      this.opts.events.changed(key);
      this.opts.events.changed(botKey(bot));
    }
  }

  private wakeChannelsOf(bot: string): void {
    for (const k of this.botRefs.channelsOf(bot)) this.opts.events.changed(k);
  }

  /** Keeps bot → channels current, and wakes the bots whose channel count may have changed. */
  private indexBotRef(key: string, obj: TelegramChannel | undefined): void {
    const after = (obj?.spec as { botRef?: { name?: string } } | undefined)?.botRef?.name || undefined;
    const before = this.botRefs.set(key, after);
    if (!this.botWatcher) return;
    if (before !== undefined && before !== after) this.opts.events.changed(botKey(before));
    if (after !== undefined && before !== after) this.opts.events.changed(botKey(after));
  }

  private indexSecrets(key: string, refs: string[]): void {
    this.secretIndex.set(key, refs);
  }
}

/** Every key in the cache: bots first (their status is what their botRef channels read), then channels. */
export function* allKeys(cache: { listBots(): ClusterTelegramBot[]; listChannels(): TelegramChannel[] }): Iterable<string> {
  for (const bot of cache.listBots()) yield botKey(bot.metadata.name);
  for (const ch of cache.listChannels()) yield keyOf(ch);
}

/**
 * The Secrets a channel references ("ns/name"), from the raw spec: even an invalid spec is woken by its
 * Secrets. Every webhook source's opt-in field (spec.alertmanager, spec.grafana…) has the same shape, so
 * each top-level object with a tokenSecretRef is read as one: a new source needs no line here.
 */
export function channelSecretRefs(obj: TelegramChannel): string[] {
  type Ref = { name?: string } | undefined;
  type OptIn = { tokenSecretRef?: Ref; silence?: { authorizationSecretRef?: Ref } } | undefined;
  const spec = obj.spec as ({ tokenSecretRef?: Ref; chatIdSecretRef?: Ref } & Record<string, unknown>) | undefined;
  const optIns = Object.values(spec ?? {}).filter(
    (v): v is NonNullable<OptIn> => typeof v === 'object' && v !== null && 'tokenSecretRef' in v,
  );
  const names = [
    spec?.tokenSecretRef?.name,
    spec?.chatIdSecretRef?.name,
    ...optIns.flatMap((o) => [
      o.tokenSecretRef?.name,
      // Labelling it (telegram.notify.dev/silence-credentials) changes what Interactive says.
      o.silence?.authorizationSecretRef?.name,
    ]),
  ];
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== '').map((n) => `${obj.metadata.namespace}/${n}`))];
}

/** What a botRef channel's resolution reads of its bot: its spec, its Ready, its identity. */
function whatChannelsRead(bot: ClusterTelegramBot): string {
  const ready = bot.status?.conditions?.find((c) => c.type === 'Ready');
  return JSON.stringify([
    bot.metadata.generation,
    bot.spec,
    ready?.status,
    ready?.reason,
    ready?.message,
    ready?.observedGeneration,
    bot.status?.bot,
  ]);
}

/** What the watch cache keeps of a bot: no managedFields, no annotations. */
function keepBot(raw: unknown): BotObject {
  const obj = raw as ClusterTelegramBot;
  const m = obj.metadata;
  const metadata: ClusterTelegramBot['metadata'] = {
    name: m.name,
    uid: m.uid,
    generation: m.generation,
    resourceVersion: m.resourceVersion,
  };
  if (m.deletionTimestamp) metadata.deletionTimestamp = m.deletionTimestamp;
  return { apiVersion: API_VERSION, kind: BOT_KIND, metadata, spec: obj.spec, status: obj.status };
}

/** True when an update changed nothing a reconcile reads: same generation, annotations and deletion state. */
function onlyStatusChanged(prev: TelegramChannel, next: TelegramChannel): boolean {
  return (
    prev.metadata.generation === next.metadata.generation &&
    prev.metadata.deletionTimestamp === next.metadata.deletionTimestamp &&
    JSON.stringify(prev.metadata.annotations ?? {}) === JSON.stringify(next.metadata.annotations ?? {})
  );
}

function secretsPath(namespace: string | undefined): string {
  return namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets';
}

/**
 * What the watch cache keeps of a channel: the fields the operator reads. managedFields and
 * kubectl's last-applied-configuration (a second copy of the whole manifest on anything applied
 * client-side, as Argo CD does by default) are left out, and so are other tools' annotations; at
 * 10,000 channels the cache is most of the heap.
 */
export function keepChannel(raw: unknown): TelegramChannel & KubeObject {
  const obj = raw as TelegramChannel;
  const m = obj.metadata;
  const ours = Object.entries(m.annotations ?? {}).filter(([k]) => k.startsWith(ANNOTATION_PREFIX));
  const metadata: TelegramChannel['metadata'] = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    generation: m.generation,
    resourceVersion: m.resourceVersion,
  };
  if (ours.length > 0) metadata.annotations = Object.fromEntries(ours);
  if (m.deletionTimestamp) metadata.deletionTimestamp = m.deletionTimestamp;
  return { apiVersion: API_VERSION, kind: KIND, metadata, spec: obj.spec, status: obj.status };
}
