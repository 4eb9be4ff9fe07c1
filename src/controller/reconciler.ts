// One reconcile of one TelegramChannel: read the channel (from the watch cache) and the Secrets it
// references, verify against Telegram when something changed or the interval is due, compute the
// whole status, and write it once — only if it differs from what is stored.
import { createHash } from 'node:crypto';
import {
  CONDITION_ALERTMANAGER_CONFIGURED,
  CONDITION_CHAT_REACHABLE,
  CONDITION_INTERACTIVE,
  CONDITION_READY,
  CONDITION_RECONCILING,
  CONDITION_STALLED,
  CONDITION_TOKEN_VALID,
  TRANSIENT_REASONS,
  type Verdict,
} from '../api/contract.js';
import { parseDuration } from '../api/duration.js';
import { parseSpec, splitKey, type ChannelStatus, type Condition, type TelegramChannel } from '../api/types.js';
import type { AlertmanagerConfigOutcome } from '../alertmanagerConfig/configurer.js';
import type { ChannelResolver, ResolvedChannel } from '../channel/resolver.js';
import { isConflict } from '../kube/errors.js';
import type { EventRecorder } from '../kube/events.js';
import { createMergePatch, deepEqual } from '../kube/mergePatch.js';
import { fitStatusToCrd } from '../kube/statusLimits.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { readyVerdict, type Verifier, type VerifyResult } from '../telegram/verifier.js';
import { findCondition, nowRfc3339, removeCondition, setCondition } from '../api/conditions.js';
import { withEventsWatching } from '../events/eventsCondition.js';
import type { ReconcileResult } from '../runtime/workqueue.js';

export interface ChannelStore {
  getChannel(namespace: string, name: string): TelegramChannel | undefined;
}

export interface StatusWriter {
  (ch: TelegramChannel, patch: Record<string, unknown>): Promise<TelegramChannel>;
}

/** Remembered per channel between reconciles (memory only: a restart verifies everything once). */
interface Memory {
  inputsHash: string;
  result: VerifyResult;
  transientAttempts: number;
  /** When to verify again, whatever wakes the channel before then. */
  nextCheckAt: number;
}

const PERMANENT_RECHECK_MS = 5 * 60_000;
const TRANSIENT_BASE_MS = 2_000;
const TRANSIENT_MAX_MS = 5 * 60_000;

export interface ReconcilerDeps {
  channels: ChannelStore;
  resolver: Pick<ChannelResolver, 'resolve'>;
  verifier: Verifier;
  writeStatus: StatusWriter;
  recordEvent: EventRecorder;
  log: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Delivery (the annotation relay): its part of status, and what it does once that status is written. */
  delivery?: DeliveryPlanner;
  /** The channel is gone. */
  forgotten?: (key: string) => void;
  /** The Interactive condition (src/interaction/); undefined: the channel carries none. */
  interactive?: (ch: TelegramChannel, resolved: ResolvedChannel | undefined, verified: boolean) => Promise<Verdict | undefined>;
  /**
   * Channels whose chat refused a send (kicked, migrated…) since their last reconcile, so that the last
   * verification is stale; filled by the delivery ledger, emptied here. A set, not a callback into the
   * reconciler, so that the ledger can be built before the reconciler that uses it.
   */
  chatFailures?: Pick<Set<string>, 'delete'>;
  /** spec.alertmanager.config: brings the generated AlertmanagerConfig in line; its condition does not touch Ready. */
  alertmanagerConfig?: (ch: TelegramChannel, current: Condition | undefined) => Promise<AlertmanagerConfigOutcome>;
  /** spec.kubernetesEvents: keeps the channel's subscription, answers EventsWatching (src/events/eventsRelay.ts). */
  eventsWatching?: (ch: TelegramChannel) => Verdict | undefined;
}

/**
 * Folds delivery into the computed status (outcomes, pending annotation messages) and plans sends; told
 * once that status, carrying their intent, has been written, so the sends start only then.
 */
export interface DeliveryPlanner {
  plan(key: string, ch: TelegramChannel, resolved: ResolvedChannel | undefined, status: ChannelStatus): { status: ChannelStatus };
  /** Method syntax on purpose: the planner is given back the plan it made (its own, richer type). */
  written(plan: { status: ChannelStatus }): void;
}

