// How the reconciler writes status: cut to the CRD's limits, and a 409 on the counters keeps the
// delivery outcomes for the next attempt instead of losing or double-counting them.
import type { ChannelStatus, TelegramChannel } from '../../../src/api/types.js';
import { deliveryStatus } from '../../../src/controller/deliveryStatus.js';
import { ChannelReconciler } from '../../../src/controller/channelReconciler.js';
import { DeliveryLedger } from '../../../src/delivery/ledger.js';
import { AnnotationRelay } from '../../../src/delivery/annotationRelay.js';
import type { DeliveryService } from '../../../src/delivery/service.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createLogger } from '../../../src/observability/log.js';
import { alwaysVerified } from '../../harness/verified.js';

function setup(write: (ch: TelegramChannel, patch: Record<string, unknown>) => Promise<TelegramChannel>) {
  const ch: TelegramChannel = {
    metadata: { name: 'ops', namespace: 'ns', generation: 1, resourceVersion: '10' },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001' },
  };
  const metrics = createMetrics();
  const log = createLogger('silent');
  const ledger = new DeliveryLedger({ log, requeue: () => {}, chatFailed: () => {} });
  const relay = new AnnotationRelay({ service: {} as DeliveryService, ledger, recordEvent: () => {}, metrics, log });
  const r = new ChannelReconciler({
    channels: { getChannel: () => ch },
    contributors: [alwaysVerified(), deliveryStatus(relay)],
    channelState: [],
    writeStatus: write,
    recordEvent: () => {},
    log,
    metrics,
  });
  return { r, ledger, ch };
}

const applied = (ch: TelegramChannel, patch: Record<string, unknown>, rv: string): TelegramChannel => {
  const status = { ...(ch.status ?? {}), ...(patch as ChannelStatus) };
  if (patch.delivery) status.delivery = { ...(ch.status?.delivery ?? {}), ...patch.delivery };
  return { ...ch, metadata: { ...ch.metadata, resourceVersion: rv }, status };
};

test('a 409 on a counter write keeps the outcome: folded again into the newer status, counted once', async () => {
  const writes: Record<string, unknown>[] = [];
  let conflict = false;
  const { r, ledger, ch } = setup(async (c, patch) => {
    writes.push(patch);
    if (conflict) {
      conflict = false;
      const body = JSON.stringify({ reason: 'Conflict', message: 'the object has been modified' });
      throw Object.assign(new Error('HTTP-Code: 409'), { code: 409, body });
    }
    return applied(c, patch, String(Number(c.metadata.resourceVersion) + 1));
  });
  await r.reconcile('ns/ops');
  expect(ch.metadata.resourceVersion).toBe('11'); // the written version is what the next counter write is based on

  const recorded = ledger.record('ns/ops', { kind: 'alertmanager', ok: true, messageIds: [77] });
  conflict = true;
  await expect(r.reconcile('ns/ops')).rejects.toThrow(/409 Conflict/);
  // Meanwhile another writer counted 4 sends; the watch brings the newer object.
  ch.status = { ...ch.status, delivery: { sent: 4 } };
  ch.metadata.resourceVersion = '20';
  await r.reconcile('ns/ops');
  await recorded;
  expect(ch.status?.delivery?.sent).toBe(5);
  expect(ch.status?.delivery?.lastMessageId).toBe(77);
  // Nothing left to fold: the next reconcile writes nothing.
  const n = writes.length;
  await r.reconcile('ns/ops');
  expect(writes).toHaveLength(n);
});

test('an over-long lastError is written cut to the CRD limit, and not rewritten on every reconcile', async () => {
  const writes: Record<string, unknown>[] = [];
  const { r, ledger, ch } = setup(async (c, patch) => (writes.push(patch), applied(c, patch, '11')));
  await r.reconcile('ns/ops');
  void ledger.record('ns/ops', { kind: 'alertmanager', ok: false, reason: 'Rejected', error: 'e'.repeat(10_000) });
  await r.reconcile('ns/ops');
  expect(ch.status?.delivery?.lastError?.length).toBe(4096);
  const n = writes.length;
  await r.reconcile('ns/ops');
  expect(writes).toHaveLength(n);
});
