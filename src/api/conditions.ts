// KEP-1623 conditions through one helper, with the semantics of fluxcd/pkg conditions.Set:
// lastTransitionTime moves only when status, reason or message change, every condition carries the
// generation it describes, and times are RFC 3339 at whole seconds so rewrites never differ spuriously.
import type { Verdict } from './contract.js';
import type { Condition } from './types.js';

export function nowRfc3339(now = Date.now()): string {
  return new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** What the operator writes: one of the contract's reasons (a stored condition's reason is any string). */
export type ConditionInput = Verdict & { type: string };

const MAX_MESSAGE = 32_768;

export function setCondition(list: Condition[], c: ConditionInput, generation: number, now: string): Condition[] {
  const message = c.message.length > MAX_MESSAGE ? `${c.message.slice(0, MAX_MESSAGE - 1)}…` : c.message;
  const prev = list.find((x) => x.type === c.type);
  const changed = !prev || prev.status !== c.status || prev.reason !== c.reason || prev.message !== message;
  const next: Condition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message,
    observedGeneration: generation,
    lastTransitionTime: changed ? now : prev.lastTransitionTime,
  };
  return prev ? list.map((x) => (x.type === c.type ? next : x)) : [...list, next];
}

export function removeCondition(list: Condition[], type: string): Condition[] {
  return list.filter((x) => x.type !== type);
}

export function findCondition(list: Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((x) => x.type === type);
}
