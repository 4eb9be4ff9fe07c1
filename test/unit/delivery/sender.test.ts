// The per-bot sender against the emulator with Telegram's default limits switched on: it paces
// itself so Telegram never has to refuse, obeys retry_after when Telegram refuses anyway, retries
// transient failures, coalesces a storm, and drops a message whose caller gave up.
import { Semaphore } from 'async-mutex';
import { Permit } from '../../../src/delivery/admission.js';
import { DEFAULT_RATE_LIMITS } from '../../../src/delivery/rateLimit.js';
import { Sender } from '../../../src/delivery/sender.js';
import { TelegramClient } from '../../../src/telegram/client.js';
import { DeliveryError } from '../../../src/delivery/deliveryError.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';
import { outgoingAlert as msg, sendMessageCalls } from '../../harness/outgoing.js';

let emu: TelegramEmulator;
let sender: Sender;
/** One message per second per chat, no burst: the second message to a chat always waits. */
let strictSender: Sender;
const waits: string[] = [];

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario());
  const base = await emu.start();
  waits.length = 0;
  const observer = { rateLimitWait: (scope: string) => waits.push(scope), sent: () => {} };
  sender = new Sender(new TelegramClient(base), observer);
  strictSender = new Sender(new TelegramClient(base), observer, { ...DEFAULT_RATE_LIMITS, perChatBurst: 1 });
});
afterEach(async () => {
  await emu.stop();
});

const sends = () => sendMessageCalls(emu);

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

test('a permanent refusal rejects with the delivery error of its kind and is not retried', async () => {
  const err = await sender.send(msg('nobody home', { chatId: String(DEMO.chats.kickedSupergroup) })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeliveryError);
  expect(err).toMatchObject({ reason: 'BotKicked', transient: false, telegram: { kind: 'BotKicked' } });
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

test('a storm routed over two forum topics, interleaved: each topic gets its alerts in one message, in order, no 429', async () => {
  const forum = String(DEMO.chats.forum);
  // As routes by severity queue them: critical (topic 42) and warnings (topic 77, silent) interleaved.
  const queued = Array.from({ length: 9 }, (_, i) => {
    const critical = i % 3 === 0;
    const options = critical ? { message_thread_id: 42 } : { message_thread_id: 77, disable_notification: true };
    return { text: `${critical ? 'critical' : 'warning'} ${i}: ${'x'.repeat(100)}`, thread: options.message_thread_id, options };
  });
  await Promise.all(queued.map((q) => sender.send(msg(q.text, { chatId: forum, coalesce: true, options: q.options }))));
  const received = emu.messagesTo(DEMO.chats.forum);
  expect(received.map((m) => [m.threadId, m.text])).toEqual([
    [
      42,
      queued
        .filter((q) => q.thread === 42)
        .map((q) => q.text)
        .join('\n\n'),
    ],
    [
      77,
      queued
        .filter((q) => q.thread === 77)
        .map((q) => q.text)
        .join('\n\n'),
    ],
  ]);
  expect(received[1]!.options.disableNotification).toBe(true);
  expect(sends().filter((r) => r.status === 429)).toHaveLength(0);
});

test('a notification waits a moment for company: two arriving 100 ms apart travel as one message', async () => {
  const first = sender.send(msg('notification A', { coalesce: true }));
  await new Promise((r) => setTimeout(r, 100));
  const second = sender.send(msg('notification B', { coalesce: true }));
  const [a, b] = await Promise.all([first, second]);
  expect(a.messageIds).toEqual(b.messageIds);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['notification A\n\nnotification B']);
});

test('a storm of messages too long to merge: three at once, then one a second, and no 429', async () => {
  // Each needs a message of its own; the first waits its moment for company before going out.
  const texts = Array.from({ length: 5 }, (_, i) => `long notification ${i}\n${'y'.repeat(3000)}`);
  await Promise.all(texts.map((t) => sender.send(msg(t, { coalesce: true }))));
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(texts);
  expect(sends().filter((r) => r.status === 429)).toHaveLength(0);
  expect(waits).toContain('chat');
});

test('a message aborted while it waits for the rate limit is never sent', async () => {
  const first = strictSender.send(msg('first'));
  const cancel = new AbortController();
  const second = strictSender.send(msg('second', { signal: cancel.signal }));
  await new Promise((r) => setTimeout(r, 300)); // 'first' is out; 'second' waits for the chat
  expect(waits).toContain('chat');
  cancel.abort();
  await first;
  const err = await second.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeliveryError);
  expect((err as DeliveryError).transient).toBe(true);
  await new Promise((r) => setTimeout(r, 1_200));
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['first']);
});

