import type { TelegramChannel } from '../../../src/api/types.js';
import { AnnotationRelay, MAX_PENDING_OUTCOMES } from '../../../src/delivery/relay.js';
import type { Sender } from '../../../src/delivery/sender.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createLogger } from '../../../src/observability/log.js';

const KEY = 'ns/ch';
const channel: TelegramChannel = { metadata: { name: 'ch', namespace: 'ns' }, spec: {} };

function relay(): AnnotationRelay {
  return new AnnotationRelay({
    sender: {} as Sender,
    recordEvent: () => {},
    metrics: createMetrics(),
    log: createLogger('silent'),
    requeue: () => {},
    chatFailed: () => {},
  });
}

describe('AnnotationRelay: outcomes that cannot be written yet', () => {
  test('are held one by one up to a bound, then folded into counters: memory stays bounded, nothing is lost', async () => {
    const r = relay();
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 5000; i++) {
      const failed = { kind: 'alertmanager', ok: false, reason: 'Rejected', error: `no ${i}` } as const;
      waits.push(r.recordOutcome(KEY, i % 10 === 0 ? failed : { kind: 'alertmanager', ok: true, messageIds: [i] }));
    }
    waits.push(r.recordOutcome(KEY, { kind: 'alert', digest: 'sha256:last', ok: true, messageIds: [9001, 9002] }));
    expect(r.pendingOutcomes(KEY)).toBe(MAX_PENDING_OUTCOMES);

    // Status writes failing: every plan folds everything again, and nothing leaves memory.
    for (let attempt = 0; attempt < 3; attempt++) {
      const plan = r.plan(KEY, channel, undefined, { delivery: { sent: 100, failed: 1 } });
      expect(plan.status.delivery).toMatchObject({ sent: 100 + 4500 + 2, failed: 1 + 500, lastMessageId: 9002 });
      expect(plan.status.delivery).toMatchObject({ lastAlertDigest: 'sha256:last', lastError: 'Rejected: no 4990' });
    }
    expect(r.pendingOutcomes(KEY)).toBe(MAX_PENDING_OUTCOMES);

    // The write succeeds: the outcomes leave memory and their waiters are released.
    const plan = r.plan(KEY, channel, undefined, { delivery: { sent: 100, failed: 1 } });
    for (const after of plan.afterWrite) after();
    await Promise.all(waits);
    expect(r.pendingOutcomes(KEY)).toBe(0);
    expect(r.plan(KEY, channel, undefined, { delivery: { sent: 4602 } }).status.delivery).toEqual({ sent: 4602 });
  });

  test('outcomes that arrive while a status write is under way are kept for the next one, counted once', () => {
    const r = relay();
    for (let i = 0; i < MAX_PENDING_OUTCOMES + 10; i++) void r.recordOutcome(KEY, { kind: 'alertmanager', ok: true, messageIds: [i] });
    const first = r.plan(KEY, channel, undefined, {});
    expect(first.status.delivery?.sent).toBe(MAX_PENDING_OUTCOMES + 10);
    // 20 more arrive before the write returns: 20 of them push older ones into the summary.
    for (let i = 0; i < 20; i++) void r.recordOutcome(KEY, { kind: 'alertmanager', ok: true, messageIds: [1000 + i] });
    for (const after of first.afterWrite) after();
    const second = r.plan(KEY, channel, undefined, first.status);
    expect(second.status.delivery?.sent).toBe(MAX_PENDING_OUTCOMES + 10 + 20);
    expect(second.status.delivery?.lastMessageId).toBe(1019);
  });

  test('a very long error is not kept whole in memory', () => {
    const r = relay();
    void r.recordOutcome(KEY, { kind: 'alertmanager', ok: false, reason: 'Rejected', error: 'e'.repeat(1_000_000) });
    const plan = r.plan(KEY, channel, undefined, {});
    expect(plan.status.delivery!.lastError!.length).toBeLessThanOrEqual(4096 + 'Rejected: '.length);
  });
});
