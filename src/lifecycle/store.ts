// The episode store: each channel's episodes in one ConfigMap in the operator's namespace (the pods
// have a read-only root filesystem and no volume, and the API server is what a new leader can read).
// Writes are grouped: changes to one ConfigMap that arrive while a write is on its way go out
// together in the next one, so a storm of N notifications makes at most N writes, usually fewer,
// and a notification whose episode did not change makes none. A write is a merge patch of the
// changed keys that carries the resourceVersion it was computed from; on a conflict the changes
// are applied again to a fresh read. Callers get their result only once the write is stored, so
// the webhook answers Alertmanager after the episode is safe (kill -9 loses nothing it answered).
import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/log.js';
import { isConflict, isNotFound, kubeErrorForLog, toKubeError } from '../kube/errors.js';
import type { EpisodeConfigMaps, StoredConfigMap } from '../kube/episodeConfigMaps.js';
import type { Episode, EpisodeStore } from './episode.js';
import {
  LABEL_CHANNEL_NAME,
  LABEL_CHANNEL_NAMESPACE,
  LABEL_CHANNEL_UID,
  LABEL_EPISODES,
  RENEW_AFTER_MS,
  changedBeyondTime,
  configMapNameFor,
  configMapNameOfId,
  decodeRecord,
  encodeRecord,
  isExpired,
  keptGroupKey,
  keptLabels,
  newEpisodeId,
  prune,
  type EpisodeRecord,
} from './records.js';

export type ChannelRef = Episode['channel'];

/** The records of one channel as a change sees them; `put` stores one (a no-op when nothing but the time changed). */
export interface ChannelRecords {
  readonly all: ReadonlyMap<string, EpisodeRecord>;
  newId(): string;
  put(record: EpisodeRecord): EpisodeRecord;
}

interface Pending {
  apply: (records: ChannelRecords) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  channel?: ChannelRef;
  pending: Pending[];
  running: boolean;
}

const MAX_ATTEMPTS = 5;
/** ConfigMaps kept in memory, by count and by bytes; the leader reads the others again when it needs them. */
const MAX_CACHED = 256;
export const DEFAULT_MAX_CACHED_BYTES = 16 * 1024 * 1024;

export interface StoreOptions {
  now?: () => number;
  log: Logger;
  /** Called once per write that reached the API server (for the writes-per-notification metric). */
  onWrite?: () => void;
  /** The bound of the ConfigMaps kept in memory, in bytes (DEFAULT_MAX_CACHED_BYTES). */
  maxCachedBytes?: number;
}

export class ConfigMapEpisodeStore implements EpisodeStore {
  private readonly now: () => number;
  private readonly queues = new Map<string, Queue>();
  /** name → the ConfigMap as last read or written (cm undefined: known not to exist), least recently used dropped first. */
  private readonly cache: LRUCache<string, { cm: StoredConfigMap | undefined }>;
  /** Ids handed out for episodes whose first message is on its way, not stored yet. */
  private readonly reserved = new Set<string>();
  /** Writes that reached the API server, since start. */
  writes = 0;

  constructor(
    private readonly api: EpisodeConfigMaps,
    private readonly opts: StoreOptions,
  ) {
    this.now = opts.now ?? Date.now;
    // One larger than the whole bound is not kept: it is read again when next needed.
    this.cache = new LRUCache({
      max: MAX_CACHED,
      maxSize: opts.maxCachedBytes ?? DEFAULT_MAX_CACHED_BYTES,
      sizeCalculation: ({ cm }) => sizeOf(cm),
    });
  }

  /**
   * Forgets what was read: a replica that leads again must not trust what it read when it last led (the
   * other leader has written since). Called on taking the lead.
   */
  forgetCached(): void {
    this.cache.clear();
  }

  /** Bytes of ConfigMap data kept in memory now. */
  get cacheBytes(): number {
    return this.cache.calculatedSize;
  }

  async get(id: string): Promise<Episode | undefined> {
    const r = await this.getRecord(id);
    if (!r) return undefined;
    const { text: _text, ...episode } = r;
    return episode;
  }

  /** The record (with its text) of an episode id, unless it is unknown or expired. */
  async getRecord(id: string): Promise<EpisodeRecord | undefined> {
    const name = configMapNameOfId(id);
    if (!name) return undefined;
    const cm = await this.load(name);
    const value = cm?.data[id];
    const r = value === undefined ? undefined : decodeRecord(value);
    return r && r.id === id && !isExpired(r, this.now()) ? r : undefined;
  }

