// Status writes under huge or concurrent input, on the real control plane: a status string longer than
// the CRD allows must not freeze the channel's status (every patch refused with 422), and counters
// written from a stale read must not undo someone else's increment.
import * as k8s from '@kubernetes/client-node';
import type { TelegramChannel } from '../../src/api/types.js';
import { patchChannelStatus } from '../../src/kube/channels.js';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers, cond, G } from '../harness/channels.js';
import { startEmulatedNamespace } from '../harness/emulatedOperator.js';
import { eventually, statusOf } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';

let ns: string;
let emulator: TelegramEmulator;
let emulatorUrl: string;
let operator: OperatorProcess | undefined;
const { core, custom, channel, get, annotate, readyReason, channelWhen, deliveryError } = channelHelpers(() => ns);
const env = () => ({ TELEGRAM_API_URL: emulatorUrl, WATCH_NAMESPACE: ns, RESYNC_PERIOD_SECONDS: '10' });
const sentTo = (chatId: number) => emulator.messagesTo(chatId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ALERT = 'telegram.notify.dev/alert';
const ALERT_ID = 'telegram.notify.dev/alert-id';

beforeAll(async () => {
  ({ ns, emulator, url: emulatorUrl } = await startEmulatedNamespace('limits'));
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

describe('huge inputs never freeze a channel status', () => {
  beforeAll(async () => {
    operator = await startOperator(env());
  });
  afterAll(async () => {
    await operator?.stop();
    operator = undefined;
  });

  test('a 5,000-character tag: InvalidMarkup is recorded with a short error, conditions stay fresh, one Warning', async () => {
    await channel('tag', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.group), parseMode: 'HTML' });
    await readyReason('tag', 'Verified');
    await annotate('tag', { [ALERT]: `<${'x'.repeat(5000)}>disk full</${'x'.repeat(5000)}>` });
    const broken = await channelWhen(
      'tag',
      (c) => !!c.status?.delivery?.lastError?.startsWith('InvalidMarkup') && !c.status.delivery.pendingAlertDigest,
      20_000,
      'InvalidMarkup recorded',
    );
    expect(broken.status!.delivery!.lastError!.length).toBeLessThanOrEqual(4096);
    expect(broken.status!.delivery!.lastError).toContain(`<${'x'.repeat(64)}…>`);
    expect(broken.status!.delivery).toMatchObject({ failed: 1 });
    expect(broken.status!.delivery!.lastAlertDigest).toMatch(/^sha256:/);

    // The status still follows the spec: a spec change shows up in the conditions.
    await custom.patchNamespacedCustomObject(
      { ...G, namespace: ns, name: 'tag', body: { spec: { disableNotification: true } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await eventually(
      async () => {
        const c = await get('tag');
        return cond(c, 'Ready')?.observedGeneration === c.metadata.generation && c.status?.observedGeneration === c.metadata.generation;
      },
      20_000,
      'conditions observe the new generation',
    );

    // Past a resync: the failure was reported once, not on every reconcile.
    await sleep(11_000);
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=tag,reason=InvalidMarkup' });
    expect(events.items).toHaveLength(1);
    expect(Buffer.byteLength(events.items[0]!.message ?? '')).toBeLessThanOrEqual(1024);
    expect((await get('tag')).status!.delivery!.failed).toBe(1);
  }, 60_000);

  test('a ~250 KiB annotation with broken markup at its end: a short error, nothing sent', async () => {
    await channel('big', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.channel), parseMode: 'HTML' });
    await readyReason('big', 'Verified');
    const before = sentTo(DEMO.chats.channel).length;
    const text = `${'all fine here\n'.repeat(18_000)}<${'y'.repeat(3000)}>`; // 252,000 + 3,002 characters
    await annotate('big', { [ALERT]: text });
    const c = await deliveryError('big', 'InvalidMarkup', 20_000, 'InvalidMarkup on the huge annotation');
    expect(c.status!.delivery!.lastError!.length).toBeLessThan(400);
    expect(c.status!.delivery!.lastError).toContain('position 252000');
    expect(sentTo(DEMO.chats.channel)).toHaveLength(before);
  });

  test('an annotation over the API server limit is refused to the user; the channel keeps working', async () => {
    await channel('over', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
    await readyReason('over', 'Verified');
    let code: number | undefined;
    try {
      await annotate('over', { [ALERT]: 'z'.repeat(1024 * 1024) });
    } catch (e) {
      code = statusOf(e);
    }
    expect(code).toBe(422);
    await annotate('over', { [ALERT]: 'after the refused one' });
    await eventually(async () => sentTo(DEMO.chats.ops).some((m) => m.text === 'after the refused one'), 20_000, 'next alert sent');
  });

  test('a 5,000-character alert-id: sent once, recorded, and not sent again after a restart', async () => {
    await channel('longid', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
    await readyReason('longid', 'Verified');
    await annotate('longid', { [ALERT]: 'node-7 unreachable', [ALERT_ID]: 'i'.repeat(5000) });
    await channelWhen(
      'longid',
      (c) => !!c.status?.delivery?.lastAlertDigest && !c.status.delivery.pendingAlertDigest && c.status.delivery.sent === 1,
      20_000,
      'alert recorded',
    );
    await operator!.stop();
    operator = await startOperator(env());
    await sleep(3_000);
    expect(sentTo(DEMO.chats.ops).filter((m) => m.text === 'node-7 unreachable')).toHaveLength(1);
  }, 60_000);
});

describe('delivery counters and concurrent writers', () => {
  test('a counter write based on a stale resourceVersion is refused (409) and does not undo a newer increment', async () => {
    await channel('counters', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const writeSent = (sent: number) =>
      custom.patchNamespacedCustomObjectStatus({ ...G, namespace: ns, name: 'counters', body: { status: { delivery: { sent } } } }, merge);
    await writeSent(5);
    const stale = (await get('counters')) as unknown as TelegramChannel;

    // Someone else counts a send: 5 → 6.
    await writeSent(6);

    // The operator, from its stale copy (5), counts its own send: it must not write 6 over the other 6.
    let code: number | undefined;
    try {
      await patchChannelStatus(custom, stale, { delivery: { sent: (stale.status!.delivery!.sent ?? 0) + 1 } });
    } catch (e) {
      code = statusOf(e);
    }
    expect(code).toBe(409);
    expect((await get('counters')).status!.delivery!.sent).toBe(6);

    // Folded again on the fresh object, the increment lands: 7.
    const fresh = (await get('counters')) as unknown as TelegramChannel;
    await patchChannelStatus(custom, fresh, { delivery: { sent: fresh.status!.delivery!.sent! + 1 } });
    expect((await get('counters')).status!.delivery!.sent).toBe(7);

    // Writes that do not touch the counters need no precondition (conditions are whole, not increments).
    const updated = await patchChannelStatus(custom, stale, { observedGeneration: 1 });
    expect(updated.status?.observedGeneration).toBe(1);
    expect(updated.status?.delivery?.sent).toBe(7);
  });
});
