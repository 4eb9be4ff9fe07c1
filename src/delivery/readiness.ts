// May a channel be sent to? The one readiness rule every delivery and the relay's plan share.
import { findCondition } from '../api/conditions.js';
import { ConditionTypes } from '../api/contract.js';
import type { ChannelStatus, TelegramChannel } from '../api/types.js';

export type Readiness =
  | { ready: true }
  /** `failing`: the condition that says why (absent: never verified); `stale`: Ready is for an older generation. */
  | { ready: false; failing?: { reason: string; message: string }; stale: boolean; why: string };

/**
 * May the channel be sent to? Ready must be True and written for the channel's current generation: a
 * spec change not verified yet waits. `status` defaults to the stored one; the reconciler passes the
 * status it is about to write.
 */
export function readiness(ch: TelegramChannel, status: ChannelStatus | undefined = ch.status): Readiness {
  const ready = findCondition(status?.conditions, ConditionTypes.Ready);
  const observed = ready?.observedGeneration ?? status?.observedGeneration;
  const current = ch.metadata.generation === undefined || observed === ch.metadata.generation;
  if (ready?.status === 'True' && current) return { ready: true };
  if (ready?.status === 'True') {
    const why = `its spec changed (generation ${ch.metadata.generation}) and is not verified yet`;
    return { ready: false, failing: ready, stale: true, why };
  }
  return { ready: false, failing: ready, stale: false, why: ready ? `${ready.reason}: ${ready.message}` : 'not verified yet' };
}