export class ChannelReconciler {
  private readonly memory = new Map<string, Memory>();
  private readonly now: () => number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Forget a deleted channel. */
  forget(key: string): void {
    this.memory.delete(key);
    this.deps.chatFailures?.delete(key);
    this.deps.forgotten?.(key);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const ch = this.deps.channels.getChannel(namespace, name);
    if (!ch || ch.metadata.deletionTimestamp) {
      this.forget(key);
      return {};
    }
    // A send just failed for a reason about the chat: verify again now.
    if (this.deps.chatFailures?.delete(key)) this.memory.delete(key);
    const started = this.now();
    const generation = ch.metadata.generation ?? 0;
    const old = ch.status ?? {};
    const now = nowRfc3339(started);
    const computed = await this.computeStatus(key, ch, generation, now);
    const { verified, resolved } = computed;
    const interactive = await this.deps.interactive?.(ch, resolved, verified);
    computed.status.conditions = interactive
      ? setCondition(computed.status.conditions ?? [], { type: CONDITION_INTERACTIVE, ...interactive }, generation, now)
      : removeCondition(computed.status.conditions ?? [], CONDITION_INTERACTIVE);
    computed.status.conditions = withEventsWatching(computed.status.conditions, this.deps.eventsWatching?.(ch), generation, now);
    const { status, requeueAfterMs } = await this.withAlertmanagerConfig(ch, computed, generation, now);

    const plan = this.deps.delivery ? this.deps.delivery.plan(key, ch, resolved, status) : { status };
    const next = plan.status;
    const changed = await this.write(ch, old, next);
    this.deps.delivery?.written(plan);
    this.emitTransition(ch, old, next);

    // One line per reconcile that did something; quiet resyncs stay at debug.
    const ready = findCondition(next.conditions, CONDITION_READY);
    this.deps.log[changed || verified ? 'info' : 'debug'](
      {
        namespace,
        name,
        ready: ready?.status,
        reason: ready?.reason,
        verified,
        requeueInS: requeueAfterMs !== undefined ? Math.round(requeueAfterMs / 1000) : undefined,
        ms: this.now() - started,
      },
      ready?.message ?? 'reconciled',
    );
    this.deps.metrics.reconciles.inc({ result: ready && TRANSIENT_REASONS.has(ready.reason) ? 'transient' : 'success' });
    this.deps.metrics.reconcileDuration.observe((this.now() - started) / 1000);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : {};
  }

  private async computeStatus(
    key: string,
    ch: TelegramChannel,
    generation: number,
    now: string,
  ): Promise<{ status: ChannelStatus; requeueAfterMs?: number; verified: boolean; resolved?: ResolvedChannel }> {
    const old = ch.status ?? {};
    let conditions: Condition[] = [...(old.conditions ?? [])];
    const set = (type: string, v: Verdict) => (conditions = setCondition(conditions, { type, ...v }, generation, now));
    const base: ChannelStatus = { ...old, observedGeneration: generation };

    const parsed = parseSpec(ch.spec);
    if (!parsed.ok) {
      const v: Verdict = { status: 'False', reason: 'InvalidSpec', message: parsed.message };
      set(CONDITION_TOKEN_VALID, { status: 'Unknown', reason: 'InvalidSpec', message: 'not checked' });
      set(CONDITION_CHAT_REACHABLE, { status: 'Unknown', reason: 'InvalidSpec', message: 'not checked' });
      set(CONDITION_READY, v);
      conditions = stalled(conditions, v, generation, now);
      return { status: { ...base, conditions }, verified: false };
    }
    const spec = parsed.spec;

    if (spec.suspend) {
      const v: Verdict = {
        status: 'False',
        reason: 'Suspended',
        message: 'spec.suspend is true: no verification and no sends until it is false',
      };
      set(CONDITION_READY, v);
      conditions = removeCondition(removeCondition(conditions, CONDITION_RECONCILING), CONDITION_STALLED);
      this.memory.delete(key);
      return { status: { ...base, conditions }, verified: false };
    }

    // A Secret read that fails for a passing reason (apiserver busy) throws SecretUnavailable: retried with backoff.
    const resolution = await this.deps.resolver.resolve(ch.metadata.namespace, spec);
    if (!resolution.ok) {
      const { failing } = resolution;
      set(
        CONDITION_TOKEN_VALID,
        resolution.token ?? { status: 'Unknown', reason: failing.reason, message: 'not checked until the chat id is fixed' },
      );
      set(
        CONDITION_CHAT_REACHABLE,
        resolution.chat ?? { status: 'Unknown', reason: failing.reason, message: 'not checked until the token is fixed' },
      );
      set(CONDITION_READY, failing);
      // Unknown (a botRef channel whose bot is being verified): in progress, not stalled.
      conditions =
        failing.status === 'Unknown' ? reconciling(conditions, failing, generation, now) : stalled(conditions, failing, generation, now);
      this.memory.delete(key);
      // No requeue: fixing this means changing the Secret or the spec, and both wake the channel.
      return { status: { ...base, conditions, bot: undefined, chat: undefined }, verified: false };
    }
    const resolved = resolution.channel;

    const inputsHash = createHash('sha256')
      .update(`${resolved.token}\n${resolved.chatId}\n${spec.messageThreadId ?? ''}\n${resolved.verifiedBot?.id ?? ''}`)
      .digest('hex');
    const intervalMs = parseDuration(spec.verifyInterval) ?? 3_600_000;
    const mem = this.memory.get(key);
    const due = !mem || mem.inputsHash !== inputsHash || generation !== old.observedGeneration || this.now() >= mem.nextCheckAt;

    let result: VerifyResult;
    let lastVerifiedTime = old.lastVerifiedTime;
    if (due) {
      result = await this.deps.verifier.verify(
        resolved.token,
        resolved.chatId,
        spec.messageThreadId,
        resolved.verifiedBot,
        resolved.chatSource,
      );
      const transientAttempts = isTransient(result) ? (mem?.inputsHash === inputsHash ? mem.transientAttempts + 1 : 1) : 0;
      this.memory.set(key, {
        inputsHash,
        result,
        transientAttempts,
        nextCheckAt: this.now() + nextCheckIn(result, transientAttempts, intervalMs),
      });
      if (!isTransient(result)) lastVerifiedTime = now;
    } else {
      result = mem.result;
    }

    set(CONDITION_TOKEN_VALID, result.token);
    set(CONDITION_CHAT_REACHABLE, result.chat);
    const ready = readyVerdict(result, resolved.chatId);
    set(CONDITION_READY, ready);
    if (ready.status === 'True') {
      conditions = removeCondition(removeCondition(conditions, CONDITION_RECONCILING), CONDITION_STALLED);
    } else if (ready.status === 'Unknown') {
      conditions = reconciling(conditions, ready, generation, now);
    } else {
      conditions = stalled(conditions, ready, generation, now);
    }
    const requeueAfterMs = Math.max(this.memory.get(key)!.nextCheckAt - this.now(), 500);

    return {
      status: {
        ...base,
        conditions,
        bot: result.bot,
        chat: result.chatInfo ?? (result.chat.status === 'Unknown' ? old.chat : undefined),
        lastVerifiedTime,
      },
      requeueAfterMs,
      verified: due,
      resolved,
    };
  }

