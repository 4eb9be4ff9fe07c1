// Kubernetes helpers for the benchmarks: clients from an explicit kubeconfig (never the shared
// .dev cluster by accident), bulk creation with bounded concurrency, and a watch on
// TelegramChannels that counts every write the operator makes (each status patch is one MODIFIED).
import * as k8s from '@kubernetes/client-node';
import { CHANNELS as G, CHANNEL_TYPE } from '../../test/harness/resources.js';
import { resumingWatch, type ResumingWatch } from './resumingWatch.js';

export interface Clients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
}

/**
 * client-node 2.x builds a new undici Agent — a new TLS connection with a client-certificate
 * handshake — for every API call (KubeConfig.applySecurityAuthentication → createDispatcher).
 * The driver reuses one, so its own PATCHes and creates are not slowed by that (see
 * bench/probes/kube-client-dispatcher.ts); the operator is measured as it is.
 */
export function reuseDispatcher(kc: k8s.KubeConfig): k8s.KubeConfig {
  const target = kc as unknown as { createDispatcher: (cluster: unknown, opts: unknown) => unknown };
  const create = target.createDispatcher.bind(kc);
  let cached: unknown;
  target.createDispatcher = (cluster, opts) => (cached ??= create(cluster, opts));
  return kc;
}

export function clientsFor(kubeconfig: string): Clients {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  reuseDispatcher(kc);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi) };
}

export async function ensureNamespace(c: Clients, name: string): Promise<void> {
  try {
    await c.core.createNamespace({ body: { metadata: { name } } });
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e;
  }
}

/**
 * Deletes every TelegramChannel in the cluster and waits until none is left: a scenario's channels
 * would otherwise stay, and the next scenario's operator (cluster-wide ones watch every namespace)
 * would verify them too and count their calls and writes as its own.
 */
