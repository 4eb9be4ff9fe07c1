// A keyed work queue in the manner of client-go's workqueue: it holds keys, not objects; a key is
// queued at most once; one reconcile per key is in flight at a time (a key added while it is being
// processed runs again right after); failures come back with per-key exponential backoff; delayed
// requeues keep only the earliest due time. Nothing ever sleeps inside a reconcile.

import { Waiters } from './waiters.js';

export interface ReconcileResult {
  /** Run again after this many milliseconds (e.g. the verification interval). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void>;

export interface QueueOptions {
  concurrency: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called when a reconcile throws; the key is retried with backoff either way. */
  onError?: (key: string, err: unknown, retryInMs: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private active = 0;
  private shuttingDown = false;
  /** A paused queue collects keys but starts no reconcile (a follower waiting for the Lease). */
  private paused = false;
  private idleWaiters: (() => void)[] = [];
  /** waitIdle: woken when the last reconcile ends with nothing queued (no polling). */
  private readonly emptyWaiters = new Waiters();

  constructor(
    private readonly reconcile: Reconciler,
    private readonly opts: QueueOptions,
  ) {}

  add(key: string): void {
    if (this.shuttingDown) return;
    this.cancelTimer(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Like add, but ahead of everything queued: for short work that others wait on (recording a send). */
  addFirst(key: string): void {
    if (this.shuttingDown) return;
    this.cancelTimer(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) this.queue.splice(this.queue.indexOf(key), 1);
    this.queued.add(key);
    this.queue.unshift(key);
    this.pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const due = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.due <= due) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { due, timer });
  }

  /** Drops a key's pending work and backoff (e.g. the object was deleted). */
  forget(key: string): void {
    this.cancelTimer(key);
    this.failures.delete(key);
  }

  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.active;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Resolves once no key is queued or being reconciled (delayed requeues don't count), or on timeout. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve(true);
    return this.emptyWaiters.wait(timeoutMs);
  }

  /** Stops taking new work and resolves once reconciles in flight have finished. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    if (this.active === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private cancelTimer(key: string): void {
    const t = this.timers.get(key);
    if (t) {
      clearTimeout(t.timer);
      this.timers.delete(key);
    }
  }

  private backoff(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const base = this.opts.baseDelayMs ?? 750;
    const max = this.opts.maxDelayMs ?? 5 * 60_000;
    const delay = Math.min(base * 2 ** (n - 1), max);
    return Math.round(delay * (0.9 + Math.random() * 0.2));
  }

  private pump(): void {
    while (!this.paused && this.active < this.opts.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    let requeueAfterMs: number | undefined;
    let failed = false;
    try {
      const result = await this.reconcile(key);
      requeueAfterMs = result?.requeueAfterMs;
      this.failures.delete(key);
    } catch (err) {
      failed = true;
      const delay = this.backoff(key);
      this.opts.onError?.(key, err, delay);
      requeueAfterMs = delay;
    } finally {
      this.processing.delete(key);
      this.active--;
    }
    if (this.dirty.delete(key) && !failed) this.add(key);
    else if (requeueAfterMs !== undefined) this.addAfter(key, requeueAfterMs);
    if (this.active === 0 && this.shuttingDown) this.idleWaiters.splice(0).forEach((r) => r());
    this.pump();
    if (this.active === 0 && this.queue.length === 0) this.emptyWaiters.wakeAll();
  }

  /** Retry count of a key (0 after a success): lets a reconcile tell a first failure from a repeat. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
