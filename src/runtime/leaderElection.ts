// Leader election on a coordination.k8s.io Lease with client-go's semantics and timings (15 s lease,
// 10 s renew deadline, 2 s retry). Expiry is judged by when this replica last *saw* the record
// change, not by the holder's clock, so clock skew between nodes cannot cause two leaders.
//
// Two leaders must never send at once, even when the leader is cut off from the API server:
//  - every Lease call carries a deadline and is aborted when it passes (client-node has none of its
//    own: undici waits 300 s for response headers);
//  - the leader steps down on its own timer, set to lastRenew + renewDeadline, which fires whatever
//    its Lease calls are doing. lastRenew is when the successful renew *started*: no later than any
//    other replica saw the renewal, so the others wait out the 15 s lease from a later point. That
//    leaves the old leader at least 5 s to stop sending and drain before anyone can take over.
//  - a leader that reads the Lease and finds another holder steps down at once.
// An elector that stepped down never leads again: the process drains and exits (src/runtime/manager.ts).
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../observability/log.js';
import { isConflict, isNotFound, kubeErrorForLog } from '../kube/errors.js';
import { untilAborted, type LeaseClient } from '../kube/leaseClient.js';

/** Lease annotation where the leader publishes its HTTP address (for webhook forwarding). */
export const LEADER_ENDPOINT_ANNOTATION = 'telegram.notify.dev/leader-endpoint';

