// The sender on a fake clock and a scripted Telegram: buckets, 429 retry_after, coalescing and the stop,
// decided by time alone (no emulator, no real waiting). The emulator-backed tests (sender.test.ts)
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
