// One aggregate per (channel, object, reason) per window; what was taken in is not taken again; older
// than the window is not relayed; the map stays within its bounds in entries and bytes.
import { Aggregates, aggregateKey, totalCount } from '../../../src/events/aggregation.js';
import { T0, warningEvent } from './fixtures.js';

const WINDOW = 10 * 60_000;

test('the first event of an object and reason starts an aggregate; its series growing changes it', () => {
  const aggs = new Aggregates();
  const first = aggs.observe('team-a/ch', WINDOW, warningEvent(), T0)!;
  expect(first.key).toBe(aggregateKey('team-a/ch', 'uid-web-1', 'BackOff'));
  expect(first.version).toBe(1);
  const again = aggs.observe('team-a/ch', WINDOW, warningEvent({ count: 5, lastSeenMs: T0 + 60_000, note: 'latest' }), T0 + 60_000)!;
  expect(again).toBe(first);
  expect(totalCount(again)).toBe(5);
  expect(again.note).toBe('latest');
  expect(again.version).toBe(2);
  expect(aggs.size).toBe(1);
});

test('an event already taken in (same count and time: a relist, a new leader) changes nothing', () => {
  const aggs = new Aggregates();
  aggs.observe('team-a/ch', WINDOW, warningEvent({ count: 3 }), T0);
  expect(aggs.observe('team-a/ch', WINDOW, warningEvent({ count: 3 }), T0 + 1000)).toBeUndefined();
  expect(aggs.observe('team-a/ch', WINDOW, warningEvent({ count: 2 }), T0 + 1000)).toBeUndefined();
});

test('another reason, another object or another channel is another aggregate', () => {
  const aggs = new Aggregates();
  aggs.observe('team-a/ch', WINDOW, warningEvent(), T0);
  aggs.observe('team-a/ch', WINDOW, warningEvent({ reason: 'FailedMount' }), T0);
  aggs.observe('team-a/ch', WINDOW, warningEvent({ object: 'web-2' }), T0);
  aggs.observe('team-a/other', WINDOW, warningEvent(), T0);
  expect(aggs.size).toBe(4);
});

test('an event last seen before the window is not relayed (a new leader does not flood the chat with old events)', () => {
  const aggs = new Aggregates();
  expect(aggs.observe('team-a/ch', WINDOW, warningEvent({ lastSeenMs: T0 - WINDOW - 1 }), T0)).toBeUndefined();
  expect(aggs.size).toBe(0);
});

test('a repeat after the window starts a new message; the history stays', () => {
  const aggs = new Aggregates();
  const a = aggs.observe('team-a/ch', WINDOW, warningEvent({ count: 2 }), T0)!;
  a.messageId = 41;
  a.shown = a.version;
  const later = T0 + WINDOW + 1;
  const b = aggs.observe('team-a/ch', WINDOW, warningEvent({ count: 3, lastSeenMs: later }), later)!;
  expect(b.messageId).toBeUndefined();
  expect(b.windowStartMs).toBe(later);
  expect(b.version).toBeGreaterThan(b.shown);
  expect(totalCount(b)).toBe(3);
});

test('bounded in entries: the least recently changed go first', () => {
  const aggs = new Aggregates({ maxEntries: 3, maxBytes: 1e9 });
  for (const o of ['a', 'b', 'c']) aggs.observe('team-a/ch', WINDOW, warningEvent({ object: o }), T0);
  aggs.observe('team-a/ch', WINDOW, warningEvent({ object: 'a', count: 2 }), T0); // a is recent again
  aggs.observe('team-a/ch', WINDOW, warningEvent({ object: 'd' }), T0);
  expect(aggs.size).toBe(3);
  expect(aggs.get(aggregateKey('team-a/ch', 'uid-b', 'BackOff'))).toBeUndefined();
  expect(aggs.get(aggregateKey('team-a/ch', 'uid-a', 'BackOff'))).toBeDefined();
});

test('bounded in bytes: 10,000 objects with 1 KiB notes stay under the byte cap', () => {
  const maxBytes = 1024 * 1024;
  const aggs = new Aggregates({ maxEntries: 1e9, maxBytes });
  for (let i = 0; i < 10_000; i++) aggs.observe('team-a/ch', WINDOW, warningEvent({ object: `pod-${i}`, note: 'x'.repeat(1024) }), T0);
  expect(aggs.byteSize).toBeLessThanOrEqual(maxBytes);
  expect(aggs.size).toBeGreaterThan(100);
  expect(aggs.size).toBeLessThan(10_000);
  aggs.forgetChannel('team-a/ch');
  expect(aggs.size).toBe(0);
  expect(aggs.byteSize).toBe(0);
});
