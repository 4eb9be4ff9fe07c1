// A real Alertmanager routes firing and then resolved alerts through the operator's webhook
// receiver into the Telegram emulator. With spec.alertmanager.resolved at its default (Edit), the
// resolved notification edits the firing message in place (SPEC, "Alert lifecycle in the chat").
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { operatorReceiverConfig, startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers } from '../harness/channels.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import type { OperatorProcess } from '../harness/operator.js';
import { stopAll } from '../harness/stopAll.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let am: AlertmanagerProcess;
const { channel, readyReason, get } = channelHelpers(() => ns);
const WEBHOOK_TOKEN = 'alertmanager-shared-secret-42';

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('am', { secrets: { 'am-webhook': { token: WEBHOOK_TOKEN } } }));
  await channel('oncall', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.forum),
    messageThreadId: 77,
    alertmanager: { tokenSecretRef: { name: 'am-webhook' } },
  });
  await readyReason('oncall', 'Verified');
  am = await startAlertmanager(operatorReceiverConfig(operator.url, { namespace: ns, name: 'oncall' }, WEBHOOK_TOKEN, ['alertname']));
});

afterAll(() => stopAll(am, operator, emulator));

test('firing then resolved alerts from a real Alertmanager arrive in the forum topic, the resolution as an edit', async () => {
  const startsAt = new Date().toISOString();
  const alert = {
    labels: { alertname: 'DiskAlmostFull', severity: 'warning', instance: 'node-<1>' },
    annotations: { summary: 'disk at 93% & growing' },
    startsAt,
  };
  await am.postAlerts([alert]);
  const firing = await eventually(
    async () => emulator.messagesTo(DEMO.chats.forum).find((m) => /FIRING/.test(m.text) && m.text.includes('DiskAlmostFull')),
    30_000,
    'firing message',
  );
  expect(firing.threadId).toBe(77);
  expect(firing.parseMode).toBe('HTML');
  expect(firing.text).toContain('node-<1>');
  expect(firing.text).toContain('disk at 93% & growing');

  await am.postAlerts([{ ...alert, endsAt: new Date().toISOString() }]);
  const resolved = await eventually(
    async () => emulator.messagesTo(DEMO.chats.forum).find((m) => /RESOLVED/.test(m.text) && m.text.includes('DiskAlmostFull')),
    30_000,
    'resolved message',
  );
  // The same message, edited: the chat holds one message for the episode, still in the topic.
  expect(resolved.messageId).toBe(firing.messageId);
  expect(resolved.edits).toBeGreaterThanOrEqual(1);
  expect(resolved.threadId).toBe(77);
  expect(emulator.messagesTo(DEMO.chats.forum).filter((m) => m.text.includes('DiskAlmostFull'))).toHaveLength(1);
  await eventually(async () => ((await get('oncall')).status?.delivery?.sent ?? 0) >= 2, 15_000, 'delivery counted in status');
});
