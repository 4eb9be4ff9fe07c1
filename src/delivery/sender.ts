// The only code that calls sendMessage. One sender per bot token owns that bot's limits: messages
// wait for the per-bot, per-chat and per-group buckets instead of drawing 429s; a 429 that still
// comes pauses the chat (or the whole bot, when several chats are refused at once) for retry_after;
// transient failures are retried with backoff; a chat's messages go out in order, one at a time.
// Under a storm, waiting messages for the same chat that allow it are coalesced into as few
// messages as fit in Telegram's 4096 characters.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendMessageParams, TelegramClient } from '../telegram/client.js';
import { TelegramError } from '../telegram/errors.js';
import { tokenKey } from '../telegram/tokenKey.js';
import type { TelegramMessage } from '../telegram/schemas.js';
import { TELEGRAM_TEXT_LIMIT } from './format/split.js';
import { DEFAULT_RATE_LIMITS, TokenBucket, isGroupLike, type RateLimits } from './rateLimit.js';

export type MessageSource = 'alert' | 'test' | 'alertmanager';

export interface OutgoingMessage {
  token: string;
  chatId: string;
  /** Already split and checked: each part is one sendMessage. */
  parts: string[];
  options: Omit<SendMessageParams, 'chat_id' | 'text'>;
  source: MessageSource;
  /** May be merged with neighbours for the same chat (Alertmanager notifications). */
  coalesce?: boolean;
  /** Telegram's measure of a text (parsed length, for markup); the raw length when absent. */
  measure?: (text: string) => number;
  /**
   * Gives up on the message when aborted (the webhook caller timed out or went away) — unless a part
   * of it is already on its way to Telegram, which cannot be taken back.
   */
  signal?: AbortSignal;
  /**
   * Awaited just before the message's first part goes to Telegram — after the rate-limit waits, so a
   * chat that must wait holds nothing up. Resolves to a release, kept until the caller releases it
   * after a delivery, or released here when the attempt fails before any part was accepted.
   */
  admit?: () => Promise<() => void>;
}

export interface Delivery {
  messageIds: number[];
}

export interface SenderObserver {
  rateLimitWait(scope: 'bot' | 'chat' | 'group' | 'retry_after'): void;
  sent(source: MessageSource, latencySeconds: number): void;
}

interface Pending {
  msg: OutgoingMessage;
  /** Part of the batch being sent right now. */
  sending: boolean;
  /** The last transient failure, reported if the message is given up. */
  lastError?: TelegramError;
  /** From msg.admit, while this message holds its admission. */
  release?: () => void;
  nextPart: number;
  messageIds: number[];
  enqueuedAt: number;
  resolve: (d: Delivery) => void;
  reject: (e: unknown) => void;
}

interface ChatState {
  queue: Pending[];
  bucket: TokenBucket;
  group?: TokenBucket;
  pausedUntil: number;
  running: boolean;
  lastUsed: number;
}

const RAW_BYTES_LIMIT = 32_768;
const COALESCE_SEPARATOR = '\n\n';
/**
 * A notification that may be coalesced waits this long after it arrived before going out alone, so
 * the first message of a storm carries the notifications arriving with it instead of just one.
 */
const COALESCE_WINDOW_MS = 250;
const TRANSIENT_BASE_MS = 1_000;
const TRANSIENT_MAX_MS = 30_000;

class BotSender {
  private readonly chats = new Map<string, ChatState>();
  private readonly bucket: TokenBucket;
  private pausedUntil = 0;
  private recent429: { chatId: string; at: number }[] = [];
  private stopped = false;

  constructor(
    private readonly token: string,
    private readonly telegram: TelegramClient,
    private readonly limits: RateLimits,
    private readonly observer: SenderObserver,
  ) {
    this.bucket = new TokenBucket(limits.perBotPerSecond, limits.perBotPerSecond / 1000, Date.now());
  }

  get idle(): boolean {
    for (const c of this.chats.values()) if (c.running || c.queue.length) return false;
    return true;
  }

