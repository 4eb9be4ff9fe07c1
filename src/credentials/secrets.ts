// Reads the values a channel references, holding only the referenced keys of referenced Secrets.
// When Secrets are watched (metadata only, see controller/watches.ts), a cached Secret is used until the
// watch shows a new resourceVersion, then read again with one live GET. Without a Secret watch
// (WATCH_SECRETS=false: RBAC grants only `get`), a cached Secret is used for a few seconds at most,
// so every reconcile after that (the verify cycle, the resync) reads it again and sees a rotation.
//
// Memory and API calls stay bounded whoever writes the Secrets and whoever sends requests:
// - only the keys asked for are kept, decoded, never the rest of the Secret (a referenced Secret may
//   hold megabytes in other keys); the kept values are bounded in bytes, the least recently used out first;
// - a Secret that does not exist (or may not be read) is remembered as such for a few seconds, so a
//   stream of requests naming it costs one GET per few seconds, not one each;
// - concurrent reads of one Secret share one GET, and a few GETs run at once (each answer is a whole Secret).
import type * as k8s from '@kubernetes/client-node';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { toKubeError } from '../kube/errors.js';

/** A Secret's value, or why there is none that a user must fix (the Secret or its key is missing). */
export type SecretValue = { ok: true; value: string } | { ok: false; reason: 'SecretNotFound' | 'SecretKeyNotFound'; message: string };

/**
 * The Secret could not be read for a passing reason (the apiserver is busy or unreachable): thrown,
 * not returned, because nobody has to fix anything. A reconcile fails and is retried with backoff;
 * the webhook asks Alertmanager to retry.
 */
export class SecretUnavailable extends Error {
  override readonly name = 'SecretUnavailable';
}

/** What is kept of one Secret: the keys asked for (null: the Secret has no such key), never the others. */
interface Entry {
  resourceVersion: string;
  values: Map<string, string | null>;
  /** How many keys the Secret had, for the "has N other keys" message. */
  keyCount: number;
  bytes: number;
  readAt: number;
}

/** A Secret that was not there (404) or may not be read (403), remembered briefly. */
interface Missing {
  message: string;
  readAt: number;
}

type Fetched = { data: Record<string, string>; resourceVersion: string } | Missing;

export type SecretFreshness =
  /** The watched resourceVersion of a Secret, when the Secret watch has seen it. */
  | { watchedVersion: (namespace: string, name: string) => string | undefined }
  /**
   * No Secret watch: a Secret read less than this long ago is used as is. It spares the apiserver a
   * GET per alert in a burst while keeping what a reconcile sees at most this old.
   */
  | { maxAgeMs: number };

/** Without a watch, how long a read Secret is reused (one GET per Secret per 5 s at most). */
export const UNWATCHED_SECRET_MAX_AGE_MS = 5_000;
/**
 * How long a Secret found missing is believed missing. Short: a user who creates it after the
 * channel waits at most this long (with a Secret watch, its creation ends the wait at once).
 */
export const MISSING_SECRET_TTL_MS = 3_000;
/**
 * The kept values of all Secrets, in bytes. Tokens and chat ids are tens of bytes: 4 MiB keeps
 * tens of thousands of them; beyond it the least recently used are read again when next needed.
 */
export const DEFAULT_SECRET_CACHE_BYTES = 4 * 1024 * 1024;
/**
 * Secret GETs in flight at once. Each answer is a whole Secret (up to 1 MiB, several times that while
 * it is parsed and decoded), so this bounds that passing memory when many channels start at once.
 */
export const MAX_CONCURRENT_GETS = 4;
/** What an entry costs beyond its keys and values (the map, the version, the numbers), counted in the bound. */
const ENTRY_OVERHEAD_BYTES = 256;
/** Secrets remembered as missing, at most (each a short message). */
const MAX_MISSING = 4_096;

export interface SecretReaderOptions {
  now?: () => number;
  /** The byte bound of the kept values (DEFAULT_SECRET_CACHE_BYTES). */
  maxBytes?: number;
}

