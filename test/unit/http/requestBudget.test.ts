// RequestBudget: bytes taken as read, a share per tenant (namespace) and a whole-process bound.
import { RequestBudget } from '../../../src/http/requestBudget.js';

test("a tenant holds at most its share (a quarter of the budget here); another tenant's room is untouched", () => {
  const budget = new RequestBudget(400, 100);
  expect(budget.tenantShare).toBe(100);
  const a1 = budget.open('a')!;
  const a2 = budget.open('a')!;
  expect(a1.take(60)).toBe(true);
  expect(a2.take(60)).toBe(false); // 120 > 100: refused, nothing taken
  expect(a2.take(40)).toBe(true);
  expect(budget.heldBy('a')).toBe(100);
  expect(budget.open('a')).toBeUndefined(); // at its share: not worth reading anything
  const b = budget.open('b')!;
  expect(b.take(100)).toBe(true);
  a1.release();
  expect(budget.heldBy('a')).toBe(40);
  expect(budget.inUse).toBe(140);
});

test('the whole budget bounds every tenant together', () => {
  const budget = new RequestBudget(300, 100);
  for (const t of ['a', 'b', 'c']) expect(budget.open(t)!.take(100)).toBe(true);
  expect(budget.open('d')).toBeUndefined();
  expect(budget.inUse).toBe(300);
});

test('a share always fits one maximum-size body, and never exceeds the budget', () => {
  expect(new RequestBudget(400, 200).tenantShare).toBe(200);
  expect(new RequestBudget(100, 100).tenantShare).toBe(100);
  expect(new RequestBudget(1000, 10).tenantShare).toBe(250);
});

test('release gives back exactly what was taken, once; a released reservation takes nothing more', () => {
  const budget = new RequestBudget(400, 100);
  const r = budget.open('a')!;
  r.take(10);
  r.take(20);
  r.release();
  r.release();
  expect(r.take(5)).toBe(false);
  expect([budget.inUse, budget.heldBy('a')]).toEqual([0, 0]);
});
