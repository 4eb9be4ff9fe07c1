// What was sent, as stored in the channel's ConfigMap: read back the same, bounded, the expired and the
// unreadable left out.
import { Aggregates } from '../../../src/events/aggregation.js';
import { MAX_RECORDS, configMapNameOf, decodeRecord, encodeRecord } from '../../../src/events/sentRecords.js';
import { T0, warningEvent } from './fixtures.js';

const WINDOW = 600_000;

test('a reported aggregate reads back with its message, window and counts; an unreported one is not stored', () => {
  const aggs = new Aggregates();
  const sent = aggs.observe('team-a/ch', WINDOW, warningEvent({ count: 4 }), T0)!;
  sent.messageId = 17;
  aggs.observe('team-a/ch', WINDOW, warningEvent({ object: 'not-yet' }), T0);
  const data = encodeRecord({ aggregates: aggs.ofChannel('team-a/ch'), overflow: { messageId: 18, windowStartMs: T0 } }, WINDOW, T0);
  const back = decodeRecord('team-a/ch', data, WINDOW, T0 + 1000);
  expect(back.aggregates).toHaveLength(1);
  expect(back.aggregates[0]).toMatchObject({ key: sent.key, messageId: 17, windowStartMs: T0, reason: 'BackOff' });
  expect(back.aggregates[0]!.seen.get('web-1.BackOff')).toEqual({ count: 4, lastSeenMs: T0 });
  expect(back.overflow).toEqual({ messageId: 18, windowStartMs: T0 });
  // Taken in already: the same event after a restart changes nothing.
  const fresh = new Aggregates();
  for (const a of back.aggregates) fresh.restore(a);
  expect(fresh.observe('team-a/ch', WINDOW, warningEvent({ count: 4 }), T0 + 2000)).toBeUndefined();
});

test('bounded: the most recently seen MAX_RECORDS, well under a ConfigMap limit', () => {
  const aggs = new Aggregates();
  for (let i = 0; i < MAX_RECORDS + 50; i++) {
    const a = aggs.observe('team-a/ch', WINDOW, warningEvent({ object: `pod-${i}`, lastSeenMs: T0 + i, note: 'n'.repeat(1024) }), T0 + i)!;
    a.messageId = i + 1;
  }
  const data = encodeRecord({ aggregates: aggs.ofChannel('team-a/ch') }, WINDOW, T0 + 1000);
  expect(JSON.parse(data.aggregates!)).toHaveLength(MAX_RECORDS);
  expect(data.aggregates!.length).toBeLessThan(256 * 1024);
  expect(decodeRecord('team-a/ch', data, WINDOW, T0 + 1000).aggregates[0]!.messageId).toBe(MAX_RECORDS + 50);
});

test('expired records and unreadable data are left out', () => {
  const aggs = new Aggregates();
  aggs.observe('team-a/ch', WINDOW, warningEvent(), T0)!.messageId = 5;
  const data = encodeRecord({ aggregates: aggs.ofChannel('team-a/ch') }, WINDOW, T0);
  expect(decodeRecord('team-a/ch', data, WINDOW, T0 + WINDOW).aggregates).toHaveLength(0);
  expect(decodeRecord('team-a/ch', { aggregates: '{not json', overflow: '[' }, WINDOW, T0)).toEqual({ aggregates: [] });
  expect(decodeRecord('team-a/ch', { aggregates: '[{"u":1},null,"x"]' }, WINDOW, T0).aggregates).toHaveLength(0);
});

test('the ConfigMap name is a valid name for any channel key', () => {
  expect(configMapNameOf(`${'n'.repeat(63)}/${'c'.repeat(253)}`)).toMatch(/^telegram-events-[0-9a-f]{20}$/);
});
