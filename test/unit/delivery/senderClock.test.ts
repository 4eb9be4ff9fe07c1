// The sender on a fake clock and a scripted Telegram: buckets (chat, group), 429 retry_after (one chat, the whole bot),
// coalescing and the stop, decided by time alone (no emulator, no real waiting). The emulator-backed tests (sender.test.ts)
// check the same behaviour against Telegram's answers.
import { Sender, SendingStopped, type Clock, type OutgoingMessage } from '../../../src/delivery/sender.js';
import type { SendMessageParams, TelegramClient } from '../../../src/telegram/client.js';
import { TelegramError } from '../../../src/telegram/errors.js';

/** Time moves only when the test says; sleepers wake in order of their deadline. */
class FakeClock implements Clock {
  t = 0;
  private sleepers: { at: number; wake: () => void }[] = [];
  now = () => this.t;
  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const s = { at: this.t + ms, wake: resolve };
      this.sleepers.push(s);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  /** Runs everything due within `ms`, then sets the clock to the end. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.sleepers.splice(this.sleepers.indexOf(due), 1);
      this.t = Math.max(this.t, due.at);
      due.wake();
    }
    this.t = end;
    await flush();
  }
}
const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

/** Telegram as a script: each sendMessage is recorded with the fake time; `refuse` answers the next ones. */
function scriptedTelegram(clock: FakeClock) {
  const calls: { at: number; text: string }[] = [];
  const refuse: TelegramError[] = [];
  let nextId = 1;
  const telegram = {
    sendMessage: (_token: string, p: SendMessageParams) => {
      calls.push({ at: clock.now(), text: p.text });
      const err = refuse.shift();
      return err ? Promise.reject(err) : Promise.resolve({ message_id: nextId++, chat: { id: -1 } });
    },
  } as unknown as TelegramClient;
  return { telegram, calls, refuse };
}

const limits = { perBotPerSecond: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20 };
const msg = (text: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  token: '1:bot',
  chatId: '12345',
  parts: [text],
  options: {},
  source: 'alert',
  ...extra,
});

let clock: FakeClock;
let tg: ReturnType<typeof scriptedTelegram>;
let sender: Sender;
const waits: string[] = [];
beforeEach(() => {
  clock = new FakeClock();
  tg = scriptedTelegram(clock);
  waits.length = 0;
  sender = new Sender(tg.telegram, { rateLimitWait: (s) => waits.push(s), sent: () => {} }, limits, clock);
});

