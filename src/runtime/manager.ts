// The manager, in the manner of controller-runtime's: runnables, the work queue, leader election and
// the drains, and nothing of the domain. Runnables that need the lead (pollers, sweeps) run only while
// this replica leads; the others (watches, gauges) run on every replica, so a follower is ready to take
// over at once. Nobody else touches the queue: the watches and the delivery side wake a key through
// enqueue(), the reconciler asks for a later look only through what reconcile() returns.
// SIGTERM: stop taking work, finish sends in flight, release the Lease, exit within 10 s.
// Lease lost: send nothing new, finish sends in flight and record them, exit within 4 s.
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { RECONCILE_DEADLINE_MS } from '../net/outbound.js';
import { ReconcileDeadlineExceeded, WorkQueue, type ReconcileResult } from './workqueue.js';

/** From losing the Lease to exiting: well under the 5 s before another replica may take over. */
export const STEP_DOWN_BUDGET_MS = 4_000;
/** Of that, how long requests already on their way to Telegram may take; the rest is for writing their outcomes. */
export const IN_FLIGHT_BUDGET_MS = 2_500;
/** SIGTERM: the hard exit, before the kubelet's 10 s grace period ends. */
export const SHUTDOWN_BUDGET_MS = 9_500;
/** SIGTERM: how long sends in flight may take, then reconciles recording them, then releasing the Lease. */
export const SHUTDOWN_DRAIN_MS = 6_000;
export const SHUTDOWN_IDLE_MS = 2_000;
export const RELEASE_BUDGET_MS = 1_000;
/** How often the queue depth gauge is refreshed. */
export const GAUGE_INTERVAL_MS = 5_000;

export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult>;
  /** The object behind the key is gone. */
  forget(key: string): void;
}

/**
 * Something the manager starts and stops. needLeaderElection: started when this replica takes the lead
 * (at start() without leader election) and stopped when it loses it or shuts down; otherwise started at
 * start() on every replica and stopped at shutdown, once the reconciles in flight are done.
 */
export interface Runnable {
  readonly name: string;
  readonly needLeaderElection: boolean;
  start(): void;
  stop(): void | Promise<void>;
}

/** The part of the work queue the manager drives (a fake in unit tests). */
export type Queue = Pick<WorkQueue, 'add' | 'addFirst' | 'forget' | 'pause' | 'resume' | 'waitIdle' | 'shutdown' | 'depth'>;

export interface LeaderHooks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export interface Elector {
  start(): void;
  isLeader(): boolean;
  leaderEndpoint(): string | undefined;
  release(timeoutMs: number): Promise<unknown>;
}

/** The sends this replica must finish, and see recorded, before it stops (the delivery side). */
export interface InFlightSends {
  stopAccepting(): void;
  drain(timeoutMs: number): Promise<boolean>;
  /** Outcomes known here but not yet written to status. */
  unrecordedOutcomes(): number;
  /** Resolves true once every outcome known here is in status, or false after `timeoutMs`. */
  allRecorded(timeoutMs: number): Promise<boolean>;
}

/** What start() hands the manager: everything built after it, because it wakes keys through enqueue(). */
export interface ManagerStart {
  reconciler: Reconciler;
  sends: InFlightSends;
  /** Every key there is to reconcile, in the order to enqueue them on taking the lead (what a leader must look at once). */
  allKeys: () => Iterable<string>;
}

export interface ManagerOptions {
  /** Builds the leader elector given its hooks; absent: leader election is off and this replica leads. */
  elector?: (hooks: LeaderHooks) => Elector;
  concurrency: number;
  log: Logger;
  metrics: Metrics;
  /** For tests; default: the real work queue. */
  queue?: (reconcile: (key: string) => Promise<ReconcileResult>, onError: (key: string, err: unknown, retryInMs: number) => void) => Queue;
  /** For tests; default process.exit. */
  exit?: (code: number) => void;
}

const NOTHING_STARTED: ManagerStart = {
  reconciler: { reconcile: () => Promise.resolve({}), forget: () => {} },
  sends: {
    stopAccepting: () => {},
    drain: () => Promise.resolve(true),
    unrecordedOutcomes: () => 0,
    allRecorded: () => Promise.resolve(true),
  },
  allKeys: () => [],
};