  /** When this bot last sent, or the end of a pause Telegram imposed on it (429), whichever is later. */
  get busyUntil(): number {
    let t = this.pausedUntil;
    for (const c of this.chats.values()) t = Math.max(t, c.lastUsed, c.pausedUntil);
    return t;
  }

  submit(msg: OutgoingMessage): Promise<Delivery> {
    if (this.chats.size > 1000) this.pruneIdleChats();
    return new Promise((resolve, reject) => {
      const chat = this.chat(msg.chatId);
      const pending: Pending = { msg, sending: false, nextPart: 0, messageIds: [], enqueuedAt: Date.now(), resolve, reject };
      if (msg.signal?.aborted) return reject(giveUp(pending));
      msg.signal?.addEventListener('abort', () => this.abandon(chat, pending), { once: true });
      chat.queue.push(pending);
      if (!chat.running) void this.drain(msg.chatId, chat);
    });
  }

  /**
   * Stops this bot for good: every message not on its way to Telegram right now is rejected with
   * SendingStopped; a request in flight finishes, and the message it carries is settled by its outcome
   * (or rejected too, if it needs another attempt or has parts left: nothing new goes out).
   */
  stop(): void {
    this.stopped = true;
    for (const chat of this.chats.values()) for (const p of [...chat.queue]) if (!p.sending) this.drop(chat, p, new SendingStopped());
  }

  /** Drops a message that has not started going out; one with a part already sent is finished. */
  private abandon(chat: ChatState, p: Pending): void {
    if (p.sending || p.nextPart > 0) return;
    this.drop(chat, p);
  }

  private drop(chat: ChatState, p: Pending, err?: TelegramError): void {
    const i = chat.queue.indexOf(p);
    if (i < 0) return;
    chat.queue.splice(i, 1);
    releaseAdmission(p);
    p.reject(err ?? giveUp(p));
  }

  /** Forgets chats that have been quiet for a minute: their buckets are full again by then anyway. */
  private pruneIdleChats(): void {
    const now = Date.now();
    for (const [id, c] of this.chats) if (!c.running && c.queue.length === 0 && now - c.lastUsed > 60_000) this.chats.delete(id);
  }

