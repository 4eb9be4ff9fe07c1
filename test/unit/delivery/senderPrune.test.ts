// The sender forgets bots that have been idle for a while (rotated tokens, deleted channels), but never
// one with work queued, a send running, or a Telegram pause (429) still to honour. Injected clock.
import { DEFAULT_RATE_LIMITS } from '../../../src/delivery/rateLimit.js';
import { BOT_IDLE_MS, Sender, type OutgoingMessage } from '../../../src/delivery/sender.js';
import { TelegramClient } from '../../../src/telegram/client.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';

let emu: TelegramEmulator;
let base: string;
let offset: number;
const clock = () => Date.now() + offset;
const observer = { rateLimitWait: () => {}, sent: () => {} };

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario());
  base = await emu.start();
  offset = 0;
});
afterEach(async () => {
  await emu.stop();
});

const msg = (token: string, text: string): OutgoingMessage => ({
  token,
  chatId: String(DEMO.chats.ops),
  parts: [text],
  options: {},
  source: 'alert',
});
const minutes = (n: number) => n * 60_000;
/** The second bot is in no chat: Telegram refuses at once, which is all these tests need from it. */
const other = (sender: Sender, text: string) => sender.send(msg(DEMO.otherBot.token, text)).catch(() => undefined);

test('an idle bot is forgotten after BOT_IDLE_MS; a bot used meanwhile is kept', async () => {
  const sender = new Sender(new TelegramClient(base), observer, DEFAULT_RATE_LIMITS, { now: clock });
  await sender.send(msg(DEMO.bot.token, 'one'));
  expect(sender.botCount).toBe(1);

  offset += BOT_IDLE_MS - minutes(2);
  await other(sender, 'two');
  expect(sender.botCount).toBe(2); // the first bot is quiet, but not for long enough yet

  offset += minutes(3);
  await other(sender, 'three');
  expect(sender.botCount).toBe(1); // the first bot was quiet for BOT_IDLE_MS + 1 min: gone

  // It comes back when needed, and sends as before.
  await sender.send(msg(DEMO.bot.token, 'four'));
  expect(sender.botCount).toBe(2);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['one', 'four']);
});

test('a bot with a message waiting is not forgotten, however long it has been since it was created', async () => {
  // One message per second per chat: the second message to the chat waits about a second.
  const sender = new Sender(new TelegramClient(base), observer, { ...DEFAULT_RATE_LIMITS, perChatBurst: 1 }, { now: clock });
  await sender.send(msg(DEMO.bot.token, 'first'));
  const waiting = sender.send(msg(DEMO.bot.token, 'second'));
  offset += BOT_IDLE_MS + minutes(5);
  await other(sender, 'other');
  expect(sender.botCount).toBe(2);
  await waiting;
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['first', 'second']);
});
