// Reads the values a channel references. Secrets are watched as metadata only (see main.ts), so
// the operator holds the data of referenced Secrets alone, keyed by resourceVersion: a rotated
// Secret has a new resourceVersion and is read again with one live GET.
import type * as k8s from '@kubernetes/client-node';
import { toKubeError } from '../kube/errors.js';

export type SecretValue =
  | { ok: true; value: string }
  | { ok: false; reason: 'SecretNotFound' | 'SecretKeyNotFound'; message: string }
  | { ok: false; reason: 'TransientError'; message: string };

interface Entry {
  resourceVersion: string;
  data: Record<string, string>;
  lastUsed: number;
}

export class SecretReader {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly core: k8s.CoreV1Api,
    /** The watched resourceVersion of a Secret, when the watch has seen it. */
    private readonly watchedVersion: (namespace: string, name: string) => string | undefined,
  ) {}

  async read(namespace: string, name: string, key: string): Promise<SecretValue> {
    const cacheKey = `${namespace}/${name}`;
    let entry = this.cache.get(cacheKey);
    const watched = this.watchedVersion(namespace, name);
    if (!entry || !watched || entry.resourceVersion !== watched) {
      try {
        const secret = await this.core.readNamespacedSecret({ namespace, name });
        entry = { resourceVersion: secret.metadata?.resourceVersion ?? '', data: secret.data ?? {}, lastUsed: Date.now() };
        this.cache.set(cacheKey, entry);
      } catch (e) {
        const err = toKubeError(e);
        this.cache.delete(cacheKey);
        if (err.code === 404) return { ok: false, reason: 'SecretNotFound', message: `Secret ${namespace}/${name} not found` };
        if (err.code === 403) return { ok: false, reason: 'SecretNotFound', message: `Secret ${namespace}/${name} cannot be read by the operator (forbidden): check its RBAC` };
        return { ok: false, reason: 'TransientError', message: `reading Secret ${namespace}/${name}: ${err.message}` };
      }
    }
    entry.lastUsed = Date.now();
    const b64 = entry.data[key];
    if (b64 === undefined) {
      // A count, never the names: key names can say what a Secret holds, and this message is public.
      const others = Object.keys(entry.data).length;
      return {
        ok: false,
        reason: 'SecretKeyNotFound',
        message: `Secret ${namespace}/${name} has no key "${key}" (${others ? `it has ${others} other key${others === 1 ? '' : 's'}` : 'it is empty'})`,
      };
    }
    return { ok: true, value: Buffer.from(b64, 'base64').toString('utf8') };
  }

  /** Drops Secrets no channel references any more, so their data leaves memory. */
  retainOnly(referenced: Set<string>): void {
    for (const key of this.cache.keys()) if (!referenced.has(key)) this.cache.delete(key);
  }
}
