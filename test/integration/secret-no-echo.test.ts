// Issue 11 item 1, end to end: whoever may create a TelegramChannel must not be able to read another
// Secret through it. A channel pointing chatIdSecretRef at {name: db-creds, key: password}, one whose
// Secret has token and chatId swapped, and one whose tokenSecretRef points at the password: none of
// their Secret characters may appear in status, in the namespace's Events, in the operator's logs or
// in the webhook's answer.
import { randomInt } from 'node:crypto';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { G, channelHelpers, cond } from '../harness/channels.js';
import { eventually } from '../harness/kube.js';
import type { OperatorProcess } from '../harness/operator.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';

/**
 * Characters that hardly occur in anything the operator writes (no vowels, no hex, no digits), so a
 * 4-character run of them found in a log or an Event can only have come from the Secret.
 */
const RARE = 'BCDFGJKLMNQRSVWXZ';
const rare = (n: number, extra = '') => Array.from({ length: n }, () => (RARE + extra)[randomInt((RARE + extra).length)]).join('');

const PASSWORD = `${rare(12, '!#%')}!${rare(12, '!#%')}`;
const SWAPPED_TOKEN = `7000000009:AA${rare(33, '_')}`;
const SWAPPED_CHAT_ID = '-1009876543210';
const WEBHOOK_BEARER = 'webhook-bearer-for-no-echo';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const { core, custom, secret, channel, readyReason } = channelHelpers(() => ns);

/** The 4-character runs of `secret` that occur in `text`. */
function leaked(text: string, secretValue: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i + 4 <= secretValue.length; i++) {
    const four = secretValue.slice(i, i + 4);
    if (text.includes(four)) found.add(four);
  }
  return [...found];
}

const payload = () => alertmanagerPayload([{ name: 'NoEcho' }]);

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('noecho', {
    secrets: {
      'db-creds': { username: 'admin', password: PASSWORD },
      swapped: { token: SWAPPED_CHAT_ID, chatId: SWAPPED_TOKEN },
      am: { token: WEBHOOK_BEARER },
    },
  }));
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

test('a password, a swapped token and a swapped chat id appear in no status, Event, log line or webhook answer', async () => {
  const alertmanager = { tokenSecretRef: { name: 'am' } };
  const ops = String(DEMO.chats.ops);
  const password = { name: 'db-creds', key: 'password' };
  await channel('password-as-chat', { tokenSecretRef: { name: 'bot' }, chatIdSecretRef: password, alertmanager });
  const [swappedToken, swappedChat] = [
    { name: 'swapped', key: 'token' },
    { name: 'swapped', key: 'chatId' },
  ];
  await channel('swapped', { tokenSecretRef: swappedToken, chatIdSecretRef: swappedChat, alertmanager });
  await channel('password-as-token', { tokenSecretRef: password, chatId: ops, alertmanager });
  await channel('missing-key', { tokenSecretRef: { name: 'db-creds', key: 'token' }, chatId: ops });

  const pwChat = await readyReason('password-as-chat', 'InvalidChatId');
  const swapped = await readyReason('swapped', 'InvalidTokenFormat');
  const pwToken = await readyReason('password-as-token', 'InvalidTokenFormat');
  const missing = await readyReason('missing-key', 'SecretKeyNotFound');

  // The webhook's answer repeats the Ready message of a channel that is not Ready.
  const answers: string[] = [];
  for (const name of ['password-as-chat', 'swapped', 'password-as-token']) {
    const r = await fetch(`${operator.url}/webhooks/alertmanager/${ns}/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_BEARER}` },
      body: JSON.stringify(payload()),
    });
    expect(r.status).toBe(503);
    answers.push(await r.text());
  }
  // Warning Events are written for each failing channel.
  const events = await eventually(
    async () => {
      const list = await core.listNamespacedEvent({ namespace: ns });
      return list.items.filter((e) => e.type === 'Warning').length >= 4 ? list : undefined;
    },
    20_000,
    'a Warning Event per channel',
  );

  const status = JSON.stringify(await custom.listNamespacedCustomObject({ ...G, namespace: ns }));
  const everything: Record<string, string> = {
    status,
    events: JSON.stringify(events),
    logs: operator.output(),
    webhook: answers.join('\n'),
  };
  expect(everything.logs).toMatch(/InvalidChatId/); // the log really carries the reconcile lines
  const secrets = { PASSWORD, SWAPPED_TOKEN_SECRET: SWAPPED_TOKEN.split(':')[1]! };
  for (const [where, text] of Object.entries(everything)) {
    for (const [what, value] of Object.entries(secrets)) {
      expect({ where, what, leaked: leaked(text, value) }).toEqual({ where, what, leaked: [] });
    }
    // A chat id stored as the token did not validate as a token: not shown either (digits only, so
    // compared whole; runs of 4 digits occur in any log).
    expect({ where, shown: text.includes(SWAPPED_CHAT_ID) }).toEqual({ where, shown: false });
  }

  // What a user sees instead: where the value came from, its length and its shape.
  expect(cond(pwChat, 'Ready')?.message).toBe(
    `the chat id in Secret ${ns}/db-creds key "password" is not valid (${PASSWORD.length} characters, has letters and punctuation): ` +
      'use a number such as -1001234567890 (groups and channels are negative) or @channelusername',
  );
  expect(cond(swapped, 'TokenValid')?.message).toMatch(/is not a bot token \(14 characters, looks like a chat id\)/);
  expect(cond(swapped, 'ChatReachable')?.message).toMatch(/key "chatId" is not valid \(46 characters, looks like a bot token\)/);
  expect(cond(pwToken, 'Ready')?.message).toMatch(/key "password" is not a bot token \(25 characters, has letters and punctuation\)/);
  expect(cond(missing, 'Ready')?.message).toBe(`Secret ${ns}/db-creds has no key "token" (it has 2 other keys)`);

  // Key names are not listed either.
  expect(cond(missing, 'Ready')?.message).not.toMatch(/username|password/);
  expect(answers.join('\n')).toMatch(/not Ready \(InvalidChatId: the chat id in Secret .* is not valid \(25 characters/);
});

test('a chat id read from a Secret (a PIN-like number) is not shown before Telegram confirmed the chat', async () => {
  const PIN = '4921';
  await secret('pin', { code: PIN });
  await channel('pin-as-chat', { tokenSecretRef: { name: 'bot' }, chatIdSecretRef: { name: 'pin', key: 'code' } });
  const ch = await readyReason('pin-as-chat', 'ChatNotFound', 30_000);
  const events = await eventually(
    async () => {
      const list = await core.listNamespacedEvent({ namespace: ns });
      return list.items.some((e) => e.involvedObject.name === 'pin-as-chat') ? list : undefined;
    },
    20_000,
    'an Event for the channel',
  );
  // Where the value was read from, not the value.
  expect(cond(ch, 'Ready')?.message).toBe(
    `the chat whose id is in Secret ${ns}/pin key "code" not found: check the id, and that the bot was added to the chat`,
  );
  const status = JSON.stringify(await custom.listNamespacedCustomObject({ ...G, namespace: ns }));
  const logs = operator.output();
  expect(logs).toMatch(/ChatNotFound/); // the log really carries the reconcile lines
  // The number alone, not as part of a longer one (timestamps, ports): -4921, -1004921 and "4921" all count.
  const pin = /(?<![0-9])(-(100)?)?4921(?![0-9])/;
  for (const [where, text] of Object.entries({ status, events: JSON.stringify(events), logs })) {
    expect({ where, shown: pin.exec(text)?.[0] }).toEqual({ where, shown: undefined });
  }
});