test('a chat gets its burst, then one a second, kept 100 ms behind the edge of Telegram’s budget', async () => {
  const all = Promise.all([1, 2, 3, 4, 5].map((i) => sender.send(msg(`m${i}`))));
  await clock.advance(5_000);
  await all;
  expect(tg.calls.map((c) => c.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  expect(tg.calls.map((c) => c.at)).toEqual([0, 0, 100, 1_100, 2_100]);
  expect(waits).toContain('chat');
});

test('a 429 pauses the chat for exactly retry_after, then the same message goes again', async () => {
  tg.refuse.push(new TelegramError({ kind: 'RateLimited', message: '429', method: 'sendMessage', retryAfterSeconds: 7 }));
  const sent = sender.send(msg('after the flood'));
  await clock.advance(6_999);
  expect(tg.calls).toHaveLength(1);
  await clock.advance(1);
  expect((await sent).messageIds).toEqual([1]);
  expect(tg.calls.map((c) => c.at)).toEqual([0, 7_000]);
  expect(waits).toContain('retry_after');
});

test('transient failures back off 1 s, 2 s, 4 s', async () => {
  for (let i = 0; i < 3; i++) tg.refuse.push(new TelegramError({ kind: 'Unavailable', message: '502', method: 'sendMessage' }));
  const sent = sender.send(msg('eventually'));
  await clock.advance(10_000);
  await sent;
  expect(tg.calls.map((c) => c.at)).toEqual([0, 1_000, 3_000, 7_000]);
});

test('notifications arriving within 250 ms of each other go out as one message', async () => {
  const first = sender.send(msg('a', { coalesce: true }));
  await clock.advance(100);
  const second = sender.send(msg('b', { coalesce: true }));
  await clock.advance(200);
  expect(await Promise.all([first, second])).toEqual([{ messageIds: [1] }, { messageIds: [1] }]);
  expect(tg.calls).toEqual([{ at: 250, text: 'a\n\nb' }]);
});

test('stopping ends the waits at once: queued messages are rejected and drain resolves without time passing', async () => {
  tg.refuse.push(new TelegramError({ kind: 'RateLimited', message: '429', method: 'sendMessage', retryAfterSeconds: 30 }));
  const paused = sender.send(msg('paused for 30 s')).catch((e: unknown) => e);
  await clock.advance(10);
  sender.stopAccepting();
  const drained = sender.drain(60_000);
  await flush();
  expect(await drained).toBe(true);
  expect(await paused).toBeInstanceOf(SendingStopped);
  expect(clock.t).toBe(10);
  expect(tg.calls).toHaveLength(1);
});

test('drain with something still queued answers false at its deadline', async () => {
  const waiting = Promise.all([1, 2, 3, 4].map((i) => sender.send(msg(`m${i}`))));
  const drained = sender.drain(500);
  await clock.advance(500);
  expect(await drained).toBe(false);
  await clock.advance(1_000);
  await waiting;
  expect(await sender.drain(1)).toBe(true);
});

/** Sends `count` messages to one chat; when each of those that reached Telegram within a minute went (ms after the first). */
async function minuteOfSends(chatId: string, count: number): Promise<number[]> {
  const all = Promise.all(Array.from({ length: count }, (_, i) => sender.send(msg(`${chatId} #${i}`, { chatId }))));
  const start = clock.t;
  await clock.advance(60_000);
  const times = tg.calls.filter((c) => c.text.startsWith(`${chatId} #`)).map((c) => c.at - start);
  await clock.advance(60_000);
  await all;
  return times;
}
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

test('a basic group (a negative id without -100) keeps the 20-a-minute group pace, like a supergroup and a channel', async () => {
  const privateChat = await minuteOfSends('12345', 50);
  // The chat pace alone: the burst, then one a second; all 50 within the minute.
  expect(privateChat).toHaveLength(50);
  expect(gaps(privateChat).slice(2)).toEqual(Array(47).fill(1_000));
  expect(waits).not.toContain('group');
  for (const group of ['-4567', '-1001234567890', '@alerts_channel']) {
    waits.length = 0;
    const times = await minuteOfSends(group, 50);
    // One a second while the group bucket (20, refilled at 20 a minute) lasts, then one every 3 s.
    expect({ group, sent: times.length, lastGaps: gaps(times).slice(-10) }).toEqual({ group, sent: 39, lastGaps: Array(10).fill(3_000) });
    expect(waits).toContain('group');
  }
});

test('429s for two chats within a second pause the whole bot: a third chat waits out retry_after too', async () => {
  const rateLimited = () => new TelegramError({ kind: 'RateLimited', message: '429', method: 'sendMessage', retryAfterSeconds: 5 });
  tg.refuse.push(rateLimited(), rateLimited());
  const first = sender.send(msg('to A', { chatId: '111' }));
  const second = sender.send(msg('to B', { chatId: '222' }));
  await clock.advance(10);
  expect(tg.calls.map((c) => c.text)).toEqual(['to A', 'to B']);
  const third = sender.send(msg('to C', { chatId: '333' }));
  await clock.advance(4_989);
  expect(tg.calls.map((c) => c.text)).toEqual(['to A', 'to B']);
  await clock.advance(1);
  await Promise.all([first, second, third]);
  expect(tg.calls.filter((c) => c.text === 'to C').map((c) => c.at)).toEqual([5_000]);
});

test('a 429 for one chat alone pauses only that chat', async () => {
  tg.refuse.push(new TelegramError({ kind: 'RateLimited', message: '429', method: 'sendMessage', retryAfterSeconds: 5 }));
  const first = sender.send(msg('to A', { chatId: '111' }));
  await clock.advance(10);
  const other = sender.send(msg('to C', { chatId: '333' }));
  await clock.advance(10);
  expect(tg.calls.map((c) => [c.text, c.at])).toEqual([
    ['to A', 0],
    ['to C', 10],
  ]);
  await clock.advance(5_000);
  await Promise.all([first, other]);
  expect(tg.calls.map((c) => [c.text, c.at])).toEqual([
    ['to A', 0],
    ['to C', 10],
    ['to A', 5_000],
  ]);
});
