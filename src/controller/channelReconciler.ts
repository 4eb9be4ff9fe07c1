// One reconcile of one TelegramChannel: read the channel (from the watch cache), let each status
// contributor compute its part in the order main.ts lists them (verification first: Ready and the
// token and chat the others read), and write the whole status once — only if it differs from what
// is stored. Then each contributor hears that its part is in status (delivery starts its sends).
import { ConditionTypes, TRANSIENT_REASONS } from '../api/contract.js';
import { splitKey, type ChannelStatus, type TelegramChannel } from '../api/types.js';
import { isConflict } from '../kube/errors.js';
import type { EventRecorder } from '../kube/events.js';
import { createMergePatch, deepEqual } from '../kube/mergePatch.js';
import { fitStatusToCrd } from '../kube/statusLimits.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { findCondition, nowRfc3339 } from '../api/conditions.js';
import type { ReconcileResult } from '../runtime/workqueue.js';
import type { StatusContext, StatusContributor } from './statusContributor.js';

export interface ChannelStore {
  getChannel(namespace: string, name: string): TelegramChannel | undefined;
}

export interface StatusWriter {
  (ch: TelegramChannel, patch: Record<string, unknown>): Promise<TelegramChannel>;
}

/** Anything else that keeps state per channel (episodes, pollers): told when a channel is gone. */
export interface ChannelState {
  forget(key: string): void;
}

export interface ReconcilerDeps {
  channels: ChannelStore;
  /** In order: each sees the status the ones before it computed. */
  contributors: StatusContributor[];
  /** Per-channel state outside the contributors, dropped with the channel. */
  channelState: ChannelState[];
  writeStatus: StatusWriter;
  recordEvent: EventRecorder;
  log: Logger;
  metrics: Metrics;
  now?: () => number;
}

export class ChannelReconciler {
  private readonly now: () => number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Forget a deleted channel. */
  forget(key: string): void {
    for (const c of this.deps.contributors) c.forget(key);
    for (const s of this.deps.channelState) s.forget(key);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const ch = this.deps.channels.getChannel(namespace, name);
    if (!ch || ch.metadata.deletionTimestamp) {
      this.forget(key);
      return {};
    }
    const started = this.now();
    const old = ch.status ?? {};
    const ctx: StatusContext = {
      key,
      channel: ch,
      generation: ch.metadata.generation ?? 0,
      now: nowRfc3339(started),
      status: old,
      verified: false,
    };
    const requeues: number[] = [];
    const written: (() => void)[] = [];
    for (const contributor of this.deps.contributors) {
      const part = await contributor.contribute(ctx);
      ctx.status = part.status;
      if (part.resolved) ctx.resolved = part.resolved;
      if (part.verified !== undefined) ctx.verified = part.verified;
      if (part.requeueAfterMs !== undefined) requeues.push(part.requeueAfterMs);
      if (part.written) written.push(part.written);
    }
    const next = ctx.status;
    const requeueAfterMs = requeues.length ? Math.min(...requeues) : undefined;
    const changed = await this.write(ch, old, next);
    for (const done of written) done();
    this.emitTransition(ch, old, next);

    // One line per reconcile that did something; quiet resyncs stay at debug.
    const ready = findCondition(next.conditions, ConditionTypes.Ready);
    this.deps.log[changed || ctx.verified ? 'info' : 'debug'](
      {
        namespace,
        name,
        ready: ready?.status,
        reason: ready?.reason,
        verified: ctx.verified,
        requeueInS: requeueAfterMs !== undefined ? Math.round(requeueAfterMs / 1000) : undefined,
        ms: this.now() - started,
      },
      ready?.message ?? 'reconciled',
    );
    this.deps.metrics.reconciles.inc({ result: ready && TRANSIENT_REASONS.has(ready.reason) ? 'transient' : 'success' });
    this.deps.metrics.reconcileDuration.observe((this.now() - started) / 1000);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : {};
  }

  /**
   * Writes status if it differs from what is stored; true when it wrote. Every string is cut to the
   * CRD's limits first (fitStatusToCrd): one over-long error must never make the API server refuse
   * the whole status. A 409 (the counters' resourceVersion is stale) throws: the outcomes stay in
   * memory and the retried reconcile folds them into the newer object.
   */
  private async write(ch: TelegramChannel, old: ChannelStatus, next: ChannelStatus): Promise<boolean> {
    const clean = fitStatusToCrd(JSON.parse(JSON.stringify(next)) as ChannelStatus);
    if (deepEqual(old, clean)) return false;
    const patch = createMergePatch(old, clean) as Record<string, unknown>;
    let updated: TelegramChannel;
    try {
      updated = await this.deps.writeStatus(ch, patch);
    } catch (e) {
      if (isConflict(e)) {
        throw new Error('status changed since it was read (409 Conflict): counting the delivery outcomes again on the newer status', {
          cause: e,
        });
      }
      throw e;
    }
    // The watch will deliver the new object too; keeping it now spares a stale read in between.
    ch.status = updated.status;
    if (updated.metadata?.resourceVersion) ch.metadata.resourceVersion = updated.metadata.resourceVersion;
    return true;
  }

  private emitTransition(ch: TelegramChannel, old: ChannelStatus, next: ChannelStatus): void {
    const before = findCondition(old.conditions, ConditionTypes.Ready);
    const after = findCondition(next.conditions, ConditionTypes.Ready);
    if (!after || (before && before.status === after.status && before.reason === after.reason)) return;
    const type = after.status === 'False' ? 'Warning' : 'Normal';
    // A channel verified on its first try needs no Event (status says it): at 10,000 channels that
    // would be 10,000 writes at start-up. Problems, and recoveries from them, are always announced.
    if (!before && after.status === 'True') return;
    this.deps.recordEvent(ch, type, after.reason, after.message);
  }
}
