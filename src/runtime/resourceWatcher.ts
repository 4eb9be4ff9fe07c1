// A list-then-watch loop with a cache, built on client-node's Watch rather than its informer:
// the informer stops for good on most errors (client-node's src/cache.ts doneHandler), while this loop never
// stops until asked. It resumes from the last resourceVersion after a dropped connection or an
// apiserver restart, relists after 410 Gone, backs off with jitter, and re-announces every cached
// object on a resync period as a safety net for anything a watch could have missed.
import * as k8s from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../observability/log.js';
import { kubeErrorForLog, toKubeError } from '../kube/errors.js';
import { withAccept } from '../kube/metadataOnly.js';
import type { KubeObject, ListResult } from '../kube/objects.js';

export interface WatchHandlers<T> {
  /** A new object, a changed one, or (on resync) an unchanged one: handlers must be idempotent. */
  upsert(obj: T, previous: T | undefined): void;
  deleted(obj: T): void;
}

/** Opens one watch request (client-node's Watch.watch); resolves once connected, with a way to end it. */
export type WatchSource = (
  path: string,
  params: { resourceVersion: string; allowWatchBookmarks: boolean; timeoutSeconds: number },
  onEvent: (type: string, obj: unknown) => void,
  onDone: (err?: unknown) => void,
) => Promise<{ abort(): void }>;

/** What the loop needs from the outside world besides the API server; tests pass fakes (fake clock, scripted watch). */
export interface WatcherSeams {
  watch?: WatchSource;
  /** Waits ms, or less if the signal aborts (stop()). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Jitter source, in [0, 1). */
  random?: () => number;
}

export interface WatcherOptions<T> extends WatcherSeams {
  /** Watch path, e.g. /apis/telegram.notify.dev/v1alpha1/namespaces/ns/telegramchannels. */
  path: string;
  list: () => Promise<ListResult<unknown>>;
  /** Shapes what is kept in memory (e.g. Secrets keep metadata only, never data). */
  keep: (raw: unknown) => T;
  /**
   * What the cache keeps of each object, when less than `keep` gives the handlers (Events: their names and
   * versions only, the relay holds the rest it needs). The cache then hands this back as `previous`, on
   * a relist's deletions and on resync, so a watcher with `retain` should not resync.
   */
  retain?: (obj: T) => T;
  /** Accept header of the watch request, e.g. metadata only (src/kube/metadataOnly.ts); JSON objects by default. */
  accept?: string;
  /** What to do about a 403, added to the log line (RBAC is the usual cause of a watch that never syncs). */
  forbiddenHint?: string;
  resyncMs?: number;
  log: Logger;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class ResourceWatcher<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private stopped = true;
  private synced = false;
  private current: { abort(): void } | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** Aborted by stop(): ends a backoff wait at once. */
  private halt = new AbortController();
  private readonly watchSource: WatchSource;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(
    kc: k8s.KubeConfig,
    private readonly handlers: WatchHandlers<T>,
    private readonly opts: WatcherOptions<T>,
  ) {
    const watch = new k8s.Watch(opts.accept ? withAccept(kc, opts.accept) : kc);
    this.watchSource = opts.watch ?? ((path, params, onEvent, onDone) => watch.watch(path, params, onEvent, onDone));
    this.sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halt = new AbortController();
    void this.loop();
    if (this.opts.resyncMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
      this.resyncTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    this.current?.abort();
    this.halt.abort();
  }

  /** True once the first list has filled the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  private resync(): void {
    for (const obj of this.cache.values()) this.handlers.upsert(obj, obj);
  }

  private async loop(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        const progressed = await this.watchOnce();
        if (progressed) backoff = MIN_BACKOFF_MS;
      } catch (e) {
        if (this.stopped) break;
        const err = toKubeError(e);
        if (err.code === 410) {
          this.opts.log.info({ path: this.opts.path }, 'watch expired (410 Gone); relisting');
          this.resourceVersion = '';
          continue;
        }
        if ((e as { name?: string }).name === 'TimeoutError') continue; // quiet watch: resume at once
        // 429 "storage is (re)initializing" right after a CRD is installed is expected and brief.
        const hint = err.code === 403 ? this.opts.forbiddenHint : undefined;
        const fields = { path: this.opts.path, code: err.code, err: kubeErrorForLog(e), hint, retryInMs: backoff };
        this.opts.log[err.code === 429 ? 'info' : 'warn'](fields, 'watch failed; retrying');
        await this.sleep(backoff * (0.8 + this.random() * 0.4), this.halt.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async relist(): Promise<void> {
    const result = await this.opts.list();
    const seen = new Set<string>();
    for (const raw of result.items) {
      const obj = this.opts.keep(raw);
      const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
      seen.add(key);
      const previous = this.cache.get(key);
      this.cache.set(key, this.opts.retain ? this.opts.retain(obj) : obj);
      if (!previous || previous.metadata.resourceVersion !== obj.metadata.resourceVersion) this.handlers.upsert(obj, previous);
    }
    for (const [key, obj] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.handlers.deleted(obj);
      }
    }
    this.resourceVersion = result.resourceVersion;
    this.synced = true;
  }

  /** Resolves when the server or the inactivity timer ends the watch; true if any event arrived. */
  private watchOnce(): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let progressed = false;
      const onEvent = (type: string, raw: unknown) => {
        progressed = true;
        const meta = (raw as KubeObject | undefined)?.metadata;
        if (type === 'BOOKMARK') {
          if (meta?.resourceVersion) this.resourceVersion = meta.resourceVersion;
          return;
        }
        if (type === 'ERROR') {
          const status = raw as { code?: number; message?: string };
          if (status.code === 410) this.resourceVersion = '';
          this.current?.abort();
          reject(Object.assign(new Error(status.message ?? 'watch error'), { code: status.code }));
          return;
        }
        const obj = this.opts.keep(raw);
        const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
        if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
        if (type === 'DELETED') {
          this.cache.delete(key);
          this.handlers.deleted(obj);
        } else {
          const previous = this.cache.get(key);
          this.cache.set(key, this.opts.retain ? this.opts.retain(obj) : obj);
          this.handlers.upsert(obj, previous);
        }
      };
      const onDone = (err: unknown) => {
        if (!err) resolve(progressed);
        else reject(err instanceof Error ? err : new Error('the watch ended with an error', { cause: err }));
      };
      this.watchSource(
        this.opts.path,
        // The server ends a watch after timeoutSeconds; jitter keeps many replicas from reconnecting together.
        { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 240 + Math.floor(this.random() * 60) },
        onEvent,
        onDone,
      ).then((controller) => {
        this.current = controller;
        if (this.stopped) controller.abort();
      }, reject);
    });
  }
}
