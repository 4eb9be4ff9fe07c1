// One bot's queues: a chat's messages (and edits, deletions) go out in order, one request at a time,
// each when pacing.ts says the bot, the chat and the group may take one more; transient failures are
// retried, a 429 pauses; coalescible notifications ride together (coalesce.ts). Everything here runs
// on the injected clock, so unit tests drive it with a fake one.
import type { TelegramClient } from '../telegram/client.js';
import { TelegramError } from '../telegram/errors.js';
import type { TelegramMessage } from '../telegram/schemas.js';
import { batchText, lingerMs, takeBatch } from './coalesce.js';
import { DeliveryError } from './deliveryError.js';
import { SendingStopped, type ChatCall, type Clock, type Delivery, type OutgoingMessage, type SenderObserver } from './outgoing.js';
import { BotPacing, type ChatPace } from './pacing.js';
import type { RateLimits } from './rateLimit.js';

interface Pending {
  msg: OutgoingMessage;
  /** Set for an edit, deletion or answer: one request, its result is the answer. */
  call?: ChatCall<unknown>;
  /** Part of the batch being sent right now. */
  sending: boolean;
  /** The last transient failure, reported if the message is given up. */
  lastError?: TelegramError;
  /** msg.admission was acquired for the current attempt. */
  admitted: boolean;
  /** Transient failures so far (the backoff grows with them). */
  attempts: number;
  nextPart: number;
  messageIds: number[];
  enqueuedAt: number;
  resolve: (value: unknown) => void;
  reject: (e: unknown) => void;
}

interface ChatState {
  queue: Pending[];
  pace: ChatPace;
  /** False for the bot-level queue (callback answers): only the bot's bucket applies. */
  perChat: boolean;
  running: boolean;
  lastUsed: number;
}

/** The queue of requests that belong to no chat (answerCallbackQuery). */
const BOT_LEVEL = '';

export class BotSender {
  private readonly chats = new Map<string, ChatState>();
  private readonly pacing: BotPacing;
  private readonly stopping = new AbortController();

  constructor(
    private readonly token: string,
    private readonly telegram: TelegramClient,
    limits: RateLimits,
    private readonly observer: SenderObserver,
    private readonly clock: Clock,
    /** Called when a chat's queue has run dry (the router's drain listens). */
    private readonly onIdle: () => void = () => {},
  ) {
    this.pacing = new BotPacing(limits, clock.now());
  }

  get idle(): boolean {
    for (const c of this.chats.values()) if (c.running || c.queue.length) return false;
    return true;
  }

  /** When this bot last sent, or the end of a pause Telegram imposed on it (429), whichever is later. */
  get busyUntil(): number {
    let t = this.pacing.pausedUntil;
    for (const c of this.chats.values()) t = Math.max(t, c.lastUsed, c.pace.pausedUntil);
    return t;
  }

  submit(msg: OutgoingMessage): Promise<Delivery> {
    return this.enqueue(msg) as Promise<Delivery>;
  }

  /** An edit, deletion or callback answer, queued with the chat's messages and paced like one. */
  submitCall<T>(call: ChatCall<T>): Promise<T> {
    const msg: OutgoingMessage = { token: call.token, chatId: call.chatId ?? BOT_LEVEL, parts: [''], options: {}, source: call.source };
    if (call.signal) msg.signal = call.signal;
    return this.enqueue(msg, call) as Promise<T>;
  }

  private enqueue(msg: OutgoingMessage, call?: ChatCall<unknown>): Promise<unknown> {
    if (this.chats.size > 1000) this.pruneIdleChats();
    return new Promise((resolve, reject) => {
      // Whatever stops the message, its caller gets the one delivery error type.
      const fail = (e: unknown) => reject(DeliveryError.of(e, call?.method ?? 'sendMessage'));
      const chat = this.chat(msg.chatId);
      const p: Pending = {
        msg,
        call,
        sending: false,
        admitted: false,
        attempts: 0,
        nextPart: 0,
        messageIds: [],
        enqueuedAt: this.clock.now(),
        resolve,
        reject: fail,
      };
      if (msg.signal?.aborted) return fail(giveUp(p));
      msg.signal?.addEventListener('abort', () => this.abandon(chat, p), { once: true });
      if (call && this.collapse(chat, p, call)) return;
      chat.queue.push(p);
      if (!chat.running) void this.drain(msg.chatId, chat);
    });
  }

