// A keyed work queue in the manner of client-go's workqueue: it holds keys, not objects; a key is
// queued at most once; one reconcile per key is in flight at a time (a key added while it is being
// processed runs again right after); failures come back with per-key exponential backoff; delayed
// requeues keep only the earliest due time. Nothing ever sleeps inside a reconcile. A reconcile that
// outlives its deadline is abandoned: its worker takes the next key at once (so a few hung
// reconciles cannot stop all the others), its signal aborts, and the key is retried with backoff
// once the abandoned run has settled (one run per key, still). The reconcilers do not take the signal
// yet: an abandoned run ends when its own calls reach their deadlines (net/outbound.ts), all bounded.

import { Waiters } from '../async/waiters.js';

export interface ReconcileResult {
  /** Run again after this many milliseconds (e.g. the verification interval). */
  requeueAfterMs?: number;
}

/** `signal` aborts when the reconcile overran its deadline and was abandoned. */
export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>;

/** What a reconcile that overran its deadline is failed with. */
export class ReconcileDeadlineExceeded extends Error {
  override readonly name = 'ReconcileDeadlineExceeded';
  constructor(readonly deadlineMs: number) {
    super(`the reconcile took longer than ${deadlineMs} ms and was abandoned`);
  }
}

export interface QueueOptions {
  concurrency: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called when a reconcile throws or overruns its deadline; the key is retried with backoff either way. */
  onError?: (key: string, err: unknown, retryInMs: number) => void;
  /** A reconcile running longer is abandoned (ReconcileDeadlineExceeded); default: none. */
  deadlineMs?: number;
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
    if (!this.takes(key) || this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Like add, but ahead of everything queued: for short work that others wait on (recording a send). */
  addFirst(key: string): void {
    if (!this.takes(key)) return;
    if (this.queued.has(key)) this.queue.splice(this.queue.indexOf(key), 1);
    this.queued.add(key);
    this.queue.unshift(key);
    this.pump();
  }

  /**
   * Whether a key asked for now goes in the queue: not while shutting down, and not while it is being
   * reconciled (it is marked dirty instead, and queued again when that reconcile ends). A timer of it
   * is cancelled either way: the key is wanted now.
   */
  private takes(key: string): boolean {
    if (this.shuttingDown) return false;
    this.cancelTimer(key);
    if (!this.processing.has(key)) return true;
    this.dirty.add(key);
    return false;
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
    const abandon = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let freed = false;
    /** Gives the worker back (once): at the end of the run, or at its deadline. */
    const free = () => {
      if (freed) return;
      freed = true;
      this.active--;
      if (this.active === 0 && this.shuttingDown) this.idleWaiters.splice(0).forEach((r) => r());
      this.pump();
      if (this.active === 0 && this.queue.length === 0) this.emptyWaiters.wakeAll();
    };
    if (this.opts.deadlineMs !== undefined) {
      const deadlineMs = this.opts.deadlineMs;
      timer = setTimeout(() => {
        abandon.abort(new ReconcileDeadlineExceeded(deadlineMs));
        const delay = this.backoff(key);
        this.opts.onError?.(key, abandon.signal.reason, delay);
        // Due while the abandoned run may still be going: it then runs right after that settles.
        this.dirty.delete(key);
        this.addAfter(key, delay);
        free();
      }, deadlineMs);
      timer.unref();
    }
    try {
      const result = await this.reconcile(key, abandon.signal);
      requeueAfterMs = result?.requeueAfterMs;
      if (!abandon.signal.aborted) this.failures.delete(key);
    } catch (err) {
      failed = true;
      if (!abandon.signal.aborted) {
        const delay = this.backoff(key);
        this.opts.onError?.(key, err, delay);
        requeueAfterMs = delay;
      }
    } finally {
      clearTimeout(timer);
      this.processing.delete(key);
    }
    if (abandon.signal.aborted) {
      // Its retry is scheduled already; one that came due meanwhile is in `dirty`.
      if (this.dirty.delete(key)) this.add(key);
    } else if (this.dirty.delete(key) && !failed) this.add(key);
    else if (requeueAfterMs !== undefined) this.addAfter(key, requeueAfterMs);
    free();
  }

  /** Retry count of a key (0 after a success): lets a reconcile tell a first failure from a repeat. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
