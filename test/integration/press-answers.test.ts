// A press is answered even while the bot may send nothing: answers are not messages, so they do not
// wait in the bot's send bucket. Two 429s in two chats within a second pause the whole bot for
// retry_after (Telegram's flood control); a press during that pause must still be answered at once,
// well within Telegram's 15 s, not after the pause. Real API server, the built operator, a real
// Alertmanager for the buttons' back channel, and the emulator.
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { channelHelpers } from '../harness/channels.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import type { OperatorProcess } from '../harness/operator.js';
import { stopAll } from '../harness/stopAll.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let am: AlertmanagerProcess;
const { channel, annotate, readyReason, conditionWhen } = channelHelpers(() => ns);
const WEBHOOK_TOKEN = 'press-answers-webhook-secret';
const OPS = DEMO.chats.ops;
const PAUSE_S = 20;

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('press-answers', {
    secrets: { 'am-webhook': { token: WEBHOOK_TOKEN } },
    env: (ns) => ({ POD_NAMESPACE: ns }),
    emulator: { limits: false },
  }));
  am = await startAlertmanager('route: {receiver: none}\nreceivers: [{name: none}]\n');
  await channel('oncall', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(OPS),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence: { url: am.url, allowedUserIds: [DEMO.users.olga] } },
  });
  await channel('team-a', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.group) });
  await channel('team-b', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.channel) });
  for (const name of ['oncall', 'team-a', 'team-b']) await readyReason(name, 'Verified', 30_000);
  await conditionWhen('oncall', 'Interactive', (c) => c.status === 'True', { timeoutMs: 30_000 });
});

afterAll(() => stopAll(operator, am, emulator));

test('a press while the whole bot is paused by 429s is answered during the pause, not after it', async () => {
  const res = await fetch(`${operator.url}/webhooks/alertmanager/${ns}/oncall`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${WEBHOOK_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(alertmanagerPayload([{ name: 'DiskFull', labels: { severity: 'page' } }], { groupKey: 'press-answers' })),
  });
  expect(res.status).toBe(200);
  const firing = await eventually(
    async () => emulator.messagesTo(OPS).find((m) => m.text.includes('DiskFull') && m.replyMarkup),
    15_000,
    'the firing message with its buttons',
  );

  // Two chats refused with 429 within a second: the operator pauses every send of the bot for retry_after.
  emulator.setFaults({ flood: { count: 2, retryAfter: PAUSE_S, methods: ['sendMessage'] } });
  await Promise.all([
    annotate('team-a', { 'telegram.notify.dev/alert': 'disk full on team A' }),
    annotate('team-b', { 'telegram.notify.dev/alert': 'disk full on team B' }),
  ]);
  const refused = await eventually(
    async () => {
      const r = emulator.requests.filter((q) => q.method === 'sendMessage' && q.status === 429);
      return r.length === 2 ? r : undefined;
    },
    15_000,
    'two sends refused with 429',
  );
  const pauseEnds = Math.max(...refused.map((r) => r.time)) + PAUSE_S * 1000;

  const press = emulator.pressButton(DEMO.bot.token, {
    chatId: OPS,
    messageId: firing.messageId,
    userId: DEMO.users.olga,
    button: '✋ Ack',
  });
  const answered = await eventually(
    async () => emulator.callbackQueries.find((q) => q.id === press.id && q.answer),
    2 * PAUSE_S * 1000,
    'the press answered',
  );
  // Judged on the emulator's own clock: the answer came while the bot was still paused, and before
  // any message of the bot got through again.
  expect(answered.answer!.time).toBeLessThan(pauseEnds);
  const sentSince = emulator.requests.filter((q) => q.method === 'sendMessage' && q.status === 200 && q.time > refused[0]!.time);
  expect(sentSince.filter((q) => q.time < answered.answer!.time)).toEqual([]);
  // The paused messages are not lost: both go out once the pause is over.
  await eventually(
    async () =>
      (emulator.messagesTo(DEMO.chats.group).some((m) => m.text.includes('team A')) &&
        emulator.messagesTo(DEMO.chats.channel).some((m) => m.text.includes('team B'))) ||
      undefined,
    2 * PAUSE_S * 1000,
    'both annotation alerts sent after the pause',
  );
}, 120_000);