  /**
   * An edit that sets a message's whole state replaces the same kind of edit of that message still
   * waiting, in its place (a resolve storm edits a shared message once, not once per member); the
   * replaced caller gets the new call's answer. Only when no other call on that message waits after it.
   */
  private collapse(chat: ChatState, p: Pending, call: ChatCall<unknown>): boolean {
    if (call.collapseKey === undefined || call.messageId === undefined) return false;
    const i = chat.queue.findLastIndex((q) => q.call?.messageId === call.messageId);
    const old = chat.queue[i];
    if (!old || old.sending || old.call?.collapseKey !== call.collapseKey) return false;
    chat.queue[i] = p;
    const settle = new Promise((resolve, reject) => {
      const { resolve: r, reject: j } = p;
      p.resolve = (v) => (r(v), resolve(v));
      p.reject = (e) => (j(e), reject(e));
    });
    settle.then(old.resolve, old.reject);
    return true;
  }

  /**
   * Stops this bot for good: every message not on its way to Telegram right now is rejected with
   * SendingStopped, and waits end at once; a request in flight finishes, and the message it carries is
   * settled by its outcome (or rejected too, if it needs another attempt or has parts left).
   */
  stop(): void {
    this.stopping.abort();
    for (const chat of this.chats.values())
      for (const p of [...chat.queue]) if (!p.sending) this.drop(chat, p, new SendingStopped(method(p)));
  }

  /** Drops a message that has not started going out; one with a part already sent is finished. */
  private abandon(chat: ChatState, p: Pending): void {
    if (p.sending || p.nextPart > 0) return;
    this.drop(chat, p);
  }

  private drop(chat: ChatState, p: Pending, err?: TelegramError | DeliveryError): void {
    const i = chat.queue.indexOf(p);
    if (i < 0) return;
    chat.queue.splice(i, 1);
    if (p.nextPart === 0) notSent(p);
    p.reject(err ?? giveUp(p));
  }

  /** Forgets chats that have been quiet for a minute: their buckets are full again by then anyway. */
  private pruneIdleChats(): void {
    const now = this.clock.now();
    for (const [id, c] of this.chats) if (!c.running && c.queue.length === 0 && now - c.lastUsed > 60_000) this.chats.delete(id);
  }

  private chat(chatId: string): ChatState {
    let c = this.chats.get(chatId);
    if (!c) {
      const now = this.clock.now();
      c = { queue: [], pace: this.pacing.chat(chatId, now), perChat: chatId !== BOT_LEVEL, running: false, lastUsed: now };
      this.chats.set(chatId, c);
    }
    return c;
  }

  private async drain(chatId: string, chat: ChatState): Promise<void> {
    chat.running = true;
    try {
      while (chat.queue.length > 0) {
        // Abandoned while waiting: the queue may be empty now.
        if (!(await this.acquire(chat))) break;
        // Built after waiting, so everything that queued up meanwhile can ride along.
        const batch = takeBatch(chat.queue);
        for (const p of batch) p.sending = true;
        try {
          this.onSent(chat, batch, await this.request(chatId, batch));
        } catch (e) {
          this.onFailed(chatId, chat, batch, e);
        }
        for (const p of batch) p.sending = false;
      }
    } finally {
      chat.running = false;
      chat.lastUsed = this.clock.now();
      this.onIdle();
    }
  }

  private request(chatId: string, batch: Pending[]): Promise<unknown> {
    const head = batch[0]!;
    if (head.call) return head.call.run(this.telegram, this.token);
    const first = head.nextPart === 0 ? head.msg.firstPart : undefined;
    return this.telegram.sendMessage(this.token, { chat_id: chatId, text: batchText(batch), ...head.msg.options, ...first });
  }

