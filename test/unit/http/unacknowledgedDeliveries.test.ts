// Which webhook requests are Alertmanager's retries of a notification already delivered.
import { AlertmanagerPayloadSchema } from '../../../src/delivery/format/alertmanager.js';
import { UnacknowledgedDeliveries, notificationIdentity } from '../../../src/http/unacknowledgedDeliveries.js';

const payload = (over: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) =>
  AlertmanagerPayloadSchema.parse({
    version: '4',
    groupKey: '{}:{alertname="Disk"}',
    status: 'firing',
    alerts: [{ status: 'firing', labels: { alertname: 'Disk', instance: 'a' }, startsAt: '2026-11-26T10:00:00Z', fingerprint: 'f1', ...alert }],
    ...over,
  });

test('the same notification for the same channel has the same identity; any change makes another', () => {
  const id = notificationIdentity('ns/ch', payload());
  expect(notificationIdentity('ns/ch', payload())).toBe(id);
  expect(notificationIdentity('ns/other', payload())).not.toBe(id);
  expect(notificationIdentity('ns/ch', payload({ groupKey: '{}:{alertname="Cpu"}' }))).not.toBe(id);
  expect(notificationIdentity('ns/ch', payload({ status: 'resolved' }, { status: 'resolved', endsAt: '2026-11-26T11:00:00Z' }))).not.toBe(id);
  expect(notificationIdentity('ns/ch', payload({}, { startsAt: '2026-11-26T12:00:00Z' }))).not.toBe(id);
});

test('without fingerprints, the labels identify the alerts, in any order', () => {
  const a = payload({}, { fingerprint: '', labels: { alertname: 'Disk', instance: 'a' } });
  const b = payload({}, { fingerprint: '', labels: { instance: 'a', alertname: 'Disk' } });
  const c = payload({}, { fingerprint: '', labels: { alertname: 'Disk', instance: 'b' } });
  expect(notificationIdentity('ns/ch', a)).toBe(notificationIdentity('ns/ch', b));
  expect(notificationIdentity('ns/ch', a)).not.toBe(notificationIdentity('ns/ch', c));
});

test('a remembered delivery answers its retry once, and only within 15 minutes', () => {
  let now = 0;
  const memory = new UnacknowledgedDeliveries(() => now);
  memory.remember('a');
  memory.remember('b');
  expect(memory.takeRetry('a')).toBe(true);
  expect(memory.takeRetry('a')).toBe(false); // a later identical notification is a repeat: sent
  expect(memory.takeRetry('never')).toBe(false);
  now = 15 * 60_000 + 1;
  expect(memory.takeRetry('b')).toBe(false);
});

test('memory is bounded: the oldest entries make room', () => {
  const memory = new UnacknowledgedDeliveries(() => 0);
  for (let i = 0; i <= 10_000; i++) memory.remember(`n${i}`);
  expect(memory.takeRetry('n0')).toBe(false);
  expect(memory.takeRetry('n1')).toBe(true);
  expect(memory.takeRetry('n10000')).toBe(true);
});