  private chat(chatId: string): ChatState {
    let c = this.chats.get(chatId);
    if (!c) {
      const now = Date.now();
      c = {
        queue: [],
        bucket: new TokenBucket(this.limits.perChatBurst, this.limits.perChatPerSecond / 1000, now),
        group: isGroupLike(chatId)
          ? new TokenBucket(this.limits.perGroupPerMinute, this.limits.perGroupPerMinute / 60_000, now)
          : undefined,
        pausedUntil: 0,
        running: false,
        lastUsed: now,
      };
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
        const head = chat.queue[0]!;
        // Built after waiting, so everything that queued up meanwhile can ride along.
        const batch = this.takeBatch(chat);
        for (const p of batch) p.sending = true;
        const text =
          batch.length === 1 ? batch[0]!.msg.parts[batch[0]!.nextPart]! : batch.map((p) => p.msg.parts[0]!).join(COALESCE_SEPARATOR);
        try {
          const result = await this.telegram.sendMessage(this.token, { chat_id: chatId, text, ...head.msg.options });
          this.onSent(chat, batch, result);
        } catch (e) {
          this.onFailed(chatId, chat, batch, e);
        }
        for (const p of batch) p.sending = false;
      }
    } finally {
      chat.running = false;
      chat.lastUsed = Date.now();
    }
  }

  /**
   * Waits until the head message may go: the bot, the chat and (for groups) the group may receive one
   * more message, a fresh coalescible head has had its moment for company, and the head holds its
   * admission if it needs one. Tokens are taken only when all of that holds at once, right before the
   * send: taken earlier, our buckets would run ahead of Telegram's by the extra wait and a later send
   * would draw a 429. False if the queue emptied meanwhile.
   */
  private async acquire(chat: ChatState): Promise<boolean> {
    for (;;) {
      if (this.stopped) this.stop(); // what was in flight came back: the rest stays unsent
      const head = chat.queue[0];
      if (!head) return false;
      const now = Date.now();
      const pause = Math.max(this.pausedUntil, chat.pausedUntil) - now;
      const waits: [number, 'bot' | 'chat' | 'group' | 'retry_after'][] = [
        [pause, 'retry_after'],
        [chat.bucket.waitMs(now), 'chat'],
        [chat.group?.waitMs(now) ?? 0, 'group'],
        [this.bucket.waitMs(now), 'bot'],
      ];
      const [wait, scope] = waits.reduce((a, b) => (b[0] > a[0] ? b : a));
      if (wait > 0) {
        this.observer.rateLimitWait(scope);
        await sleep(wait);
        continue;
      }
      const linger = head.msg.coalesce && head.nextPart === 0 ? COALESCE_WINDOW_MS - (now - head.enqueuedAt) : 0;
      if (linger > 0) {
        await sleep(linger);
        continue;
      }
      if (head.msg.admit && !head.release) {
        let release: () => void;
        try {
          release = await head.msg.admit();
        } catch (e) {
          this.drop(
            chat,
            head,
            e instanceof TelegramError
              ? e
              : new TelegramError({ kind: 'Unavailable', message: 'not admitted for sending', method: 'sendMessage' }),
          );
          continue;
        }
        if (chat.queue[0] === head) head.release = release;
        else release(); // dropped meanwhile
        continue; // other chats may have used the bot's tokens meanwhile
      }
      chat.bucket.take(now);
      chat.group?.take(now);
      this.bucket.take(now);
      return true;
    }
  }

  /** The head message alone, or — when it allows — the head plus following single-part messages that fit. */
  private takeBatch(chat: ChatState): Pending[] {
    const head = chat.queue[0]!;
    if (!head.msg.coalesce || head.msg.parts.length !== 1 || head.nextPart !== 0) return [head];
    const measure = head.msg.measure ?? ((t: string) => t.length);
    const batch = [head];
    let length = measure(head.msg.parts[0]!);
    let bytes = Buffer.byteLength(head.msg.parts[0]!);
    for (let i = 1; i < chat.queue.length; i++) {
      const p = chat.queue[i]!;
      if (!p.msg.coalesce || p.msg.admit || p.msg.parts.length !== 1 || !sameOptions(p.msg, head.msg)) break;
      const text = p.msg.parts[0]!;
      const nextLength = length + COALESCE_SEPARATOR.length + measure(text);
      const nextBytes = bytes + COALESCE_SEPARATOR.length + Buffer.byteLength(text);
      // Telegram limits the text as shown (4096) and the raw parameter (32768 bytes).
      if (nextLength > TELEGRAM_TEXT_LIMIT || nextBytes > RAW_BYTES_LIMIT) break;
      batch.push(p);
      length = nextLength;
      bytes = nextBytes;
    }
    return batch;
  }

  private onSent(chat: ChatState, batch: Pending[], result: TelegramMessage): void {
    const now = Date.now();
    for (const p of batch) {
      p.messageIds.push(result.message_id);
      p.nextPart += 1;
    }
    for (const p of batch) {
      if (p.nextPart < p.msg.parts.length) continue;
      chat.queue.splice(chat.queue.indexOf(p), 1);
      this.observer.sent(p.msg.source, (now - p.enqueuedAt) / 1000);
      p.resolve({ messageIds: p.messageIds });
    }
  }

  private onFailed(chatId: string, chat: ChatState, batch: Pending[], e: unknown): void {
    const err = e instanceof TelegramError ? e : new TelegramError({ kind: 'Unavailable', message: 'send failed', method: 'sendMessage' });
    const now = Date.now();
    // A caller that gave up during this attempt gets its answer now, unless part of its message is out.
    for (const p of batch) if (p.nextPart === 0 && p.msg.signal?.aborted) this.drop(chat, p, err.transient ? undefined : err);
    if (err.kind === 'RateLimited') {
      // Refused for certain: none of it reached Telegram, so other chats' messages may go ahead.
      for (const p of batch) if (p.nextPart === 0) releaseAdmission(p);
      const ms = (err.retryAfterSeconds ?? 5) * 1000;
      chat.pausedUntil = now + ms;
      this.recent429 = this.recent429.filter((r) => now - r.at < 1000 && r.chatId !== chatId);
      this.recent429.push({ chatId, at: now });
      // Refusals for several chats at once mean the bot-wide limit: pause the whole bot.
      if (this.recent429.length >= 2) this.pausedUntil = now + ms;
      return; // the same batch is retried after the pause
    }
    if (err.transient) {
      // The admission is kept: a timeout or a dropped connection may hide a message Telegram accepted.
      const attempt = (batch[0] as Pending & { attempts?: number }).attempts ?? 0;
      (batch[0] as Pending & { attempts?: number }).attempts = attempt + 1;
      const delay = Math.min(TRANSIENT_BASE_MS * 2 ** attempt, TRANSIENT_MAX_MS);
      for (const p of batch) p.lastError = err;
      chat.pausedUntil = Math.max(chat.pausedUntil, now + delay);
      return;
    }
    // Permanent: these messages cannot be delivered as they are.
    for (const p of batch) {
      if (p.nextPart === 0) releaseAdmission(p);
      const i = chat.queue.indexOf(p);
      if (i < 0) continue; // dropped above
      chat.queue.splice(i, 1);
      p.reject(err);
    }
  }
}

