// Leader election on a coordination.k8s.io Lease with client-go's semantics and timings (15 s lease,
// 10 s renew deadline, 2 s retry). Expiry is judged by when this replica last *saw* the record
// change, not by the holder's clock, so clock skew between nodes cannot cause two leaders.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { isConflict, isNotFound, toKubeError } from './errors.js';

/** Lease annotation where the leader publishes its HTTP address (for webhook forwarding). */
export const LEADER_ENDPOINT_ANNOTATION = 'telegram.notify.dev/leader-endpoint';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** This replica's HTTP address, published while it leads (e.g. http://10.0.0.7:8080). */
  endpoint?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private observed: { holder: string; renewTime: string; at: number; durationMs: number } | undefined;
  private lastRenew = 0;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly api: k8s.CoordinationV1Api,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
  }

  isLeader(): boolean {
    return this.leading;
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
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.readNamespacedLease({ namespace: this.opts.namespace, name: this.opts.name });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      lease.spec.holderIdentity = undefined;
      lease.spec.leaseDurationSeconds = 1;
      lease.spec.renewTime = new k8s.V1MicroTime();
      await this.api.replaceNamespacedLease({ namespace: this.opts.namespace, name: this.opts.name, body: lease });
      this.opts.log.info({ lease: this.opts.name }, 'leader lease released');
    } catch (e) {
      this.opts.log.warn({ err: toKubeError(e).message }, 'could not release the leader lease');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (e) {
      this.opts.log.warn({ err: toKubeError(e).message }, 'leader election: lease update failed');
    }
    const now = Date.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.opts.log.info({ identity: this.opts.identity, lease: `${this.opts.namespace}/${this.opts.name}` }, 'became leader');
        this.opts.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew > this.renewDeadlineMs) {
      this.leading = false;
      this.opts.log.error({ identity: this.opts.identity }, 'lost the leader lease');
      this.opts.onStoppedLeading();
      return;
    }
    if (this.stopped) return;
    let next = this.retryMs * (this.leading ? 1 : 0.8 + Math.random() * 0.4);
    // A follower looks again right when the holder's lease would expire, not up to a period later.
    if (!this.leading && this.observed) next = Math.max(50, Math.min(next, this.observed.at + this.observed.durationMs - Date.now() + 50));
    this.timer = setTimeout(() => void this.tick(), next);
  }

  private endpointAnnotation(): Record<string, string> {
    return this.opts.endpoint ? { [LEADER_ENDPOINT_ANNOTATION]: this.opts.endpoint } : {};
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = new k8s.V1MicroTime();
    let lease: k8s.V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace, annotations: this.endpointAnnotation() }, spec: { holderIdentity: identity, leaseDurationSeconds: Math.round(this.leaseMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 } },
        });
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    this.otherEndpoint = holder && holder !== identity ? lease.metadata?.annotations?.[LEADER_ENDPOINT_ANNOTATION] : undefined;
    const renewTime = spec.renewTime ? new Date(spec.renewTime).toISOString() : '';
    const durationMs = (spec.leaseDurationSeconds ?? Math.round(this.leaseMs / 1000)) * 1000;
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: Date.now(), durationMs };
    }
    const expired = holder === '' || this.observed.at + durationMs < Date.now();
    if (holder !== identity && !expired) return false;

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
      await this.api.replaceNamespacedLease({ namespace, name, body: lease });
      return true;
    } catch (e) {
      if (isConflict(e)) return false; // someone else wrote first: look again next round
      throw e;
    }
  }
}
