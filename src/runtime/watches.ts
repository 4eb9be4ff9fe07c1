// The watches: channel and Secret events turn into keys for the manager's queue (WatchEvents).
// Channels are watched whole; Secrets are watched as metadata only and mapped to the channels that
// reference them, so a rotated token wakes exactly those channels within a second or two. With
// WATCH_SECRETS=false there is no Secret watch: SecretReader reads referenced Secrets again instead.
import type * as k8s from '@kubernetes/client-node';
import { ANNOTATION_PREFIX, API_VERSION, KIND } from '../api/contract.js';
import { keyOf, type TelegramChannel } from '../api/types.js';
import { LIST_PAGE_SIZE, channelWatchPath, listChannels } from '../kube/channels.js';
import { ACCEPT_METADATA_WATCH, listMetadata } from '../kube/metadataOnly.js';
import { ResourceWatcher, type KubeObject } from './watcher.js';
import type { Logger } from '../observability/log.js';

type SecretMeta = KubeObject;

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
  log: Logger;
  events: WatchEvents;
}

export class Watches {
  private readonly channelWatchers: ResourceWatcher<TelegramChannel & KubeObject>[];
  private readonly secretWatchers: ResourceWatcher<SecretMeta>[];
  /** Secret "ns/name" → keys of the channels that reference it. */
  private readonly secretIndex = new Map<string, Set<string>>();
  private readonly channelSecrets = new Map<string, string[]>();

  constructor(private readonly opts: WatchesOptions) {
    const scopes = opts.namespaces.length ? opts.namespaces : [undefined];
    this.channelWatchers = scopes.map(
      (ns) =>
        new ResourceWatcher<TelegramChannel & KubeObject>(
          opts.kc,
          { upsert: (obj, prev) => this.onChannel(obj, prev), deleted: (obj) => this.onChannelDeleted(obj) },
          {
            path: channelWatchPath(ns),
            list: () => listChannels(opts.custom, ns),
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
            path: secretsPath(ns),
            // Metadata only, on the wire: the data of a Secret is never sent to the operator by the
            // watch, so unrelated Secrets (Helm releases, certificates) cost a few hundred bytes each.
            list: () => listMetadata(opts.kc, secretsPath(ns), LIST_PAGE_SIZE),
            accept: ACCEPT_METADATA_WATCH,
            forbiddenHint:
              'grant list and watch on secrets, or set WATCH_SECRETS=false (the get-only install: deploy/overlays/secrets-get-only)',
            // Only identity and version are kept, whatever the server sent.
            keep: (raw) => {
              const m = (raw as SecretMeta).metadata;
              return { metadata: { name: m.name, namespace: m.namespace, resourceVersion: m.resourceVersion } };
            },
            log: opts.log,
          },
        ),
    );
  }

  start(): void {
    for (const w of [...this.secretWatchers, ...this.channelWatchers]) w.start();
  }

  stop(): void {
    for (const w of [...this.secretWatchers, ...this.channelWatchers]) w.stop();
  }

  hasSynced(): boolean {
    return [...this.secretWatchers, ...this.channelWatchers].every((w) => w.hasSynced());
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

  /** Secrets referenced by at least one channel ("ns/name"). */
  referencedSecrets(): Set<string> {
    return new Set(this.secretIndex.keys());
  }

  private onChannel(obj: TelegramChannel, prev: TelegramChannel | undefined): void {
    const key = keyOf(obj);
    this.indexSecrets(key, obj);
    if (prev && prev !== obj && onlyStatusChanged(prev, obj)) return; // our own status write coming back
    this.opts.events.changed(key);
  }

  private onChannelDeleted(obj: TelegramChannel): void {
    const key = keyOf(obj);
    this.indexSecrets(key, undefined);
    this.opts.events.deleted(key);
  }

  private onSecret(obj: SecretMeta): void {
    const keys = this.secretIndex.get(`${obj.metadata.namespace}/${obj.metadata.name}`);
    if (keys) for (const k of keys) this.opts.events.changed(k);
  }

  private indexSecrets(key: string, obj: TelegramChannel | undefined): void {
    for (const s of this.channelSecrets.get(key) ?? []) {
      const set = this.secretIndex.get(s);
      set?.delete(key);
      if (set && set.size === 0) this.secretIndex.delete(s);
    }
    this.channelSecrets.delete(key);
    if (!obj) return;
    // Read the raw spec: even a channel whose spec fails validation is woken by its Secrets.
    const spec = obj.spec as
      | { tokenSecretRef?: { name?: string }; chatIdSecretRef?: { name?: string }; alertmanager?: { tokenSecretRef?: { name?: string } } }
      | undefined;
    const names = [spec?.tokenSecretRef?.name, spec?.chatIdSecretRef?.name, spec?.alertmanager?.tokenSecretRef?.name];
    const refs = [...new Set(names.filter((n): n is string => !!n).map((n) => `${obj.metadata.namespace}/${n}`))];
    this.channelSecrets.set(key, refs);
    for (const s of refs) {
      let set = this.secretIndex.get(s);
      if (!set) this.secretIndex.set(s, (set = new Set()));
      set.add(key);
    }
  }
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