export class SecretReader {
  /** namespace/name → what is kept, least recently used dropped first once the values' bytes pass the bound. */
  private readonly cache: LRUCache<string, Entry>;
  private readonly missing = new LRUCache<string, Missing>({ max: MAX_MISSING });
  private readonly inFlight = new Map<string, Promise<Fetched>>();
  /** At most MAX_CONCURRENT_GETS reads in flight; the others wait their turn in order. */
  private readonly limited = pLimit(MAX_CONCURRENT_GETS);
  private readonly now: () => number;

  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly freshness: SecretFreshness,
    opts: SecretReaderOptions | (() => number) = {},
  ) {
    if (typeof opts === 'function') opts = { now: opts };
    this.now = opts.now ?? Date.now;
    // An entry larger than the whole bound is not kept (its value is still answered).
    this.cache = new LRUCache({ maxSize: opts.maxBytes ?? DEFAULT_SECRET_CACHE_BYTES, sizeCalculation: (e) => e.bytes });
  }

  /** Bytes of values kept now (for tests and the bound). */
  get cachedBytes(): number {
    return this.cache.calculatedSize;
  }

  private isFresh(readAt: number, resourceVersion: string | undefined, namespace: string, name: string): boolean {
    if ('maxAgeMs' in this.freshness) return this.now() - readAt < this.freshness.maxAgeMs;
    const watched = this.freshness.watchedVersion(namespace, name);
    // A missing Secret has no version: fresh until the watch sees one appear, for a few seconds at most.
    if (resourceVersion === undefined) return watched === undefined;
    return !!watched && resourceVersion === watched;
  }

  /** Throws SecretUnavailable when the Secret cannot be read now. */
  async read(namespace: string, name: string, key: string): Promise<SecretValue> {
    const cacheKey = `${namespace}/${name}`;
    const entry = this.cache.get(cacheKey);
    if (entry && entry.values.has(key) && this.isFresh(entry.readAt, entry.resourceVersion, namespace, name)) {
      return this.answer(namespace, name, key, entry.values.get(key)!, entry.keyCount);
    }
    const gone = this.missing.get(cacheKey);
    if (gone && this.now() - gone.readAt < MISSING_SECRET_TTL_MS && this.isFresh(gone.readAt, undefined, namespace, name)) {
      return { ok: false, reason: 'SecretNotFound', message: gone.message };
    }
    const fetched = await this.fetch(namespace, name);
    if (!('data' in fetched)) return { ok: false, reason: 'SecretNotFound', message: fetched.message };
    const b64 = fetched.data[key];
    const value = b64 === undefined ? null : Buffer.from(b64, 'base64').toString('utf8');
    this.keep(cacheKey, fetched, key, value);
    return this.answer(namespace, name, key, value, Object.keys(fetched.data).length);
  }

  private answer(namespace: string, name: string, key: string, value: string | null, keyCount: number): SecretValue {
    if (value !== null) return { ok: true, value };
    // A count, never the names: key names can say what a Secret holds, and this message is public.
    const contents = keyCount ? `it has ${keyCount} other key${keyCount === 1 ? '' : 's'}` : 'it is empty';
    return { ok: false, reason: 'SecretKeyNotFound', message: `Secret ${namespace}/${name} has no key "${key}" (${contents})` };
  }

  /** One GET per Secret at a time: concurrent readers share it. The whole Secret lives only until they picked their key. */
  private fetch(namespace: string, name: string): Promise<Fetched> {
    const cacheKey = `${namespace}/${name}`;
    let pending = this.inFlight.get(cacheKey);
    if (!pending) {
      pending = this.get(namespace, name).finally(() => this.inFlight.delete(cacheKey));
      this.inFlight.set(cacheKey, pending);
    }
    return pending;
  }

  private async get(namespace: string, name: string): Promise<Fetched> {
    const cacheKey = `${namespace}/${name}`;
    try {
      const secret = await this.limited(() => this.core.readNamespacedSecret({ namespace, name }));
      this.missing.delete(cacheKey);
      return { data: secret.data ?? {}, resourceVersion: secret.metadata?.resourceVersion ?? '' };
    } catch (e) {
      const err = toKubeError(e);
      this.cache.delete(cacheKey);
      if (err.code !== 404 && err.code !== 403) throw new SecretUnavailable(`reading Secret ${namespace}/${name}: ${err.message}`);
      const message =
        err.code === 404
          ? `Secret ${namespace}/${name} not found`
          : `Secret ${namespace}/${name} cannot be read by the operator (forbidden): check its RBAC`;
      const gone = { message, readAt: this.now() };
      this.missing.set(cacheKey, gone);
      return gone;
    }
  }

  /** Keeps one key's value from a fresh read, with the others already kept if the Secret did not change. */
  private keep(
    cacheKey: string,
    fetched: { data: Record<string, string>; resourceVersion: string },
    key: string,
    value: string | null,
  ): void {
    const old = this.cache.get(cacheKey);
    const values = old?.resourceVersion === fetched.resourceVersion ? new Map(old.values) : new Map<string, string | null>();
    values.set(key, value);
    let bytes = ENTRY_OVERHEAD_BYTES;
    for (const [k, v] of values) bytes += k.length + (v?.length ?? 0);
    const keyCount = Object.keys(fetched.data).length;
    this.cache.set(cacheKey, { resourceVersion: fetched.resourceVersion, values, keyCount, bytes, readAt: this.now() });
  }

  /** Drops Secrets no channel references any more, so their data leaves memory. */
  retainOnly(referenced: Set<string>): void {
    for (const key of [...this.cache.keys()]) if (!referenced.has(key)) this.cache.delete(key);
    for (const key of [...this.missing.keys()]) if (!referenced.has(key)) this.missing.delete(key);
  }

  /** The reader prunes its own cache (it holds the decrypted data), every intervalMs, to what `referenced` names. */
  pruneEvery(intervalMs: number, referenced: () => Set<string>): void {
    setInterval(() => this.retainOnly(referenced()), intervalMs).unref();
  }
}
