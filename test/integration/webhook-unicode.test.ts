// An Alertmanager payload with lone UTF-16 surrogates (valid JSON, invalid Unicode) is delivered with
// U+FFFD in their place, instead of Telegram refusing it and Alertmanager retrying it forever.
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers } from '../harness/channels.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import type { OperatorProcess } from '../harness/operator.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const { channel, readyReason } = channelHelpers(() => ns);
const AM_TOKEN = 'am-webhook-token-unicode-0123456789';

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('unicode', { secrets: { am: { token: AM_TOKEN } } }));
  const spec = { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.group), alertmanager: { tokenSecretRef: { name: 'am' } } };
  await channel('am', spec);
  await readyReason('am', 'Verified');
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

test('lone surrogates in labels and annotations arrive as U+FFFD, and the webhook answers 200', async () => {
  const raw = String.raw`{"version":"4","status":"firing","receiver":"telegram","groupKey":"{}:{alertname=\"Disk\"}",
    "alerts":[{"status":"firing","labels":{"alertname":"Disk\ud83d","zone\udc00":"eu"},
    "annotations":{"summary":"half an emoji: \ud83d!"},"startsAt":"2024-05-01T10:00:00Z"}]}`;
  const res = await fetch(`${operator.url}/webhooks/alertmanager/${ns}/am`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${AM_TOKEN}` },
    body: raw,
  });
  expect(res.status).toBe(200);
  const sent = emulator.messagesTo(DEMO.chats.group);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.text).toContain('half an emoji: \uFFFD!');
  expect(sent[0]!.text).toContain('Disk\uFFFD');
  expect(sent[0]!.text.isWellFormed()).toBe(true);
});