test('a message whose caller gave up while it was on its way is not retried after that attempt fails', async () => {
  emu.setFaults({ status5xx: { count: 1, code: 502 }, latencyMs: 300 });
  const cancel = new AbortController();
  const p = sender.send(msg('too late', { signal: cancel.signal }));
  await new Promise((r) => setTimeout(r, 100)); // on its way: cannot be dropped yet
  cancel.abort();
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeliveryError);
  emu.clearFaults();
  await new Promise((r) => setTimeout(r, 1_500)); // past the 1 s backoff it would have retried after
  expect(sends()).toHaveLength(1);
  expect(emu.messagesTo(DEMO.chats.ops)).toHaveLength(0);
});

test('a multi-part message goes out part by part, in order', async () => {
  const d = await sender.send(msg('', { parts: ['(1/3)\npart one', '(2/3)\npart two', '(3/3)\npart three'] }));
  expect(d.messageIds).toHaveLength(3);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['(1/3)\npart one', '(2/3)\npart two', '(3/3)\npart three']);
});

describe('admission (the service bounds how many sends of a bot are not yet recorded)', () => {
  /** One permit at a time; the test says `release` as the service does once the outcome is recorded. */
  function oneAtATime() {
    const gate = new Semaphore(1);
    const permits: Permit[] = [];
    const admission = () => {
      const p = new Permit(gate);
      permits.push(p);
      return p;
    };
    const release = () => permits.find((p) => p.held)?.done();
    return { admission, release, held: () => gate.isLocked() };
  }
  const timeOf = (chatId: number, text: string) => emu.messagesTo(chatId).find((m) => m.text === text)!.time;

  /** While `waiting` (to ops) waits without its admission, a message to the channel takes it and is sent first. */
  async function goesFirst(
    via: typeof sender,
    gate: ReturnType<typeof oneAtATime>,
    text: string,
    waiting: { sending: Promise<unknown>; text: string },
  ): Promise<void> {
    const sent = await via.send(msg(text, { chatId: String(DEMO.chats.channel), admission: gate.admission() }));
    expect(sent.messageIds).toHaveLength(1);
    gate.release();
    await waiting.sending;
    expect(timeOf(DEMO.chats.channel, text)).toBeLessThan(timeOf(DEMO.chats.ops, waiting.text));
  }

  test('a message waiting for its chat pace holds no admission: another chat goes first', async () => {
    const gate = oneAtATime();
    const a1 = await strictSender.send(msg('ops 1', { admission: gate.admission() }));
    expect(a1.messageIds).toHaveLength(1);
    gate.release();
    const a2 = strictSender.send(msg('ops 2', { admission: gate.admission() })); // waits ~1 s for the chat
    await new Promise((r) => setTimeout(r, 50));
    await goesFirst(strictSender, gate, 'channel 1', { sending: a2, text: 'ops 2' });
  });

  test('a delivered message keeps its admission until released; the next one waits for it', async () => {
    const gate = oneAtATime();
    await sender.send(msg('ops 1', { admission: gate.admission() }));
    expect(gate.held()).toBe(true);
    let second = false;
    const b = sender
      .send(msg('channel 1', { chatId: String(DEMO.chats.channel), admission: gate.admission() }))
      .then(() => (second = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(second).toBe(false);
    expect(emu.messagesTo(DEMO.chats.channel)).toHaveLength(0);
    gate.release();
    await b;
    expect(emu.messagesTo(DEMO.chats.channel).map((m) => m.text)).toEqual(['channel 1']);
  });

  test('a 429 gives the admission back while the chat waits out retry_after', async () => {
    const gate = oneAtATime();
    emu.setFaults({ flood: { count: 1, retryAfter: 1, methods: ['sendMessage'] } });
    const a = sender.send(msg('ops after 429', { admission: gate.admission() }));
    await new Promise((r) => setTimeout(r, 100)); // refused; the retry is ~1 s away
    await goesFirst(sender, gate, 'channel meanwhile', { sending: a, text: 'ops after 429' });
  });

  test('a transient failure keeps the admission: Telegram may have accepted the message', async () => {
    const gate = oneAtATime();
    emu.setFaults({ status5xx: { count: 1, code: 502 } });
    const a = sender.send(msg('ops after 502', { admission: gate.admission() }));
    await new Promise((r) => setTimeout(r, 100)); // failed; the retry is ~1 s away
    expect(gate.held()).toBe(true);
    const b = sender.send(msg('channel after', { chatId: String(DEMO.chats.channel), admission: gate.admission() }));
    await a;
    expect(emu.messagesTo(DEMO.chats.channel)).toHaveLength(0);
    gate.release();
    await b;
    expect(timeOf(DEMO.chats.ops, 'ops after 502')).toBeLessThan(timeOf(DEMO.chats.channel, 'channel after'));
  });

  test('a message dropped while it waits for its admission does not keep one', async () => {
    const gate = oneAtATime();
    await sender.send(msg('holder', { admission: gate.admission() })); // holds the only admission
    const cancel = new AbortController();
    const waiting = sender.send(
      msg('given up', { chatId: String(DEMO.chats.channel), admission: gate.admission(), signal: cancel.signal }),
    );
    await new Promise((r) => setTimeout(r, 50));
    cancel.abort();
    await expect(waiting).rejects.toBeInstanceOf(DeliveryError);
    gate.release(); // the waiter is granted the admission now, and must hand it straight back
    await new Promise((r) => setTimeout(r, 50));
    expect(gate.held()).toBe(false);
    expect(emu.messagesTo(DEMO.chats.channel)).toHaveLength(0);
  });

  test('a permanent refusal gives the admission back', async () => {
    const gate = oneAtATime();
    await expect(
      sender.send(msg('nobody home', { chatId: String(DEMO.chats.kickedSupergroup), admission: gate.admission() })),
    ).rejects.toBeInstanceOf(DeliveryError);
    expect(gate.held()).toBe(false);
  });
});

test('edits of one message waiting in the chat queue collapse into the latest: one request, every caller answered', async () => {
  const [id] = (await strictSender.send(msg('firing'))).messageIds;
  const edit = (text: string) =>
    strictSender.call({
      token: DEMO.bot.token,
      chatId: String(DEMO.chats.ops),
      source: 'alertmanager',
      method: 'editMessageText',
      messageId: id!,
      collapseKey: 'editMessageText',
      run: (t, token) => t.editMessageText(token, { chat_id: String(DEMO.chats.ops), message_id: id!, text }),
    });
  // The first edit waits for the chat's next second; the two behind it replace it in the queue.
  const answers = await Promise.all([edit('resolved 1 of 3'), edit('resolved 2 of 3'), edit('resolved 3 of 3')]);
  expect(answers).toHaveLength(3);
  const edits = emu.requests.filter((r) => r.method === 'editMessageText');
  expect(edits).toHaveLength(1);
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['resolved 3 of 3']);
});

test('an edit does not collapse over another call on the same message waiting after it', async () => {
  const [id] = (await strictSender.send(msg('firing'))).messageIds;
  const base = { token: DEMO.bot.token, chatId: String(DEMO.chats.ops), source: 'alertmanager' as const, messageId: id! };
  const chat = String(DEMO.chats.ops);
  const edit = (text: string) =>
    strictSender.call({
      ...base,
      method: 'editMessageText',
      collapseKey: 'editMessageText',
      run: (t, token) => t.editMessageText(token, { chat_id: chat, message_id: id!, text }),
    });
  const one = edit('one');
  const markup = strictSender.call({
    ...base,
    method: 'editMessageReplyMarkup',
    run: (t, token) => t.editMessageReplyMarkup(token, { chat_id: chat, message_id: id! }),
  });
  // (The message has no keyboard: Telegram calls removing it "not modified"; only the order matters here.)
  await Promise.all([one, markup.catch(() => undefined), edit('two')]);
  expect(emu.requests.filter((r) => r.method === 'editMessageText')).toHaveLength(2);
});

test('episode messages share only with episodes of their own channel, and learn their members in order', async () => {
  const share = (group: string, member: string) => msg(`${group}/${member}`, { coalesce: true, share: { group, member } });
  const [a, b, c, plain] = await Promise.all([
    sender.send(share('ch1', 'a')),
    sender.send(share('ch1', 'b')),
    sender.send(share('ch2', 'c')),
    sender.send(msg('plain', { coalesce: true })),
  ]);
  expect(a.messageIds).toEqual(b.messageIds);
  expect(a.members).toEqual(['a', 'b']);
  expect(b.members).toEqual(['a', 'b']);
  expect(c.members).toEqual(['c']);
  expect(plain.members).toBeUndefined();
  expect(emu.messagesTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['ch1/a\n\nch1/b', 'ch2/c', 'plain']);
});