  /**
   * Read-modify-write of one episode. `change` returning undefined leaves it as it is; the episode as
   * stored afterwards is returned (undefined when the id is unknown or expired: `change` is not called).
   */
  async update(id: string, change: (e: Episode) => Episode | undefined): Promise<Episode | undefined> {
    const name = configMapNameOfId(id);
    if (!name) return undefined;
    const stored = (await this.commit(name, undefined, (records) => {
      const r = records.all.get(id);
      if (!r) return undefined;
      const { text, ...episode } = r;
      const next = change(structuredClone(episode));
      if (!next) return r;
      // The id, the channel and the group are what the record is: a change cannot move it.
      return records.put({ ...next, id: r.id, channel: r.channel, groupKey: r.groupKey, text });
    })) as EpisodeRecord | undefined;
    if (!stored) return undefined;
    const { text: _text, ...episode } = stored;
    return episode;
  }

  /** The channel's latest episode of a group (not expired), for a notification of that group. */
  async findByGroup(channel: ChannelRef, given: string): Promise<EpisodeRecord | undefined> {
    const groupKey = keptGroupKey(given);
    const cm = await this.load(configMapNameFor(channel.uid));
    let found: EpisodeRecord | undefined;
    for (const value of Object.values(cm?.data ?? {})) {
      const r = decodeRecord(value);
      if (!r || r.groupKey !== groupKey || r.channel.uid !== channel.uid || isExpired(r, this.now())) continue;
      if (!found || r.updatedAt > found.updatedAt) found = r;
    }
    return found;
  }

  /** All of the channel's records (not expired), by id: the members of a shared message are among them. */
  async recordsOf(channel: ChannelRef): Promise<Map<string, EpisodeRecord>> {
    const cm = await this.load(configMapNameFor(channel.uid));
    const out = new Map<string, EpisodeRecord>();
    for (const [key, value] of Object.entries(cm?.data ?? {})) {
      const r = decodeRecord(value);
      if (r && r.id === key && !isExpired(r, this.now())) out.set(key, r);
    }
    return out;
  }

  /**
   * A new episode id for the channel, before its first message goes out (the buttons carry it): not
   * one of the channel's stored ids (as last read) nor one reserved. release() it once stored or given up.
   */
  reserveId(channel: ChannelRef): string {
    const known = this.cache.get(configMapNameFor(channel.uid))?.cm?.data ?? {};
    const id = newEpisodeId(channel.uid, (candidate) => candidate in known || this.reserved.has(candidate));
    this.reserved.add(id);
    return id;
  }

  release(id: string): void {
    this.reserved.delete(id);
  }

  /** Applies `apply` to the channel's records and stores what it put; resolves once stored. */
  write<T>(channel: ChannelRef, apply: (records: ChannelRecords) => T): Promise<T> {
    return this.commit(configMapNameFor(channel.uid), channel, apply) as Promise<T>;
  }

  /** A deleted channel (by its key): its episodes go with it, unless a channel of that name lives again. */
  forgetChannel(namespace: string, name: string, isLive: (channel: ChannelRef) => boolean): Promise<number> {
    const selector =
      name.length <= 63 ? `${LABEL_EPISODES},${LABEL_CHANNEL_NAMESPACE}=${namespace},${LABEL_CHANNEL_NAME}=${name}` : LABEL_EPISODES;
    return this.sweep(isLive, selector);
  }

  /**
   * Deletes the ConfigMaps of channels that no longer exist (deleted while no operator ran, too) and
   * those whose episodes all expired. `isLive` answers whether that channel (namespace, name, uid) exists.
   */
  async sweep(isLive: (channel: ChannelRef) => boolean, selector = LABEL_EPISODES): Promise<number> {
    let deleted = 0;
    for (const cm of await this.api.list(selector)) {
      const first = Object.values(cm.data)
        .map(decodeRecord)
        .find((r) => r !== undefined);
      const channel: ChannelRef | undefined = first?.channel ?? {
        namespace: cm.labels[LABEL_CHANNEL_NAMESPACE] ?? '',
        name: cm.labels[LABEL_CHANNEL_NAME] ?? '',
        uid: cm.labels[LABEL_CHANNEL_UID] ?? '',
      };
      const allExpired = prune(cm.data, this.now()).length === Object.keys(cm.data).length;
      if ((isLive(channel) && !allExpired) || this.queues.has(cm.name)) continue;
      this.cache.delete(cm.name);
      await this.api.delete(cm.name);
      deleted++;
    }
    return deleted;
  }

