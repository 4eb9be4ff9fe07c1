// The per-bot sender against the emulator with Telegram's default limits switched on: it paces
// itself so Telegram never has to refuse, obeys retry_after when Telegram refuses anyway, retries
// transient failures, coalesces a storm, and drops a message whose caller gave up.
import { Sender, type OutgoingMessage } from '../../../src/delivery/sender.js';
import { TelegramClient } from '../../../src/telegram/client.js';
import { TelegramError } from '../../../src/telegram/errors.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';

let emu: TelegramEmulator;
let sender: Sender;
const waits: string[] = [];

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario());
  const base = await emu.start();
  waits.length = 0;
  sender = new Sender(new TelegramClient(base), { rateLimitWait: (scope) => waits.push(scope), sent: () => {} });
});
afterEach(async () => {
  await emu.stop();
});

const msg = (text: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  token: DEMO.bot.token,
  chatId: String(DEMO.chats.ops),
  parts: [text],
  options: {},
  source: 'alert',
  ...extra,
});
const sends = () => emu.requests.filter((r) => r.method === 'sendMessage');

test('five messages to one chat go out in order, paced by the sender, with no 429', async () => {
  const results = await Promise.all([1, 2, 3, 4, 5].map((i) => sender.send(msg(`message ${i}`))));
  expect(results.map((r) => r.messageIds.length)).toEqual([1, 1, 1, 1, 1]);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
  expect(sends().filter((r) => r.status === 429)).toHaveLength(0);
  expect(waits).toContain('chat');
});

test('a 429 from Telegram pauses the chat for retry_after, then the same message goes out once', async () => {
  emu.setFaults({ flood: { count: 1, retryAfter: 1, methods: ['sendMessage'] } });
  const d = await sender.send(msg('after the flood'));
  expect(d.messageIds).toHaveLength(1);
  expect(sends().map((r) => r.status)).toEqual([429, 200]);
  expect(waits).toContain('retry_after');
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['after the flood']);
});

test('transient 5xx failures are retried until Telegram accepts', async () => {
  emu.setFaults({ status5xx: { count: 2, code: 502 } });
  const d = await sender.send(msg('eventually'));
  expect(d.messageIds).toHaveLength(1);
  expect(sends().map((r) => r.status)).toEqual([502, 502, 200]);
});

test('a permanent refusal rejects with its kind and is not retried', async () => {
  const err = await sender.send(msg('nobody home', { chatId: String(DEMO.chats.kickedSupergroup) })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TelegramError);
  expect((err as TelegramError).kind).toBe('BotKicked');
  expect(sends()).toHaveLength(1);
});

test('a storm of coalescible messages to one chat arrives complete in fewer messages', async () => {
  const texts = Array.from({ length: 30 }, (_, i) => `alert ${i}: ${'x'.repeat(100)}`);
  await Promise.all(texts.map((t) => sender.send(msg(t, { coalesce: true }))));
  const received = emu.messagesTo(DEMO.chats.ops).map((m) => m.text);
  expect(received.length).toBeLessThan(5);
  const all = received.join('\n\n');
  for (const t of texts) expect(all).toContain(t);
  expect(received.every((t) => t.length <= 4096)).toBe(true);
  expect(sends().filter((r) => r.status === 429)).toHaveLength(0);
});

test('a message aborted while it waits for the rate limit is never sent', async () => {
  const first = sender.send(msg('first'));
  const cancel = new AbortController();
  const second = sender.send(msg('second', { signal: cancel.signal }));
  cancel.abort();
  await first;
  const err = await second.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TelegramError);
  expect((err as TelegramError).transient).toBe(true);
  await new Promise((r) => setTimeout(r, 1_200));
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['first']);
});

test('a multi-part message goes out part by part, in order', async () => {
  const d = await sender.send(msg('', { parts: ['(1/3)\npart one', '(2/3)\npart two', '(3/3)\npart three'] }));
  expect(d.messageIds).toHaveLength(3);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['(1/3)\npart one', '(2/3)\npart two', '(3/3)\npart three']);
});