  /** Folds the AlertmanagerConfigured condition into the status, and its next look into the requeue. */
  private async withAlertmanagerConfig(
    ch: TelegramChannel,
    computed: { status: ChannelStatus; requeueAfterMs?: number },
    generation: number,
    now: string,
  ): Promise<{ status: ChannelStatus; requeueAfterMs?: number }> {
    if (!this.deps.alertmanagerConfig) return computed;
    const conditions = computed.status.conditions ?? [];
    const outcome = await this.deps.alertmanagerConfig(ch, findCondition(conditions, CONDITION_ALERTMANAGER_CONFIGURED));
    if (outcome.kind === 'unchanged') return computed;
    const next =
      outcome.kind === 'remove'
        ? removeCondition(conditions, CONDITION_ALERTMANAGER_CONFIGURED)
        : setCondition(conditions, { type: CONDITION_ALERTMANAGER_CONFIGURED, ...outcome.verdict }, generation, now);
    const later = outcome.kind === 'set' ? outcome.requeueAfterMs : undefined;
    const requeues = [computed.requeueAfterMs, later].filter((ms): ms is number => ms !== undefined);
    return { status: { ...computed.status, conditions: next }, requeueAfterMs: requeues.length ? Math.min(...requeues) : undefined };
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
    const before = findCondition(old.conditions, CONDITION_READY);
    const after = findCondition(next.conditions, CONDITION_READY);
    if (!after || (before && before.status === after.status && before.reason === after.reason)) return;
    const type = after.status === 'False' ? 'Warning' : 'Normal';
    // A channel verified on its first try needs no Event (status says it): at 10,000 channels that
    // would be 10,000 writes at start-up. Problems, and recoveries from them, are always announced.
    if (!before && after.status === 'True') return;
    this.deps.recordEvent(ch, type, after.reason, after.message);
  }
}

/**
 * Why this backoff is not the queue's: the queue backs off reconciles that throw, and a transient
 * verification failure is not a failed reconcile — its Unknown conditions are written to status first.
 * Verified: again after the interval. Transient (Telegram down, rate limited): back off from 2 s,
 * never sooner than retry_after. Failures fixed in Telegram rather than in the cluster (re-adding
 * the bot, granting a right): look again within 5 minutes.
 */
function nextCheckIn(r: VerifyResult, transientAttempts: number, intervalMs: number): number {
  if (isTransient(r)) {
    const backoff = Math.min(TRANSIENT_BASE_MS * 2 ** Math.max(transientAttempts - 1, 0), TRANSIENT_MAX_MS);
    return Math.max(backoff, r.retryAfterMs ?? 0);
  }
  if (r.token.status === 'True' && r.chat.status === 'True') return intervalMs;
  return Math.min(intervalMs, PERMANENT_RECHECK_MS);
}

function isTransient(r: VerifyResult): boolean {
  return TRANSIENT_REASONS.has(r.token.reason) || TRANSIENT_REASONS.has(r.chat.reason);
}

function reconciling(conditions: Condition[], v: Verdict, generation: number, now: string): Condition[] {
  const without = removeCondition(conditions, CONDITION_STALLED);
  return setCondition(
    without,
    { type: CONDITION_RECONCILING, status: 'True', reason: v.reason, message: `retrying: ${v.message}` },
    generation,
    now,
  );
}

function stalled(conditions: Condition[], v: Verdict, generation: number, now: string): Condition[] {
  const without = removeCondition(conditions, CONDITION_RECONCILING);
  return setCondition(without, { type: CONDITION_STALLED, status: 'True', reason: v.reason, message: v.message }, generation, now);
}
