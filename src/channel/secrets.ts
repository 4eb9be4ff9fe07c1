// Reads the values a channel references, holding the data of referenced Secrets alone.
// When Secrets are watched (metadata only, see controller.ts), a cached Secret is used until the
// watch shows a new resourceVersion, then read again with one live GET. Without a Secret watch
// (WATCH_SECRETS=false: RBAC grants only `get`), a cached Secret is used for a few seconds at most,
// so every reconcile after that (the verify cycle, the resync) reads it again and sees a rotation.
import type * as k8s from '@kubernetes/client-node';
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

interface Entry {
  resourceVersion: string;
  data: Record<string, string>;
  readAt: number;
  lastUsed: number;
}

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

export class SecretReader {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly core: k8s.CoreV1Api,
    private readonly freshness: SecretFreshness,
    private readonly now: () => number = Date.now,
  ) {}

  private isFresh(entry: Entry | undefined, namespace: string, name: string): entry is Entry {
    if (!entry) return false;
    if ('maxAgeMs' in this.freshness) return this.now() - entry.readAt < this.freshness.maxAgeMs;
    const watched = this.freshness.watchedVersion(namespace, name);
    return !!watched && entry.resourceVersion === watched;
  }

  /** Throws SecretUnavailable when the Secret cannot be read now. */
  async read(namespace: string, name: string, key: string): Promise<SecretValue> {
    const cacheKey = `${namespace}/${name}`;
    let entry = this.cache.get(cacheKey);
    if (!this.isFresh(entry, namespace, name)) {
      try {
        const secret = await this.core.readNamespacedSecret({ namespace, name });
        const readAt = this.now();
        entry = { resourceVersion: secret.metadata?.resourceVersion ?? '', data: secret.data ?? {}, readAt, lastUsed: readAt };
        this.cache.set(cacheKey, entry);
      } catch (e) {
        const err = toKubeError(e);
        this.cache.delete(cacheKey);
        if (err.code === 404) return { ok: false, reason: 'SecretNotFound', message: `Secret ${namespace}/${name} not found` };
        if (err.code === 403)
          return {
            ok: false,
            reason: 'SecretNotFound',
            message: `Secret ${namespace}/${name} cannot be read by the operator (forbidden): check its RBAC`,
          };
        throw new SecretUnavailable(`reading Secret ${namespace}/${name}: ${err.message}`);
      }
    }
    entry.lastUsed = this.now();
    const b64 = entry.data[key];
    if (b64 === undefined) {
      // A count, never the names: key names can say what a Secret holds, and this message is public.
      const others = Object.keys(entry.data).length;
      const contents = others ? `it has ${others} other key${others === 1 ? '' : 's'}` : 'it is empty';
      return { ok: false, reason: 'SecretKeyNotFound', message: `Secret ${namespace}/${name} has no key "${key}" (${contents})` };
    }
    return { ok: true, value: Buffer.from(b64, 'base64').toString('utf8') };
  }

  /** Drops Secrets no channel references any more, so their data leaves memory. */
  retainOnly(referenced: Set<string>): void {
    for (const key of this.cache.keys()) if (!referenced.has(key)) this.cache.delete(key);
  }

  /** The reader prunes its own cache (it holds the decrypted data), every intervalMs, to what `referenced` names. */
  pruneEvery(intervalMs: number, referenced: () => Set<string>): void {
    setInterval(() => this.retainOnly(referenced()), intervalMs).unref();
  }
}
