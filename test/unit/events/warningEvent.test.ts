// An events.k8s.io/v1 Event as the relay keeps it: the times that are set, the count, a cut note.
import { MAX_NOTE_CHARS, toWarningEvent } from '../../../src/events/warningEvent.js';

const base = {
  metadata: { name: 'web-1.17f', namespace: 'team-a', resourceVersion: '7', creationTimestamp: '2026-12-07T05:00:00Z' },
  type: 'Warning',
  reason: 'BackOff',
  regarding: { kind: 'Pod', name: 'web-1', namespace: 'team-a', uid: 'u-1' },
};

test('a new event (no series, deprecated fields null as the API server sends them) is last seen at its eventTime, count 1', () => {
  const e = toWarningEvent({
    ...base,
    eventTime: '2026-12-07T06:00:00.123456Z',
    series: null,
    deprecatedCount: null,
    deprecatedLastTimestamp: null,
  });
  expect(e.lastSeenMs).toBe(Date.parse('2026-12-07T06:00:00.123Z'));
  expect(e.count).toBe(1);
});

test('a series gives the count and the last time; the core/v1 view is read when there is no series', () => {
  const series = toWarningEvent({ ...base, series: { count: 12, lastObservedTime: '2026-12-07T06:10:00.000000Z' }, deprecatedCount: 3 });
  expect([series.count, series.lastSeenMs]).toEqual([12, Date.parse('2026-12-07T06:10:00Z')]);
  const core = toWarningEvent({ ...base, deprecatedCount: 4, deprecatedLastTimestamp: '2026-12-07T06:05:00Z' });
  expect([core.count, core.lastSeenMs]).toEqual([4, Date.parse('2026-12-07T06:05:00Z')]);
  expect(toWarningEvent(base).lastSeenMs).toBe(Date.parse('2026-12-07T05:00:00Z'));
});

test('a long note is cut on arrival; an object without a uid is keyed by kind, namespace and name', () => {
  const e = toWarningEvent({ ...base, note: 'x'.repeat(100_000), regarding: { kind: 'Node', name: 'node-1' } });
  expect(e.note).toHaveLength(MAX_NOTE_CHARS);
  expect(e.regarding).toEqual({ kind: 'Node', name: 'node-1', namespace: '', uid: 'Node//node-1' });
});