function releaseAdmission(p: Pending): void {
  p.release?.();
  p.release = undefined;
}

function giveUp(p: Pending): TelegramError {
  return (
    p.lastError ??
    new TelegramError({ kind: 'Unavailable', message: 'not delivered in time (waiting for Telegram rate limits)', method: 'sendMessage' })
  );
}

/**
 * A message this replica will not send because it stopped sending (it lost the leader Lease). Transient
 * and never recorded as an outcome: the next leader sends it (an Alertmanager caller gets a 503 and retries).
 */
export class SendingStopped extends TelegramError {
  constructor() {
    super({
      kind: 'Unavailable',
      message: 'not sent: this replica stopped sending (it is no longer the leader); the next leader sends it',
      method: 'sendMessage',
    });
  }
}

function sameOptions(a: OutgoingMessage, b: OutgoingMessage): boolean {
  return JSON.stringify(a.options) === JSON.stringify(b.options);
}

/**
 * A bot with nothing queued, nothing running and no Telegram-imposed pause left is forgotten after
 * this long: its rate-limit buckets are full again by then, so a fresh sender behaves the same. Without
 * it every token ever used (rotated tokens, deleted channels) would keep its sender, and the token, forever.
 */
export const BOT_IDLE_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 60_000;

/** Routes each message to its bot's sender; bots are keyed by a hash, never by the token itself. */
export class Sender {
  private readonly bots = new Map<string, BotSender>();
  private accepting = true;
  private lastPrune = 0;

  constructor(
    private readonly telegram: TelegramClient,
    private readonly observer: SenderObserver,
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many bots have a sender right now (for tests and debugging). */
  get botCount(): number {
    return this.bots.size;
  }

  send(msg: OutgoingMessage): Promise<Delivery> {
    if (!this.accepting) return Promise.reject(new SendingStopped());
    this.pruneIdleBots();
    const key = tokenKey(msg.token);
    let bot = this.bots.get(key);
    if (!bot) this.bots.set(key, (bot = new BotSender(msg.token, this.telegram, this.limits, this.observer)));
    return bot.submit(msg);
  }

  /**
   * Stops sending for good (this replica lost the Lease): send() and every queued message that has not
   * started reject with SendingStopped at once; requests already on their way to Telegram finish, and
   * `drain` waits for them.
   */
  stopAccepting(): void {
    this.accepting = false;
    for (const bot of this.bots.values()) bot.stop();
  }

  /** At most once a minute, on a send: forgets bots that have been idle for BOT_IDLE_MS. */
  private pruneIdleBots(): void {
    const now = this.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    for (const [key, bot] of this.bots) if (bot.idle && now - bot.busyUntil > BOT_IDLE_MS) this.bots.delete(key);
  }

  /** Resolves once nothing is queued or in flight (for a graceful shutdown), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ([...this.bots.values()].every((b) => b.idle)) return true;
      await sleep(50);
    }
    return false;
  }
}