/** Time and timers, injectable so that tests drive the election with a fake clock. */
export interface ElectionClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: ElectionClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** This replica's HTTP address, published while it leads (e.g. http://10.0.0.7:8080). */
  endpoint?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: ElectionClock;
  log: Logger;
  onStartedLeading: () => void;
  /** Called once, at the renew deadline at the latest: from then on this replica must send nothing new. */
  onStoppedLeading: () => void;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private timer: unknown;
  /** Fires onStoppedLeading at lastRenew + renewDeadline unless a renewal moves it on first. */
  private stepDownTimer: unknown;
  private stepDownAt = 0;
  /** Aborts the Lease call in progress (at step-down or release). */
  private current: AbortController | undefined;
  private observed: { holder: string; renewTime: string; at: number; durationMs: number } | undefined;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly clock: ElectionClock;

  constructor(
    private readonly lease: LeaseClient,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    this.clock = opts.clock ?? systemClock;
    if (this.renewDeadlineMs >= this.leaseMs) throw new Error('the renew deadline must be shorter than the lease duration');
  }

  /** False from the renew deadline on, even if the step-down timer has not run yet (a busy event loop). */
  isLeader(): boolean {
    return this.leading && this.clock.now() < this.stepDownAt;
  }

  /** The current leader's published HTTP address, if another replica leads and published one. */
  leaderEndpoint(): string | undefined {
    return this.leading ? undefined : this.otherEndpoint;
  }
  private otherEndpoint: string | undefined;

  start(): void {
    void this.tick();
  }

  /** Gives the Lease up (on SIGTERM) so the next replica takes over at once instead of after 15 s. */
  async release(timeoutMs = this.renewDeadlineMs): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.current?.abort(new Error('releasing the Lease'));
    if (!this.leading) return;
    this.leading = false;
    this.clock.clearTimeout(this.stepDownTimer);
    const deadline = this.clock.now() + timeoutMs;
    try {
      const lease = await this.call(deadline, (signal) => this.lease.read(signal));
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      lease.spec.holderIdentity = undefined;
      lease.spec.leaseDurationSeconds = 1;
      lease.spec.renewTime = new k8s.V1MicroTime(this.clock.now());
      await this.call(deadline, (signal) => this.lease.replace(lease, signal));
      this.opts.log.info({ lease: this.opts.name }, 'leader lease released');
    } catch (e) {
      this.opts.log.warn({ err: kubeErrorForLog(e) }, 'could not release the leader lease');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const started = this.clock.now();
    // One attempt (read, then create or replace) must finish within the renew deadline; a leader's
    // must also finish before its step-down, which comes no later than that.
    const deadline = this.leading ? Math.min(this.stepDownAt, started + this.renewDeadlineMs) : started + this.renewDeadlineMs;
    let result: Attempt = { ok: false };
    try {
      result = await this.tryAcquireOrRenew(deadline);
    } catch (e) {
      if (!this.stopped) this.opts.log.warn({ err: kubeErrorForLog(e) }, 'leader election: lease update failed');
    }
    if (this.stopped) return; // stepped down or released while the call was out
    if (result.ok && this.clock.now() < deadline) {
      this.renewed(started);
    } else if (this.leading && result.heldBy) {
      this.stepDown(`the Lease is held by ${result.heldBy}`);
      return;
    }
    let next = this.retryMs * (this.leading ? 1 : 0.8 + Math.random() * 0.4);
    // A follower looks again right when the holder's lease would expire, not up to a period later.
    if (!this.leading && this.observed) {
      next = Math.max(50, Math.min(next, this.observed.at + this.observed.durationMs - this.clock.now() + 50));
    }
    this.timer = this.clock.setTimeout(() => void this.tick(), next);
  }

  /** A renewal (or acquisition) that started at `started` succeeded: leadership lasts until started + renewDeadline. */
  private renewed(started: number): void {
    this.stepDownAt = started + this.renewDeadlineMs;
    this.clock.clearTimeout(this.stepDownTimer);
    this.stepDownTimer = this.clock.setTimeout(
      () => this.stepDown(`not renewed within the renew deadline (${this.renewDeadlineMs} ms)`),
      this.stepDownAt - this.clock.now(),
    );
    if (this.leading) return;
    this.leading = true;
    this.opts.log.info({ identity: this.opts.identity, lease: `${this.opts.namespace}/${this.opts.name}` }, 'became leader');
    this.opts.onStartedLeading();
  }

  private stepDown(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.stepDownTimer);
    this.current?.abort(new Error('stepped down'));
    this.opts.log.error({ identity: this.opts.identity, reason: why }, 'lost the leader lease: stepping down');
    this.opts.onStoppedLeading();
  }

  /** Runs one Lease call, aborted at `deadline` (or at step-down); it settles by then whatever the client does. */
  private async call<T>(deadline: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const budget = deadline - this.clock.now();
    if (budget <= 0) throw new Error('the renew deadline has passed');
    const controller = new AbortController();
    const timer = this.clock.setTimeout(() => controller.abort(new Error(`no answer from the API server within ${budget} ms`)), budget);
    this.current = controller;
    try {
      return await untilAborted(fn(controller.signal), controller.signal);
    } finally {
      this.clock.clearTimeout(timer);
      if (this.current === controller) this.current = undefined;
    }
  }

  private endpointAnnotation(): Record<string, string> {
    return this.opts.endpoint ? { [LEADER_ENDPOINT_ANNOTATION]: this.opts.endpoint } : {};
  }

  /** One attempt to take or keep the Lease; every call in it is aborted at `deadline`. */
  private async tryAcquireOrRenew(deadline: number): Promise<Attempt> {
    const { namespace, name, identity } = this.opts;
    const now = new k8s.V1MicroTime(this.clock.now());
    let lease: k8s.V1Lease;
    try {
      lease = await this.call(deadline, (signal) => this.lease.read(signal));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const body: k8s.V1Lease = {
        metadata: { name, namespace, annotations: this.endpointAnnotation() },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: Math.round(this.leaseMs / 1000),
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      try {
        await this.call(deadline, (signal) => this.lease.create(body, signal));
        return { ok: true };
      } catch (err) {
        if (isConflict(err)) return { ok: false };
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    this.otherEndpoint = holder && holder !== identity ? lease.metadata?.annotations?.[LEADER_ENDPOINT_ANNOTATION] : undefined;
    const renewTime = spec.renewTime ? new Date(spec.renewTime).toISOString() : '';
    const durationMs = (spec.leaseDurationSeconds ?? Math.round(this.leaseMs / 1000)) * 1000;
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: this.clock.now(), durationMs };
    }
    const expired = holder === '' || this.observed.at + durationMs < this.clock.now();
    if (holder !== identity && !expired) return { ok: false, heldBy: holder };

    const taking = holder !== identity;
    lease.metadata = { ...lease.metadata, annotations: { ...(lease.metadata?.annotations ?? {}), ...this.endpointAnnotation() } };
    if (!this.opts.endpoint) delete lease.metadata.annotations![LEADER_ENDPOINT_ANNOTATION];
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: Math.round(this.leaseMs / 1000),
      renewTime: now,
      ...(taking ? { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
    };
    try {
      await this.call(deadline, (signal) => this.lease.replace(lease, signal));
      return { ok: true };
    } catch (e) {
      if (isConflict(e)) return { ok: false }; // someone else wrote first: look again next round
      throw e;
    }
  }
}

/** The outcome of one attempt; `heldBy` names another replica whose lease is still valid. */
interface Attempt {
  ok: boolean;
  heldBy?: string;
}
