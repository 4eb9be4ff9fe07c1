// Has the owner of a Secret let the operator send it as a silence Bearer token to a URL no allow-list
// names? The answer is the Secret's label telegram.notify.dev/silence-credentials=true, read from its
// metadata alone (the Secret's data is not fetched to answer this). Kept per Secret until the Secret
// watch shows a new resourceVersion (without a watch: for a few seconds), so a reconcile or a press
// costs no API call, and labelling the Secret is seen at once.
import { LABEL_SILENCE_CREDENTIALS } from '../api/contract.js';
import type { SecretFreshness } from '../channel/secrets.js';
import { SecretUnavailable } from '../channel/secrets.js';
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
    let meta: Awaited<ReturnType<SecretMetadataGet>>;
    try {
      meta = await this.get(namespace, name);
    } catch (e) {
      const err = toKubeError(e);
      if (err.code === 403) return { state: 'missing', message: `Secret ${namespace}/${name} cannot be read by the operator (forbidden)` };
      throw new SecretUnavailable(`reading the labels of Secret ${namespace}/${name}: ${err.message}`);
    }
    if (!meta) return { state: 'missing', message: `Secret ${namespace}/${name} not found` };
    const labelled = meta.labels[LABEL_SILENCE_CREDENTIALS] === 'true';
    if (this.cache.size >= MAX_OPT_IN_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { resourceVersion: meta.resourceVersion, labelled, readAt: this.now() });
    return { state: labelled ? 'labelled' : 'notLabelled' };
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
