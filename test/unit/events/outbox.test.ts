// A channel's outbox against a scripted chat and a fake clock: one operation at a time, repeats edit,
// past the chat's budget new objects fold into one "and N more" message edited in place, a deleted
// message is sent anew, a transient failure is tried again.
import { jest } from '@jest/globals';
import pino from 'pino';
import { DeliveryError } from '../../../src/delivery/deliveryError.js';
import type { EditResult, Target } from '../../../src/delivery/messageOperations.js';
import type { Delivery } from '../../../src/delivery/sender.js';
import { Aggregates } from '../../../src/events/aggregation.js';
import { ChannelOutbox, NEW_MESSAGES_BURST, type ChatOperations } from '../../../src/events/outbox.js';
import { TelegramError } from '../../../src/telegram/errors.js';
import { T0, warningEvent } from './fixtures.js';

const WINDOW = 600_000;
const target = {} as Target;

class ScriptedChat implements ChatOperations {
  calls: { op: 'send' | 'edit'; messageId?: number; text: string }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  nextId = 100;
  editAnswer: EditResult = 'edited';
  sendFailures = 0;
  async send(_to: Target, req: { parts: string[] }): Promise<Delivery> {
    return this.op(() => {
      if (this.sendFailures > 0) {
        this.sendFailures--;
        const error = new TelegramError({ kind: 'Unavailable', message: 'busy', method: 'sendMessage' });
        throw new DeliveryError(error);
      }
      this.calls.push({ op: 'send', text: req.parts[0]! });
      return { messageIds: [this.nextId++] };
    });
  }
  async editText(_to: Target, edit: { messageId: number; text: string }): Promise<EditResult> {
    return this.op(() => {
      this.calls.push({ op: 'edit', messageId: edit.messageId, text: edit.text });
      return this.editAnswer;
    });
  }
  private async op<T>(answer: () => T): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await Promise.resolve();
    this.inFlight--;
    return answer();
  }
}

function setup() {
  let now = T0;
  const chat = new ScriptedChat();
  const aggregates = new Aggregates();
  let saves = 0;
  const outbox = new ChannelOutbox({
    channelKey: 'team-a/ch',
    aggregates,
    service: chat,
    target: () => Promise.resolve(target),
    windowMs: () => WINDOW,
    changed: () => saves++,
    now: () => now,
    log: pino({ level: 'silent' }),
  });
  const observe = (over: Parameters<typeof warningEvent>[0]) => {
    const a = aggregates.observe('team-a/ch', WINDOW, warningEvent({ lastSeenMs: now, ...over }), now);
    if (a) outbox.mark(a.key);
  };
  const settle = async () => {
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  };
  return { chat, outbox, observe, settle, saves: () => saves, advance: (ms: number) => (now += ms) };
}

test('a new object is sent; its repeats edit the same message, changes that waited folded into one edit', async () => {
  const { chat, observe, settle, saves } = setup();
  observe({ count: 1 });
  await settle();
  observe({ count: 2 });
  observe({ count: 3 });
  await settle();
  expect(chat.calls.map((c) => c.op)).toEqual(['send', 'edit']);
  expect(chat.calls[1]).toMatchObject({ messageId: 100 });
  expect(chat.calls[1]!.text).toContain('×3');
  expect(chat.maxInFlight).toBe(1);
  expect(saves()).toBeGreaterThan(0);
});

test('past the burst budget new objects fold into one "and N more" message, edited in place as more come', async () => {
  const { chat, observe, settle } = setup();
  for (let i = 0; i < 40; i++) observe({ object: `pod-${i}` });
  await settle();
  const sends = chat.calls.filter((c) => c.op === 'send');
  expect(sends).toHaveLength(NEW_MESSAGES_BURST + 1);
  expect(sends.at(-1)!.text).toContain(`and ${40 - NEW_MESSAGES_BURST} more`);
  for (let i = 40; i < 50; i++) observe({ object: `pod-${i}` });
  await settle();
  expect(chat.calls.filter((c) => c.op === 'send')).toHaveLength(NEW_MESSAGES_BURST + 1);
  const last = chat.calls.at(-1)!;
  expect(last).toMatchObject({ op: 'edit', messageId: sends.at(-1)!.messageId ?? 100 + NEW_MESSAGES_BURST });
  expect(last.text).toContain(`and ${50 - NEW_MESSAGES_BURST} more`);
});

test('once the burst is over, a new object gets a message of its own again', async () => {
  const { chat, observe, settle, advance } = setup();
  for (let i = 0; i < NEW_MESSAGES_BURST; i++) observe({ object: `pod-${i}` });
  await settle();
  advance(11_000);
  observe({ object: 'later' });
  await settle();
  expect(chat.calls.filter((c) => c.op === 'send').at(-1)!.text).toContain('later');
  expect(chat.calls.some((c) => c.text.includes('more'))).toBe(false);
});

test('a message deleted in the chat is sent anew; a transient failure is tried again', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  try {
    const { chat, observe, settle } = setup();
    chat.sendFailures = 1;
    observe({ count: 1 });
    await settle();
    expect(chat.calls).toHaveLength(0);
    jest.advanceTimersByTime(5_000);
    await settle();
    expect(chat.calls.map((c) => c.op)).toEqual(['send']);
    chat.editAnswer = 'gone';
    observe({ count: 2 });
    await settle();
    expect(chat.calls.map((c) => c.op)).toEqual(['send', 'edit', 'send']);
    expect(chat.calls[2]!.text).toContain('×2');
  } finally {
    jest.useRealTimers();
  }
});