export async function deleteAllChannels(c: Clients, timeoutMs = 120_000): Promise<void> {
  const list = async () => ((await c.custom.listClusterCustomObject({ ...G })) as { items: { metadata: { namespace: string } }[] }).items;
  const namespaces = new Set((await list()).map((ch) => ch.metadata.namespace));
  for (const namespace of namespaces) await c.custom.deleteCollectionNamespacedCustomObject({ ...G, namespace });
  const until = Date.now() + timeoutMs;
  while ((await list()).length > 0) {
    if (Date.now() > until) throw new Error(`TelegramChannels still present ${timeoutMs} ms after their deletion`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; retries a call up to 5 times. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      for (let attempt = 0; ; attempt++) {
        try {
          await fn(items[i]!, i);
          break;
        } catch (e) {
          const code = (e as { code?: number }).code;
          if (code === 409 || attempt >= 4) {
            if (code === 409) break;
            throw e;
          }
          await sleep(200 * 2 ** attempt);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function createSecret(c: Clients, namespace: string, name: string, data: Record<string, string>): Promise<void> {
  await c.core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: data } });
}

export interface ChannelDoc {
  name: string;
  spec: Record<string, unknown>;
}

/** Creates TelegramChannels in parallel (client-node, `concurrency` requests in flight). */
export async function createChannels(c: Clients, namespace: string, docs: ChannelDoc[], concurrency = 32): Promise<number> {
  const started = Date.now();
  await pool(docs, concurrency, (d) =>
    c.custom.createNamespacedCustomObject({
      ...G,
      namespace,
      body: { ...CHANNEL_TYPE, metadata: { name: d.name }, spec: d.spec },
    }),
  );
  return Date.now() - started;
}

export async function annotate(c: Clients, namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
  await c.custom.patchNamespacedCustomObject(
    { ...G, namespace, name, body: { metadata: { annotations } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

/** Counts items of a list without holding them all: pages of 500. */
export async function countEvents(c: Clients, namespace: string): Promise<{ total: number; byReason: Record<string, number> }> {
  let cont: string | undefined;
  let total = 0;
  const byReason: Record<string, number> = {};
  do {
    const page = await c.core.listNamespacedEvent({ namespace, limit: 500, _continue: cont });
    for (const e of page.items) {
      total++;
      const r = e.reason ?? '';
      byReason[r] = (byReason[r] ?? 0) + 1;
    }
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return { total, byReason };
}

interface WatchedChannel {
  metadata: { name: string; namespace?: string; generation?: number; resourceVersion?: string };
  status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
}

/**
 * A watch on the namespace's TelegramChannels started after the objects exist: every MODIFIED event
 * is a write by someone (the benchmark's own annotation patches are counted apart by the caller).
 */
export class ChannelWatch {
  /** Arrival time (ms) of every MODIFIED event. */
  readonly modifiedAt: number[] = [];
  readonly modifiedPerName = new Map<string, number>();
  private readonly ready = new Set<string>();
  private watch: ResumingWatch | undefined;
  private waiters: { n: number; resolve: (t: number) => void }[] = [];

  /**
   * `namespace` undefined: the TelegramChannels of every namespace whose name starts with `prefix` (a
   * scenario's own namespaces: an earlier scenario's channels may still be there, being deleted).
   */
  constructor(
    private readonly c: Clients,
    private readonly namespace: string | undefined,
    private readonly prefix = '',
  ) {}

  async start(): Promise<void> {
    const l = (
      this.namespace
        ? await this.c.custom.listNamespacedCustomObject({ ...G, namespace: this.namespace, limit: 1 })
        : await this.c.custom.listClusterCustomObject({ ...G, limit: 1 })
    ) as { metadata: { resourceVersion: string } };
    const scope = this.namespace ? `namespaces/${this.namespace}/` : '';
    this.watch = await resumingWatch(
      this.c.kc,
      `/apis/${G.group}/${G.version}/${scope}${G.plural}`,
      { resourceVersion: l.metadata.resourceVersion, timeoutSeconds: 3600 },
      (type, obj: WatchedChannel) => this.onEvent(type, obj),
    );
  }

  /** How many times the watch ended and was started again. */
  get restarts(): number {
    return this.watch?.restarts ?? 0;
  }

  get readyCount(): number {
    return this.ready.size;
  }

  /** Resolves with the time at which `n` channels were Ready (for their current generation). */
  waitReady(n: number, timeoutMs: number): Promise<number> {
    if (this.ready.size >= n) return Promise.resolve(Date.now());
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`only ${this.ready.size} of ${n} channels Ready after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        n,
        resolve: (at) => {
          clearTimeout(t);
          resolve(at);
        },
      });
    });
  }

  modifiedBetween(from: number, to: number): number {
    return this.modifiedAt.filter((t) => t >= from && t < to).length;
  }

  stop(): void {
    this.watch?.stop();
  }

  private onEvent(type: string, obj: WatchedChannel): void {
    if (type === 'BOOKMARK' || type === 'ERROR') return;
    if (!obj.metadata.namespace?.startsWith(this.prefix)) return;
    // Namespace and name: one scenario's channels of the same name in two namespaces are two channels.
    const name = `${obj.metadata.namespace}/${obj.metadata.name}`;
    if (type === 'MODIFIED') {
      this.modifiedAt.push(Date.now());
      this.modifiedPerName.set(name, (this.modifiedPerName.get(name) ?? 0) + 1);
    }
    if (type === 'DELETED') {
      this.ready.delete(name);
      return;
    }
    const r = obj.status?.conditions?.find((c) => c.type === 'Ready');
    if (r?.status === 'True' && r.observedGeneration === obj.metadata.generation) this.ready.add(name);
    else this.ready.delete(name);
    if (this.waiters.length) {
      const now = Date.now();
      this.waiters = this.waiters.filter((w) => {
        if (this.ready.size < w.n) return true;
        w.resolve(now);
        return false;
      });
    }
  }
}
