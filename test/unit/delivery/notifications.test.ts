// In-flight webhook notifications: a retry joins the delivery under way, a delivery nobody waited
// for answers its retry once, an answered one is forgotten. Deliveries are promises the test settles.
import { AlertmanagerPayloadSchema } from '../../../src/format/alertmanager.js';
import { alertmanagerNotification } from '../../../src/sources/alertmanager.js';
import { InFlightNotifications, REMEMBER_MS, notificationIdentity } from '../../../src/delivery/notifications.js';
import { DeliveryError } from '../../../src/delivery/deliveryError.js';
import type { Delivery } from '../../../src/delivery/sender.js';
import { TelegramError } from '../../../src/telegram/errors.js';

const payload = (over: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) =>
  alertmanagerNotification(
    AlertmanagerPayloadSchema.parse({
      version: '4',
      groupKey: '{}:{alertname="Disk"}',
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'Disk', instance: 'a' }, startsAt: '2026-11-26T10:00:00Z', fingerprint: 'f1', ...alert },
      ],
      ...over,
    }),
  );

/** A delivery the test finishes by hand, and the signal the bookkeeping abandons it with. */
function controllable() {
  const calls: { abandon: AbortSignal; resolve: (d: Delivery) => void; reject: (e: unknown) => void }[] = [];
  const start = (abandon: AbortSignal) => new Promise<Delivery>((resolve, reject) => calls.push({ abandon, resolve, reject }));
  return { calls, start };
}
const flush = () => new Promise((r) => setImmediate(r));

let now = 1_000_000;
const clock = () => now;
beforeEach(() => (now = 1_000_000));

test('the same notification for the same channel has the same identity; any change makes another', () => {
  const id = notificationIdentity('ns/ch', payload());
  expect(notificationIdentity('ns/ch', payload())).toBe(id);
  expect(notificationIdentity('ns/other', payload())).not.toBe(id);
  expect(notificationIdentity('ns/ch', payload({ groupKey: '{}:{alertname="Cpu"}' }))).not.toBe(id);
  const resolved = payload({ status: 'resolved' }, { status: 'resolved', endsAt: '2026-11-26T11:00:00Z' });
  expect(notificationIdentity('ns/ch', resolved)).not.toBe(id);
  expect(notificationIdentity('ns/ch', payload({}, { startsAt: '2026-11-26T12:00:00Z' }))).not.toBe(id);
});

test('two sources never share a notification, even with the same identity', () => {
  const am = payload();
  expect(notificationIdentity('ns/ch', { ...am, source: 'example' })).not.toBe(notificationIdentity('ns/ch', am));
});

test('alerts sharing a fingerprint but not their labels or annotations are different notifications', () => {
  const id = notificationIdentity('ns/ch', payload());
  expect(notificationIdentity('ns/ch', payload({}, { labels: { alertname: 'Other', instance: 'a' } }))).not.toBe(id);
  expect(notificationIdentity('ns/ch', payload({}, { annotations: { summary: 'now 95%' } }))).not.toBe(id);
});

test('without fingerprints, the labels identify the alerts, in any order', () => {
  const a = payload({}, { fingerprint: '', labels: { alertname: 'Disk', instance: 'a' } });
  const b = payload({}, { fingerprint: '', labels: { instance: 'a', alertname: 'Disk' } });
  const c = payload({}, { fingerprint: '', labels: { alertname: 'Disk', instance: 'b' } });
  expect(notificationIdentity('ns/ch', a)).toBe(notificationIdentity('ns/ch', b));
  expect(notificationIdentity('ns/ch', a)).not.toBe(notificationIdentity('ns/ch', c));
});

test('a retry while the first request still waits joins it: one send, both answered delivered, then forgotten', async () => {
  const n = new InFlightNotifications(clock);
  const { calls, start } = controllable();
  const first = n.deliver('id', start, new AbortController().signal);
  const retry = n.deliver('id', start, new AbortController().signal);
  expect(calls).toHaveLength(1);
  calls[0]!.resolve({ messageIds: [1, 2, 3] });
  expect(await first).toEqual({ kind: 'delivered', messageIds: [1, 2, 3], joined: false });
  expect(await retry).toEqual({ kind: 'delivered', messageIds: [1, 2, 3], joined: true });
  // Answered: a later identical notification (repeat_interval) is sent again.
  expect(n.size).toEqual({ sending: 0, remembered: 0 });
  void n.deliver('id', start, new AbortController().signal);
  expect(calls).toHaveLength(2);
});

