// The delivery ledger: outcomes held until a status carrying them is written, folded into
// status.delivery by each reconcile, bounded in memory, and a signal once the last one is recorded.
import { jest } from '@jest/globals';
import type { DeliveryStatus } from '../../../src/api/types.js';
import { DeliveryLedger, MAX_PENDING_OUTCOMES } from '../../../src/delivery/ledger.js';
import { createLogger } from '../../../src/observability/log.js';

const KEY = 'ns/ch';

function ledger(deps: { chatFailed?: (key: string) => void; requeue?: (key: string) => void } = {}): DeliveryLedger {
  return new DeliveryLedger({
    log: createLogger('silent'),
    requeue: deps.requeue ?? (() => {}),
    chatFailed: deps.chatFailed ?? (() => {}),
  });
}

/** What a reconcile does: fold the outcomes into a copy of status.delivery. */
function reconcile(l: DeliveryLedger, delivery: DeliveryStatus = {}) {
  const d = { ...delivery };
  const folded = l.fold(KEY, d);
  return { status: { delivery: Object.keys(d).length ? d : undefined }, written: () => l.written(KEY, folded) };
}

describe('DeliveryLedger: outcomes that cannot be written yet', () => {
  test('are held one by one up to a bound, then folded into counters: memory stays bounded, nothing is lost', async () => {
    const r = ledger();
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 5000; i++) {
      const failed = { kind: 'alertmanager', ok: false, reason: 'Rejected', error: `no ${i}` } as const;
      waits.push(r.record(KEY, i % 10 === 0 ? failed : { kind: 'alertmanager', ok: true, messageIds: [i] }));
    }
    waits.push(r.record(KEY, { kind: 'alert', digest: 'sha256:last', ok: true, messageIds: [9001, 9002] }));
    expect(r.pendingOutcomes(KEY)).toBe(MAX_PENDING_OUTCOMES);

    // Status writes failing: every plan folds everything again, and nothing leaves memory.
    for (let attempt = 0; attempt < 3; attempt++) {
      const p = reconcile(r, { sent: 100, failed: 1 });
      expect(p.status.delivery).toMatchObject({ sent: 100 + 4500 + 2, failed: 1 + 500, lastMessageId: 9002 });
      expect(p.status.delivery).toMatchObject({ lastAlertDigest: 'sha256:last', lastError: 'Rejected: no 4990' });
    }
    expect(r.pendingOutcomes(KEY)).toBe(MAX_PENDING_OUTCOMES);

    // The write succeeds: the outcomes leave memory and their waiters are released.
    const p = reconcile(r, { sent: 100, failed: 1 });
    p.written();
    await Promise.all(waits);
    expect(r.pendingOutcomes(KEY)).toBe(0);
    expect(reconcile(r, { sent: 4602 }).status.delivery).toEqual({ sent: 4602 });
  });

  test('outcomes that arrive while a status write is under way are kept for the next one, counted once', () => {
    const r = ledger();
    for (let i = 0; i < MAX_PENDING_OUTCOMES + 10; i++) void r.record(KEY, { kind: 'alertmanager', ok: true, messageIds: [i] });
    const first = reconcile(r);
    expect(first.status.delivery?.sent).toBe(MAX_PENDING_OUTCOMES + 10);
    // 20 more arrive before the write returns: 20 of them push older ones into the summary.
    for (let i = 0; i < 20; i++) void r.record(KEY, { kind: 'alertmanager', ok: true, messageIds: [1000 + i] });
    first.written();
    const second = reconcile(r, first.status.delivery);
    expect(second.status.delivery?.sent).toBe(MAX_PENDING_OUTCOMES + 10 + 20);
    expect(second.status.delivery?.lastMessageId).toBe(1019);
  });

  test('a very long error is not kept whole in memory', () => {
    const r = ledger();
    void r.record(KEY, { kind: 'alertmanager', ok: false, reason: 'Rejected', error: 'e'.repeat(1_000_000) });
    const folded = reconcile(r);
    expect(folded.status.delivery!.lastError!.length).toBeLessThanOrEqual(4096 + 'Rejected: '.length);
  });
});

describe('DeliveryLedger: who waits for it', () => {
  test('allRecorded resolves when the last outcome is written, without polling, and false at its deadline', async () => {
    jest.useFakeTimers();
    try {
      const r = ledger();
      expect(await r.allRecorded(1000)).toBe(true); // nothing held
      void r.record(KEY, { kind: 'alertmanager', ok: true, messageIds: [1] });
      void r.record('ns/other', { kind: 'alertmanager', ok: true, messageIds: [2] });
      let answer: boolean | undefined;
      void r.allRecorded(3_000).then((ok) => (answer = ok));
      reconcile(r).written();
      await Promise.resolve();
      expect(answer).toBeUndefined(); // ns/other is still unrecorded
      r.forget('ns/other'); // the channel was deleted: nothing will be written for it
      await Promise.resolve();
      expect(answer).toBe(true);
      expect(jest.getTimerCount()).toBe(0); // its deadline timer is gone too

      void r.record(KEY, { kind: 'alertmanager', ok: true, messageIds: [3] });
      const late = r.allRecorded(3_000);
      await jest.advanceTimersByTimeAsync(3_000);
      expect(await late).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a refusal about the chat marks the channel for re-verification; other outcomes do not', () => {
    const failed: string[] = [];
    const requeued: string[] = [];
    const r = ledger({ chatFailed: (k) => failed.push(k), requeue: (k) => requeued.push(k) });
    void r.record(KEY, { kind: 'alert', digest: 'sha256:a', ok: false, reason: 'BotKicked', error: 'kicked' });
    void r.record('ns/b', { kind: 'alert', digest: 'sha256:b', ok: false, reason: 'InvalidMarkup', error: 'bad' });
    void r.record('ns/c', { kind: 'alertmanager', ok: true, messageIds: [1] });
    expect(failed).toEqual([KEY]);
    expect(requeued).toEqual([KEY, 'ns/b', 'ns/c']); // every outcome wakes its channel's reconcile
  });
});
