// EventsWatching in a channel's status: set from the relay's verdict on channels with
// spec.kubernetesEvents, removed from the others. The reconciler's one call.
import { removeCondition, setCondition } from '../api/conditions.js';
import { CONDITION_EVENTS_WATCHING, type Verdict } from '../api/contract.js';
import type { Condition } from '../api/types.js';

export function withEventsWatching(
  conditions: Condition[] | undefined,
  verdict: Verdict | undefined,
  generation: number,
  now: string,
): Condition[] {
  return verdict
    ? setCondition(conditions ?? [], { type: CONDITION_EVENTS_WATCHING, ...verdict }, generation, now)
    : removeCondition(conditions ?? [], CONDITION_EVENTS_WATCHING);
}