export class Manager {
  private readonly queue: Queue;
  private readonly elector: Elector | undefined;
  private readonly exit: (code: number) => void;
  private readonly runnables: Runnable[] = [];
  private readonly leading = new Set<Runnable>();
  private started: ManagerStart = NOTHING_STARTED;
  private stopping = false;
  private gauges: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ManagerOptions) {
    this.exit = opts.exit ?? ((code) => process.exit(code));
    const onError = (key: string, err: unknown, retryInMs: number) => {
      const overran = err instanceof ReconcileDeadlineExceeded;
      opts.metrics.reconciles.inc({ result: overran ? 'deadline' : 'error' });
      const [namespace, name] = key.includes('/') ? key.split('/') : [undefined, key];
      const what = overran ? 'reconcile overran its deadline and was abandoned; retrying' : 'reconcile failed; retrying';
      opts.log.warn({ namespace, name, err, retryInMs }, what);
    };
    const reconcile = (key: string) => this.reconcile(key);
    this.queue = opts.queue
      ? opts.queue(reconcile, onError)
      : new WorkQueue(reconcile, { concurrency: opts.concurrency, onError, deadlineMs: RECONCILE_DEADLINE_MS });
    // Nothing is reconciled before start(); with leader election, nothing before this replica leads.
    this.queue.pause();
    this.elector = opts.elector?.({ onStartedLeading: () => this.startedLeading(), onStoppedLeading: () => void this.stepDown() });
    if (!this.elector) opts.metrics.isLeader.set(1);
  }

  /** Registers a runnable; before start(). */
  add(runnable: Runnable): void {
    this.runnables.push(runnable);
  }

  /** Wakes a key's reconcile; first: ahead of everything queued (short work that others wait on). */
  enqueue(key: string, opts: { first?: boolean } = {}): void {
    if (opts.first) this.queue.addFirst(key);
    else this.queue.add(key);
  }

  /** The object behind the key is gone: the queue drops it and the reconciler forgets it. */
  forget(key: string): void {
    this.queue.forget(key);
    this.started.reconciler.forget(key);
  }

  isLeader(): boolean {
    return !this.elector || this.elector.isLeader();
  }

  leaderEndpoint(): string | undefined {
    return this.elector?.leaderEndpoint();
  }

  /**
   * Starts the runnables and the election: reconciles go to `reconciler` from now on, and stepping down
   * or shutting down waits for `sends`.
   */
  start(started: ManagerStart): void {
    this.started = started;
    if (!this.elector) {
      this.queue.resume();
      this.startLeaderRunnables();
    }
    for (const r of this.runnables) if (!r.needLeaderElection) r.start();
    this.elector?.start();
    this.gauges = setInterval(() => this.opts.metrics.queueDepth.set(this.queue.depth), GAUGE_INTERVAL_MS);
    this.gauges.unref();
  }

  /**
   * SIGTERM: stop taking work (stopIntake closes the HTTP server), let sends in flight finish and their
   * outcomes reach status so the next leader does not resend them, release the Lease, exit.
   */
  async shutdown(signal: string, stopIntake: () => void): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.opts.log.info({ signal }, 'shutting down: finishing work in flight');
    setTimeout(() => this.exit(1), SHUTDOWN_BUDGET_MS).unref();
    stopIntake();
    const leaderWorkStopped = this.stopLeaderRunnables();
    const drained = await this.started.sends.drain(SHUTDOWN_DRAIN_MS);
    await leaderWorkStopped;
    if (!drained) this.opts.log.warn('some sends were still queued at shutdown; the next leader resends them');
    await this.queue.waitIdle(SHUTDOWN_IDLE_MS);
    await Promise.all(this.runnables.filter((r) => !r.needLeaderElection).map(async (r) => r.stop()));
    await this.queue.shutdown();
    if (this.gauges) clearInterval(this.gauges);
    await this.elector?.release(RELEASE_BUDGET_MS);
    this.opts.log.info('stopped');
    this.exit(0);
  }

  private reconcile(key: string): Promise<ReconcileResult> {
    this.opts.metrics.queueDepth.set(this.queue.depth);
    return this.started.reconciler.reconcile(key);
  }

  private startLeaderRunnables(): void {
    for (const r of this.runnables) {
      if (!r.needLeaderElection || this.leading.has(r)) continue;
      this.leading.add(r);
      r.start();
    }
  }

  private async stopLeaderRunnables(): Promise<void> {
    const running = [...this.leading];
    this.leading.clear();
    await Promise.all(running.map(async (r) => r.stop()));
  }

  private startedLeading(): void {
    this.opts.metrics.isLeader.set(1);
    this.queue.resume();
    this.startLeaderRunnables();
    for (const key of this.started.allKeys()) this.queue.add(key);
  }

  /**
   * The Lease is lost: another replica may lead 5 s after the renew deadline (lease 15 s − 10 s). Nothing
   * new goes to Telegram from now on; requests already on their way finish, and their outcomes go to
   * status (if the API server can be reached), so that the next leader does not send them again. Then
   * exit, well within those 5 s. What is still unsent is the next leader's to send. The queue keeps
   * running: its reconciles are what write those outcomes.
   */
  private async stepDown(): Promise<void> {
    this.stopping = true; // a SIGTERM now changes nothing: this exit comes sooner
    const { log, metrics } = this.opts;
    const sends = this.started.sends;
    metrics.isLeader.set(0);
    sends.stopAccepting();
    const leaderWorkStopped = this.stopLeaderRunnables();
    log.error('leadership lost: sending nothing new; finishing the sends in flight, then exiting');
    const started = Date.now();
    setTimeout(() => this.exit(1), STEP_DOWN_BUDGET_MS).unref();
    const drained = await sends.drain(IN_FLIGHT_BUDGET_MS);
    await leaderWorkStopped;
    // Outcomes are written by reconciles (the queue keeps running); the ledger says when the last one is.
    await sends.allRecorded(Math.max(STEP_DOWN_BUDGET_MS - 100 - (Date.now() - started), 0));
    const unrecorded = sends.unrecordedOutcomes();
    if (!drained || unrecorded > 0) {
      const msg = 'stepped down with sends unrecorded: the next leader may send them again';
      log.warn({ sendsInFlight: !drained, unrecordedOutcomes: unrecorded }, msg);
    }
    log.info('stepped down: exiting so that only the new leader sends');
    this.exit(1);
  }
}
