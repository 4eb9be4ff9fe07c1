// The manager, in the manner of controller-runtime's: it owns the watches, the work queue, the leader
// hooks and shutdown. Nobody else touches the queue: the watches and the delivery side wake a channel
// through enqueue(), the reconciler asks for a later look only through what reconcile() returns.
// SIGTERM: stop taking work, finish sends in flight, release the Lease, exit within 10 s.
// Lease lost: send nothing new, finish sends in flight and record them, exit within 4 s.
import type { ClusterTelegramBot, TelegramChannel } from '../api/types.js';
import { keyOf } from '../api/types.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { updateConditionGauges } from './conditionGauges.js';
import { botKey } from './keys.js';
import type { WatchEvents } from './watches.js';
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
/** How often the queue and channel gauges are refreshed. */
export const GAUGE_INTERVAL_MS = 5_000;

export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult>;
  /** The channel is gone. */
  forget(key: string): void;
}

/** The part of the work queue the manager drives (a fake in unit tests). */
export type Queue = Pick<WorkQueue, 'add' | 'addFirst' | 'forget' | 'pause' | 'resume' | 'waitIdle' | 'shutdown' | 'depth'>;

/** The channel cache behind the watches. */
export interface Store {
  start(): void;
  stop(): void;
  hasSynced(): boolean;
  getChannel(namespace: string, name: string): TelegramChannel | undefined;
  listChannels(): TelegramChannel[];
  secretVersion(namespace: string, name: string): string | undefined;
  referencedSecrets(): Set<string>;
  /** ClusterTelegramBots (cluster-wide installs): their keys share the queue with the channels' (keys.ts). */
  listBots?(): ClusterTelegramBot[];
}

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

/** Work only the leader does besides reconciling (the getUpdates pollers): started on leading, stopped on step-down and shutdown. */
export interface LeaderWork {
  start(): void;
  stop(): Promise<void>;
}

export interface ManagerOptions {
  /** Builds the watches, given where their keys go. */
  watches: (events: WatchEvents) => Store;
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

export class Manager {
  private readonly queue: Queue;
  private readonly store: Store;
  private readonly elector: Elector | undefined;
  private readonly exit: (code: number) => void;
  // Given to start(): built after the manager, because they wake channels through enqueue().
  private reconciler: Reconciler | undefined;
  private sends: InFlightSends = {
    stopAccepting: () => {},
    drain: () => Promise.resolve(true),
    unrecordedOutcomes: () => 0,
    allRecorded: () => Promise.resolve(true),
  };
  private leaderWork: LeaderWork = { start: () => {}, stop: () => Promise.resolve() };
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
    this.store = opts.watches({
      changed: (key) => this.queue.add(key),
      deleted: (key) => {
        this.queue.forget(key);
        this.reconciler?.forget(key);
      },
    });
    // Followers watch (so they are ready to take over at once) but reconcile and send nothing.
    this.elector = opts.elector?.({ onStartedLeading: () => this.startedLeading(), onStoppedLeading: () => void this.stepDown() });
    if (!this.elector) opts.metrics.isLeader.set(1);
  }

  /** Wakes a channel's reconcile; first: ahead of everything queued (short work that others wait on). */
  enqueue(key: string, opts: { first?: boolean } = {}): void {
    if (opts.first) this.queue.addFirst(key);
    else this.queue.add(key);
  }

  hasSynced(): boolean {
    return this.store.hasSynced();
  }

  getChannel(namespace: string, name: string): TelegramChannel | undefined {
    return this.store.getChannel(namespace, name);
  }

  listChannels(): TelegramChannel[] {
    return this.store.listChannels();
  }

  secretVersion(namespace: string, name: string): string | undefined {
    return this.store.secretVersion(namespace, name);
  }

  referencedSecrets(): Set<string> {
    return this.store.referencedSecrets();
  }

  isLeader(): boolean {
    return !this.elector || this.elector.isLeader();
  }

  leaderEndpoint(): string | undefined {
    return this.elector?.leaderEndpoint();
  }

  /**
   * Starts the watches, the election and the gauges: reconciles go to `reconciler` from now on, and
   * stepping down or shutting down waits for `sends`.
   */
  start(reconciler: Reconciler, sends: InFlightSends, leaderWork?: LeaderWork): void {
    this.reconciler = reconciler;
    this.sends = sends;
    if (leaderWork) this.leaderWork = leaderWork;
    if (!this.elector) {
      this.queue.resume();
      this.leaderWork.start();
    }
    this.store.start();
    this.elector?.start();
    // The manager owns the gauges: it owns the queue and the channel cache they read.
    this.gauges = setInterval(() => this.updateGauges(), GAUGE_INTERVAL_MS);
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
    const leaderWorkStopped = this.leaderWork.stop();
    const drained = await this.sends.drain(SHUTDOWN_DRAIN_MS);
    await leaderWorkStopped;
    if (!drained) this.opts.log.warn('some sends were still queued at shutdown; the next leader resends them');
    await this.queue.waitIdle(SHUTDOWN_IDLE_MS);
    this.store.stop();
    await this.queue.shutdown();
    if (this.gauges) clearInterval(this.gauges);
    await this.elector?.release(RELEASE_BUDGET_MS);
    this.opts.log.info('stopped');
    this.exit(0);
  }

  private reconcile(key: string): Promise<ReconcileResult> {
    this.opts.metrics.queueDepth.set(this.queue.depth);
    return this.reconciler ? this.reconciler.reconcile(key) : Promise.resolve({});
  }

  private startedLeading(): void {
    this.opts.metrics.isLeader.set(1);
    this.queue.resume();
    for (const bot of this.store.listBots?.() ?? []) this.queue.add(botKey(bot.metadata.name));
    this.leaderWork.start();
    for (const ch of this.store.listChannels()) this.queue.add(keyOf(ch));
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
    const sends = this.sends;
    metrics.isLeader.set(0);
    sends.stopAccepting();
    const leaderWorkStopped = this.leaderWork.stop();
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

  private updateGauges(): void {
    const { metrics } = this.opts;
    metrics.queueDepth.set(this.queue.depth);
    const counts: Record<string, number> = { True: 0, False: 0, Unknown: 0 };
    for (const ch of this.store.listChannels()) {
      const ready = ch.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      counts[ready] = (counts[ready] ?? 0) + 1;
    }
    for (const [ready, n] of Object.entries(counts)) metrics.channels.set({ ready }, n);
    updateConditionGauges(metrics, this.store.listChannels(), this.store.listBots?.() ?? []);
  }
}
