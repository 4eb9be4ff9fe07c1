// Has the owner of a Secret let the operator send it as a silence Bearer token to a URL no allow-list
// names? The answer is the Secret's label telegram.notify.dev/silence-credentials=true, read from its
// metadata alone (the Secret's data is not fetched to answer this). Kept per Secret until the Secret
// watch shows a new resourceVersion (without a watch: for a few seconds), so a reconcile or a press
// costs no API call, and labelling the Secret is seen at once. A missing Secret is remembered as the
// Secret reader remembers it (until the watch sees it, at most a few seconds), and concurrent checks
// of one Secret share one GET.
import { LABEL_SILENCE_CREDENTIALS } from '../api/contract.js';
import type { SecretFreshness } from '../credentials/secrets.js';
import { MISSING_SECRET_TTL_MS, SecretUnavailable } from '../credentials/secrets.js';
import type * as k8s from '@kubernetes/client-node';
import { toKubeError } from '../kube/errors.js';
import { getMetadata } from '../kube/metadataOnly.js';

export type OptIn = { state: 'labelled' | 'notLabelled' } | { state: 'missing'; message: string };

/** One Secret's metadata: undefined when it does not exist; throws with `code` otherwise. */
export type SecretMetadataGet = (
  namespace: string,
  name: string,
) => Promise<{ resourceVersion: string; labels: Record<string, string> } | undefined>;

/** Entries are a few dozen bytes; this many caps the map at well under a megabyte whatever channels name. */
export const MAX_OPT_IN_ENTRIES = 10_000;

interface Entry {
  resourceVersion: string;
  labelled: boolean;
  readAt: number;
}

export class CredentialsOptIn {
  private readonly cache = new Map<string, Entry>();
  private readonly missing = new Map<string, { message: string; readAt: number }>();
  private readonly inFlight = new Map<string, Promise<OptIn>>();

  constructor(
    private readonly get: SecretMetadataGet,
    private readonly freshness: SecretFreshness,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws SecretUnavailable when the Secret's metadata cannot be read now (retried). */
  async check(namespace: string, name: string): Promise<OptIn> {
    const key = `${namespace}/${name}`;
    const cached = this.cache.get(key);
    if (cached && this.isFresh(cached, namespace, name)) return { state: cached.labelled ? 'labelled' : 'notLabelled' };
    this.cache.delete(key);
    const gone = this.missing.get(key);
    const appeared = 'watchedVersion' in this.freshness && this.freshness.watchedVersion(namespace, name) !== undefined;
    if (gone && !appeared && this.now() - gone.readAt < MISSING_SECRET_TTL_MS) return { state: 'missing', message: gone.message };
    this.missing.delete(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const read = this.read(namespace, name, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, read);
    return read;
  }

  private async read(namespace: string, name: string, key: string): Promise<OptIn> {
    let meta: Awaited<ReturnType<SecretMetadataGet>>;
    try {
      meta = await this.get(namespace, name);
    } catch (e) {
      const err = toKubeError(e);
      if (err.code === 403) return this.remember(key, `Secret ${namespace}/${name} cannot be read by the operator (forbidden)`);
      throw new SecretUnavailable(`reading the labels of Secret ${namespace}/${name}: ${err.message}`);
    }
    if (!meta) return this.remember(key, `Secret ${namespace}/${name} not found`);
    const labelled = meta.labels[LABEL_SILENCE_CREDENTIALS] === 'true';
    if (this.cache.size >= MAX_OPT_IN_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { resourceVersion: meta.resourceVersion, labelled, readAt: this.now() });
    return { state: labelled ? 'labelled' : 'notLabelled' };
  }

  private remember(key: string, message: string): OptIn {
    if (this.missing.size >= MAX_OPT_IN_ENTRIES) this.missing.delete(this.missing.keys().next().value!);
    this.missing.set(key, { message, readAt: this.now() });
    return { state: 'missing', message };
  }

  private isFresh(e: Entry, namespace: string, name: string): boolean {
    if ('maxAgeMs' in this.freshness) return this.now() - e.readAt < this.freshness.maxAgeMs;
    return this.freshness.watchedVersion(namespace, name) === e.resourceVersion;
  }
}

/** The operator's opt-in check: metadata-only GETs through `kc`, kept as `freshness` says. */
export function credentialsOptIn(kc: k8s.KubeConfig, freshness: SecretFreshness): (namespace: string, name: string) => Promise<OptIn> {
  const path = (ns: string, name: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(name)}`;
  const reader = new CredentialsOptIn((ns, name) => getMetadata(kc, path(ns, name)), freshness);
  return (ns, name) => reader.check(ns, name);
}
