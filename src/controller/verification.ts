// The first status contributor: the channel's spec, its Secrets and Telegram. It parses the spec,
// resolves the token and chat id, verifies them (getMe / getChat / getChatMember) when something
// changed or the interval is due, and sets TokenValid, ChatReachable and Ready, with Reconciling or
// Stalled beside a Ready that is not True. The contributors after it read what it resolved.
import { createHash } from 'node:crypto';
import { ConditionTypes, TRANSIENT_REASONS, type Verdict } from '../api/contract.js';
import { parseDuration } from '../api/duration.js';
import { parseSpec, type ChannelStatus, type Condition } from '../api/types.js';
import { removeCondition, setCondition } from '../api/conditions.js';
import type { ChannelResolver } from '../credentials/resolver.js';
import { readyVerdict, type Verifier, type VerifyResult } from '../telegram/verifier.js';
import type { Contribution, StatusContext, StatusContributor } from './statusContributor.js';

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

export interface VerificationDeps {
  resolver: Pick<ChannelResolver, 'resolve'>;
  verifier: Verifier;
  now?: () => number;
}

export class Verification implements StatusContributor {
  readonly name = 'verification';
  private readonly memory = new Map<string, Memory>();
  /** Channels whose chat refused a send since their last reconcile: their last verification is stale. */
  private readonly chatRefused = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly deps: VerificationDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * A send was refused for a reason about the chat (kicked, migrated…): the channel's next reconcile
   * verifies again, whenever its last verification was. Marked, not acted on now: a reconcile already
   * under way keeps its result, and the next one verifies.
   */
  chatFailed(key: string): void {
    this.chatRefused.add(key);
  }

  /** What the channel's last verification found, for the conditions judged on it (topics). */
  lastResult(key: string): VerifyResult | undefined {
    return this.memory.get(key)?.result;
  }

  forget(key: string): void {
    this.memory.delete(key);
    this.chatRefused.delete(key);
  }

  async contribute(ctx: StatusContext): Promise<Contribution> {
    const { key, channel: ch, generation, now } = ctx;
    if (this.chatRefused.delete(key)) this.memory.delete(key);
    const stored = ch.status ?? {};
    let conditions: Condition[] = [...(ctx.status.conditions ?? [])];
    const set = (type: string, v: Verdict) => (conditions = setCondition(conditions, { type, ...v }, generation, now));
    const base: ChannelStatus = { ...ctx.status, observedGeneration: generation };

    const parsed = parseSpec(ch.spec);
    if (!parsed.ok) {
      const v: Verdict = { status: 'False', reason: 'InvalidSpec', message: parsed.message };
      set(ConditionTypes.TokenValid, { status: 'Unknown', reason: 'InvalidSpec', message: 'not checked' });
      set(ConditionTypes.ChatReachable, { status: 'Unknown', reason: 'InvalidSpec', message: 'not checked' });
      set(ConditionTypes.Ready, v);
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
      set(ConditionTypes.Ready, v);
      conditions = removeCondition(removeCondition(conditions, ConditionTypes.Reconciling), ConditionTypes.Stalled);
      this.memory.delete(key);
      return { status: { ...base, conditions }, verified: false };
    }

    // A Secret read that fails for a passing reason (apiserver busy) throws SecretUnavailable: retried with backoff.
    const resolution = await this.deps.resolver.resolve(ch.metadata.namespace, spec);
    if (!resolution.ok) {
      const { failing } = resolution;
      set(
        ConditionTypes.TokenValid,
        resolution.token ?? { status: 'Unknown', reason: failing.reason, message: 'not checked until the chat id is fixed' },
      );
      set(
        ConditionTypes.ChatReachable,
        resolution.chat ?? { status: 'Unknown', reason: failing.reason, message: 'not checked until the token is fixed' },
      );
      set(ConditionTypes.Ready, failing);
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
    const due = !mem || mem.inputsHash !== inputsHash || generation !== stored.observedGeneration || this.now() >= mem.nextCheckAt;

    let result: VerifyResult;
    let lastVerifiedTime = stored.lastVerifiedTime;
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

    set(ConditionTypes.TokenValid, result.token);
    set(ConditionTypes.ChatReachable, result.chat);
    const ready = readyVerdict(result, resolved.chatId);
    set(ConditionTypes.Ready, ready);
    if (ready.status === 'True') {
      conditions = removeCondition(removeCondition(conditions, ConditionTypes.Reconciling), ConditionTypes.Stalled);
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
        chat: result.chatInfo ?? (result.chat.status === 'Unknown' ? stored.chat : undefined),
        lastVerifiedTime,
      },
      requeueAfterMs,
      verified: due,
      resolved,
    };
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
  const without = removeCondition(conditions, ConditionTypes.Stalled);
  return setCondition(
    without,
    { type: ConditionTypes.Reconciling, status: 'True', reason: v.reason, message: `retrying: ${v.message}` },
    generation,
    now,
  );
}

function stalled(conditions: Condition[], v: Verdict, generation: number, now: string): Condition[] {
  const without = removeCondition(conditions, ConditionTypes.Reconciling);
  return setCondition(without, { type: ConditionTypes.Stalled, status: 'True', reason: v.reason, message: v.message }, generation, now);
}