/** A delivery still going out whose only waiter stopped waiting: what that waiter was answered. */
async function deliveryNobodyWaitsFor() {
  const n = new InFlightNotifications(clock);
  const { calls, start } = controllable();
  const wait = new AbortController();
  const answer = n.deliver('id', start, wait.signal);
  wait.abort();
  return { n, calls, start, first: await answer };
}

test('a request that stops waiting gets "not yet"; its retry joins the parts still going out and never sends again', async () => {
  // The leader's wait is over while parts are still going out.
  const { n, calls, start, first } = await deliveryNobodyWaitsFor();
  expect(first).toEqual({ kind: 'notYet' });
  // Nobody waits: the sender is told to abandon it (it drops it only if no part went out yet).
  expect(calls[0]!.abandon.aborted).toBe(true);
  const retry = n.deliver('id', start, new AbortController().signal);
  expect(calls).toHaveLength(1);
  calls[0]!.resolve({ messageIds: [7, 8] });
  expect(await retry).toMatchObject({ kind: 'delivered', joined: true });
  expect(n.size).toEqual({ sending: 0, remembered: 0 });
});

test('the abandon signal fires only when the last waiter is gone', async () => {
  const n = new InFlightNotifications(clock);
  const { calls, start } = controllable();
  const a = new AbortController();
  const b = new AbortController();
  void n.deliver('id', start, a.signal);
  const joined = n.deliver('id', start, b.signal);
  a.abort();
  expect(calls[0]!.abandon.aborted).toBe(false);
  b.abort();
  expect(await joined).toEqual({ kind: 'notYet' });
  expect(calls[0]!.abandon.aborted).toBe(true);
});

test('delivered while nobody waited: the next retry is answered once without sending, within REMEMBER_MS', async () => {
  const { n, calls, start } = await deliveryNobodyWaitsFor();
  calls[0]!.resolve({ messageIds: [5] });
  await flush();
  expect(n.size).toEqual({ sending: 0, remembered: 1 });
  now += REMEMBER_MS - 1;
  expect(await n.deliver('id', start, new AbortController().signal)).toEqual({ kind: 'deliveredEarlier' });
  // Only once: the one after that is a repeat and goes out.
  void n.deliver('id', start, new AbortController().signal);
  expect(calls).toHaveLength(2);
});

test('a delivered-unanswered notification is forgotten after REMEMBER_MS', async () => {
  const n = new InFlightNotifications(clock);
  const { calls, start } = controllable();
  const gone = new AbortController();
  gone.abort();
  expect(await n.deliver('id', start, gone.signal)).toEqual({ kind: 'notYet' });
  calls[0]!.resolve({ messageIds: [5] });
  await flush();
  now += REMEMBER_MS;
  void n.deliver('id', start, new AbortController().signal);
  expect(calls).toHaveLength(2);
});

test('a failed delivery is reported to every waiter and forgotten: its retry starts afresh', async () => {
  const n = new InFlightNotifications(clock);
  const { calls, start } = controllable();
  const first = n.deliver('id', start, new AbortController().signal);
  const joined = n.deliver('id', start, new AbortController().signal);
  const err = new DeliveryError(new TelegramError({ kind: 'BotKicked', message: 'Forbidden: bot was kicked', method: 'sendMessage' }));
  calls[0]!.reject(err);
  expect(await first).toEqual({ kind: 'failed', error: err });
  expect(await joined).toEqual({ kind: 'failed', error: err });
  void n.deliver('id', start, new AbortController().signal);
  expect(calls).toHaveLength(2);
});

test('different notifications are independent', async () => {
  const n = new InFlightNotifications(clock);
  const { calls, start } = controllable();
  void n.deliver('a', start, new AbortController().signal);
  void n.deliver('b', start, new AbortController().signal);
  expect(calls).toHaveLength(2);
});
