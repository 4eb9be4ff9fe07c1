// What the channel reconciler is composed of: each contributor computes its part of a channel's status
// (its conditions, its fields) from the channel and from what the contributors before it computed. The
// reconciler runs them in the order main.ts lists them, writes the result once, then tells each that
// its part is in status. Adding a condition is one contributor file and one line in that list.
import type { Verdict } from '../api/contract.js';
import type { ChannelStatus, TelegramChannel } from '../api/types.js';
import type { ResolvedChannel } from '../credentials/resolver.js';
import { removeCondition, setCondition } from '../api/conditions.js';

/** One reconcile of one channel, as the contributors see it. */
export interface StatusContext {
  key: string;
  channel: TelegramChannel;
  generation: number;
  /** The reconcile's time, RFC 3339 (every condition set in this reconcile carries it). */
  now: string;
  /** The status so far: what is stored, with the parts of the contributors before this one. */
  status: ChannelStatus;
  /** The channel's token and chat, once verification resolved them (undefined: they could not be). */
  resolved?: ResolvedChannel;
  /** Whether this reconcile verified the channel against Telegram just now. */
  verified: boolean;
}

export interface Contribution {
  /** The whole next status: the context's status with this contributor's part in it. */
  status: ChannelStatus;
  /** When this contributor wants the channel looked at again; the reconcile asks for the soonest. */
  requeueAfterMs?: number;
  /** Verification's findings, for the contributors after it. */
  resolved?: ResolvedChannel;
  verified?: boolean;
  /** Called once the status carrying this contribution is written (or was already stored). */
  written?: () => void;
}

export interface StatusContributor {
  /** Names it in errors and in docs/architecture.md. */
  readonly name: string;
  contribute(ctx: StatusContext): Contribution | Promise<Contribution>;
  /** The channel is gone: drop what is kept for it. */
  forget(key: string): void;
}

/** The status with condition `type` set to `verdict`, or removed when the verdict is undefined. */
export function withCondition(ctx: StatusContext, type: string, verdict: Verdict | undefined): ChannelStatus {
  const conditions = ctx.status.conditions ?? [];
  return {
    ...ctx.status,
    conditions: verdict ? setCondition(conditions, { type, ...verdict }, ctx.generation, ctx.now) : removeCondition(conditions, type),
  };
}