  private async load(name: string): Promise<StoredConfigMap | undefined> {
    const known = this.cache.get(name);
    if (known) return known.cm;
    const cm = await this.api.get(name);
    this.cache.set(name, { cm });
    return cm;
  }

  private commit(name: string, channel: ChannelRef | undefined, apply: (records: ChannelRecords) => unknown): Promise<unknown> {
    let queue = this.queues.get(name);
    if (!queue) this.queues.set(name, (queue = { pending: [], running: false }));
    if (channel) queue.channel = channel;
    const done = new Promise((resolve, reject) => queue.pending.push({ apply, resolve, reject }));
    if (!queue.running) void this.run(name, queue);
    return done;
  }

  private async run(name: string, queue: Queue): Promise<void> {
    queue.running = true;
    try {
      while (queue.pending.length > 0) {
        const batch = queue.pending.splice(0);
        try {
          const results = await this.writeBatch(name, queue.channel, batch);
          batch.forEach((p, i) => p.resolve(results[i]));
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      queue.running = false;
      this.queues.delete(name);
    }
  }

  private async writeBatch(name: string, channel: ChannelRef | undefined, batch: Pending[]): Promise<unknown[]> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.load(name);
      const data = { ...(current?.data ?? {}) };
      const changes: Record<string, string | null> = {};
      const now = this.now();
      const all = new Map<string, EpisodeRecord>();
      for (const [key, value] of Object.entries(data)) {
        const r = decodeRecord(value);
        if (r && r.id === key && !isExpired(r, now)) all.set(key, r);
      }
      const records: ChannelRecords = {
        all,
        newId: () =>
          newEpisodeId(channel?.uid ?? all.values().next().value?.channel.uid ?? name, (id) => all.has(id) || this.reserved.has(id)),
        put: (given) => {
          // Bounded before it is compared: a notification repeating oversized labels changes nothing.
          const record = { ...given, commonLabels: keptLabels(given.commonLabels), groupKey: keptGroupKey(given.groupKey) };
          const before = all.get(record.id);
          const renew = before !== undefined && now - Date.parse(before.updatedAt) >= RENEW_AFTER_MS;
          if (before && !changedBeyondTime(before, record) && !renew) return before;
          if (!before) {
            // A new episode of a group ends the group's earlier one in this channel: one episode per group.
            // Except one in a shared message: its section stays there, re-rendered when its neighbours change.
            for (const [key, r] of all) {
              if (r.groupKey !== record.groupKey || r.shared) continue;
              all.delete(key);
              delete data[key];
              changes[key] = null;
            }
          }
          const stored = { ...record, updatedAt: new Date(now).toISOString() };
          all.set(record.id, stored);
          data[record.id] = changes[record.id] = encodeRecord(stored);
          return stored;
        },
      };
      const results = batch.map((p) => p.apply(records));
      if (Object.keys(changes).length === 0) return results;
      for (const key of prune(data, now)) {
        changes[key] = null;
        delete data[key];
      }
      try {
        const written = current
          ? await this.api.patch(name, current.resourceVersion, changes)
          : await this.api.create(name, this.labels(channel ?? [...all.values()][0]?.channel), data);
        this.writes++;
        this.opts.onWrite?.();
        this.cache.set(name, { cm: written });
        return results;
      } catch (e) {
        // Someone else wrote first (409), or the ConfigMap went or came meanwhile: read it again and redo.
        const retry = isConflict(e) || isNotFound(e) || toKubeError(e).reason === 'AlreadyExists';
        this.cache.delete(name);
        if (!retry || attempt >= MAX_ATTEMPTS) {
          this.opts.log.warn({ configMap: name, attempt, err: kubeErrorForLog(e) }, 'episode store: write failed');
          throw e;
        }
      }
    }
  }

  private labels(channel: ChannelRef | undefined): Record<string, string> {
    const labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'telegram-channel-operator', [LABEL_EPISODES]: 'true' };
    if (!channel) return labels;
    labels[LABEL_CHANNEL_UID] = channel.uid;
    labels[LABEL_CHANNEL_NAMESPACE] = channel.namespace;
    // A label value holds at most 63 characters; a longer channel name is in the records.
    if (channel.name.length <= 63) labels[LABEL_CHANNEL_NAME] = channel.name;
    return labels;
  }
}

/** What a cached ConfigMap costs: its data's keys and values (the rest is a few fixed fields). */
function sizeOf(cm: StoredConfigMap | undefined): number {
  let bytes = 256;
  for (const [k, v] of Object.entries(cm?.data ?? {})) bytes += k.length + v.length;
  return bytes;
}
