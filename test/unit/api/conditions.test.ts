import type { Condition } from '../../../src/api/types.js';
import { findCondition, nowRfc3339, removeCondition, setCondition, type ConditionInput } from '../../../src/api/conditions.js';

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-01T00:05:00Z';
const ready: ConditionInput = { type: 'Ready', status: 'True', reason: 'Verified', message: 'ok' };

describe('setCondition', () => {
  test('adds a new condition with the time and generation', () => {
    expect(setCondition([], ready, 1, T1)).toEqual([{ ...ready, observedGeneration: 1, lastTransitionTime: T1 }]);
  });

  test('keeps lastTransitionTime when nothing changed, but moves observedGeneration', () => {
    const first = setCondition([], ready, 1, T1);
    const second = setCondition(first, ready, 2, T2);
    expect(second).toEqual([{ ...ready, observedGeneration: 2, lastTransitionTime: T1 }]);
  });

  test.each([
    ['status', { status: 'False' }],
    ['reason', { reason: 'Unauthorized' }],
    ['message', { message: 'changed' }],
  ] satisfies [string, Partial<ConditionInput>][])('a change of %s moves lastTransitionTime', (_what, change) => {
    const first = setCondition([], ready, 1, T1);
    expect(setCondition(first, { ...ready, ...change }, 1, T2)[0]!.lastTransitionTime).toBe(T2);
  });

  test('other conditions are untouched and order is kept', () => {
    const list: Condition[] = [
      { type: 'TokenValid', status: 'True', reason: 'Verified', message: 'a', observedGeneration: 1, lastTransitionTime: T1 },
      { type: 'Ready', status: 'False', reason: 'X', message: 'b', observedGeneration: 1, lastTransitionTime: T1 },
    ];
    const next = setCondition(list, ready, 2, T2);
    expect(next.map((c) => c.type)).toEqual(['TokenValid', 'Ready']);
    expect(next[0]).toBe(list[0]);
    expect(next[1]).toMatchObject({ status: 'True', lastTransitionTime: T2 });
    expect(list[1]!.status).toBe('False'); // not mutated
  });

  test('a very long message is cut to 32768 characters with an ellipsis, and stays stable', () => {
    const long = 'x'.repeat(40_000);
    const first = setCondition([], { ...ready, message: long }, 1, T1);
    expect(first[0]!.message).toHaveLength(32_768);
    expect(first[0]!.message.endsWith('…')).toBe(true);
    // The same long message again is "unchanged" (compared after cutting).
    expect(setCondition(first, { ...ready, message: long }, 1, T2)[0]!.lastTransitionTime).toBe(T1);
  });
});

test('removeCondition and findCondition', () => {
  const list = setCondition(setCondition([], ready, 1, T1), { ...ready, type: 'Stalled' }, 1, T1);
  expect(findCondition(list, 'Stalled')?.type).toBe('Stalled');
  expect(removeCondition(list, 'Stalled').map((c) => c.type)).toEqual(['Ready']);
  expect(findCondition(undefined, 'Ready')).toBeUndefined();
});

test('nowRfc3339 is whole seconds in UTC', () => {
  expect(nowRfc3339(Date.UTC(2025, 0, 2, 3, 4, 5, 678))).toBe('2025-01-02T03:04:05Z');
  expect(nowRfc3339()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});