  /**
   * Waits until the head may go: the pace allows one more request, a fresh coalescible head has had its
   * moment for company, and the head holds its admission if it needs one. Tokens are taken only when
   * all of that holds at once, right before the request. False if the queue emptied meanwhile.
   */
  private async acquire(chat: ChatState): Promise<boolean> {
    for (;;) {
      if (this.stopping.signal.aborted) this.stop(); // what was in flight came back: the rest stays unsent
      const head = chat.queue[0];
      if (!head) return false;
      const now = this.clock.now();
      const [wait, scope] = this.pacing.wait(chat.pace, now, chat.perChat);
      if (wait > 0) {
        this.observer.rateLimitWait(scope);
        await this.clock.sleep(wait, this.stopping.signal);
        continue;
      }
      const linger = lingerMs(head, now);
      if (linger > 0) {
        await this.clock.sleep(linger, this.stopping.signal);
        continue;
      }
      if (head.msg.admission && !head.admitted) {
        await this.admit(chat, head, head.msg.admission);
        continue; // other chats may have used the bot's tokens meanwhile
      }
      this.pacing.take(chat.pace, now, chat.perChat);
      return true;
    }
  }

  private async admit(chat: ChatState, head: Pending, admission: NonNullable<OutgoingMessage['admission']>): Promise<void> {
    try {
      await admission.acquire();
    } catch (e) {
      const err =
        e instanceof TelegramError
          ? e
          : new TelegramError({ kind: 'Unavailable', message: 'not admitted for sending', method: method(head) });
      this.drop(chat, head, err);
      return;
    }
    if (chat.queue[0] === head) head.admitted = true;
    else admission.notSent(); // dropped meanwhile
  }

  private onSent(chat: ChatState, batch: Pending[], result: unknown): void {
    const now = this.clock.now();
    for (const p of batch) {
      if (!p.call) p.messageIds.push((result as TelegramMessage).message_id);
      p.nextPart += 1;
    }
    for (const p of batch) {
      if (p.nextPart < p.msg.parts.length) continue;
      chat.queue.splice(chat.queue.indexOf(p), 1);
      this.observer.sent(p.msg.source, (now - p.enqueuedAt) / 1000);
      p.resolve(p.call ? result : delivered(p, batch));
    }
  }

  private onFailed(chatId: string, chat: ChatState, batch: Pending[], e: unknown): void {
    const head = batch[0]!;
    const err = e instanceof TelegramError ? e : new TelegramError({ kind: 'Unavailable', message: 'send failed', method: method(head) });
    const now = this.clock.now();
    // A caller that gave up during this attempt gets its answer now, unless part of its message is out.
    for (const p of batch) if (p.nextPart === 0 && p.msg.signal?.aborted) this.drop(chat, p, err.transient ? undefined : err);
    if (err.kind === 'RateLimited') {
      // Refused for certain: none of it reached Telegram, so other chats' messages may go ahead.
      for (const p of batch) if (p.nextPart === 0) notSent(p);
      this.pacing.rateLimited(chatId, chat.pace, err.retryAfterSeconds, now);
      return; // the same batch is retried after the pause
    }
    if (err.transient) {
      // The admission is kept: a timeout or a dropped connection may hide a message Telegram accepted.
      this.pacing.backOff(chat.pace, head.attempts, now);
      head.attempts += 1;
      for (const p of batch) p.lastError = err;
      return;
    }
    // Permanent: these messages cannot be delivered as they are.
    for (const p of batch) {
      const i = chat.queue.indexOf(p);
      if (i < 0) continue; // dropped above
      chat.queue.splice(i, 1);
      if (p.nextPart === 0) notSent(p);
      p.reject(err);
    }
  }
}

function delivered(p: Pending, batch: Pending[]): Delivery {
  if (!p.msg.share) return { messageIds: p.messageIds };
  return { messageIds: p.messageIds, members: batch.map((b) => b.msg.share?.member ?? '') };
}

function notSent(p: Pending): void {
  if (!p.admitted) return;
  p.admitted = false;
  p.msg.admission?.notSent();
}

function method(p: Pending): string {
  return p.call?.method ?? 'sendMessage';
}

function giveUp(p: Pending): TelegramError {
  return (
    p.lastError ??
    new TelegramError({ kind: 'Unavailable', message: 'not delivered in time (waiting for Telegram rate limits)', method: method(p) })
  );
}
