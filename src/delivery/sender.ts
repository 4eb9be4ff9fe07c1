// The only code that calls sendMessage. One sender per bot token owns that bot's limits: messages
// wait for the per-bot, per-chat and per-group buckets instead of drawing 429s; a 429 that still
// comes pauses the chat (or the whole bot, when several chats are refused at once) for retry_after;
// transient failures are retried with backoff; a chat's messages go out in order, one at a time.
// Under a storm, waiting messages for the same chat that allow it are coalesced into as few
// messages as fit in Telegram's 4096 characters.
import { createHash } from 'node:crypto';
import type { SendMessageParams, TelegramClient } from '../telegram/client.js';
import { TelegramError } from '../telegram/errors.js';
import type { TelegramMessage } from '../telegram/schemas.js';
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
  /** Give up (with the last transient error) if not delivered by then; parts in flight still finish. */
  deadline?: number;
}

export interface Delivery {
  messageIds: number[];
  /** Number of sendMessage calls this delivery shared with others (1 = not coalesced). */
  coalescedWith: number;
}

export interface SenderObserver {
  rateLimitWait(scope: 'bot' | 'chat' | 'group' | 'retry_after'): void;
  sent(source: MessageSource, latencySeconds: number): void;
}

interface Pending {
  msg: OutgoingMessage;
  nextPart: number;
  messageIds: number[];
  enqueuedAt: number;
  resolve: (d: Delivery) => void;
  reject: (e: unknown) => void;
  coalescedWith: number;
}

interface ChatState {
  queue: Pending[];
  bucket: TokenBucket;
  group?: TokenBucket;
  pausedUntil: number;
  running: boolean;
  lastUsed: number;
}

const TEXT_LIMIT = 4096;
const COALESCE_SEPARATOR = '\n\n';
const TRANSIENT_BASE_MS = 1_000;
const TRANSIENT_MAX_MS = 30_000;

class BotSender {
  private readonly chats = new Map<string, ChatState>();
  private readonly bucket: TokenBucket;
  private pausedUntil = 0;
  private recent429: { chatId: string; at: number }[] = [];

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

  submit(msg: OutgoingMessage): Promise<Delivery> {
    if (this.chats.size > 1000) this.pruneIdleChats();
    return new Promise((resolve, reject) => {
      const chat = this.chat(msg.chatId);
      chat.queue.push({ msg, nextPart: 0, messageIds: [], enqueuedAt: Date.now(), resolve, reject, coalescedWith: 1 });
      if (!chat.running) void this.drain(msg.chatId, chat);
    });
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
        group: isGroupLike(chatId) ? new TokenBucket(this.limits.perGroupPerMinute, this.limits.perGroupPerMinute / 60_000, now) : undefined,
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
        const head = chat.queue[0]!;
        if (head.msg.deadline !== undefined && Date.now() > head.msg.deadline && head.nextPart === 0) {
          chat.queue.shift();
          head.reject(new TelegramError('Unavailable', 'not delivered before the deadline', 'sendMessage'));
          continue;
        }
        await this.acquire(chat);
        // Built after waiting, so everything that queued up meanwhile can ride along.
        const batch = this.takeBatch(chat);
        const text = batch.length === 1 ? batch[0]!.msg.parts[batch[0]!.nextPart]! : batch.map((p) => p.msg.parts[0]!).join(COALESCE_SEPARATOR);
        try {
          const result = await this.telegram.sendMessage(this.token, { chat_id: chatId, text, ...head.msg.options });
          this.onSent(chat, batch, result);
        } catch (e) {
          this.onFailed(chatId, chat, batch, e);
        }
      }
    } finally {
      chat.running = false;
      chat.lastUsed = Date.now();
    }
  }

  /** Waits until the bot, the chat and (for groups) the group may receive one more message. */
  private async acquire(chat: ChatState): Promise<void> {
    for (;;) {
      const now = Date.now();
      const pause = Math.max(this.pausedUntil, chat.pausedUntil) - now;
      const waits: [number, 'bot' | 'chat' | 'group' | 'retry_after'][] = [
        [pause, 'retry_after'],
        [chat.bucket.waitMs(now), 'chat'],
        [chat.group?.waitMs(now) ?? 0, 'group'],
        [this.bucket.waitMs(now), 'bot'],
      ];
      const [wait, scope] = waits.reduce((a, b) => (b[0] > a[0] ? b : a));
      if (wait <= 0) {
        chat.bucket.take(now);
        chat.group?.take(now);
        this.bucket.take(now);
        return;
      }
      this.observer.rateLimitWait(scope);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** The head message alone, or — when it allows — the head plus following single-part messages that fit. */
  private takeBatch(chat: ChatState): Pending[] {
    const head = chat.queue[0]!;
    if (!head.msg.coalesce || head.msg.parts.length !== 1 || head.nextPart !== 0) return [head];
    const batch = [head];
    let length = head.msg.parts[0]!.length;
    for (let i = 1; i < chat.queue.length; i++) {
      const p = chat.queue[i]!;
      if (!p.msg.coalesce || p.msg.parts.length !== 1 || !sameOptions(p.msg, head.msg)) break;
      const next = length + COALESCE_SEPARATOR.length + p.msg.parts[0]!.length;
      if (next > TEXT_LIMIT) break;
      batch.push(p);
      length = next;
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
      p.resolve({ messageIds: p.messageIds, coalescedWith: batch.length });
    }
  }

  private onFailed(chatId: string, chat: ChatState, batch: Pending[], e: unknown): void {
    const err = e instanceof TelegramError ? e : new TelegramError('Unavailable', 'send failed', 'sendMessage');
    const now = Date.now();
    if (err.kind === 'RateLimited') {
      const ms = (err.retryAfterSeconds ?? 5) * 1000;
      chat.pausedUntil = now + ms;
      this.recent429 = this.recent429.filter((r) => now - r.at < 1000 && r.chatId !== chatId);
      this.recent429.push({ chatId, at: now });
      // Refusals for several chats at once mean the bot-wide limit: pause the whole bot.
      if (this.recent429.length >= 2) this.pausedUntil = now + ms;
      return; // the same batch is retried after the pause
    }
    if (err.transient) {
      const attempt = (batch[0] as Pending & { attempts?: number }).attempts ?? 0;
      (batch[0] as Pending & { attempts?: number }).attempts = attempt + 1;
      const delay = Math.min(TRANSIENT_BASE_MS * 2 ** attempt, TRANSIENT_MAX_MS);
      // Past a deadline, hand the failure back (parts already sent stay sent).
      const expired = batch.filter((p) => p.msg.deadline !== undefined && now + delay > p.msg.deadline);
      for (const p of expired) {
        chat.queue.splice(chat.queue.indexOf(p), 1);
        p.reject(err);
      }
      chat.pausedUntil = Math.max(chat.pausedUntil, now + delay);
      return;
    }
    // Permanent: these messages cannot be delivered as they are.
    for (const p of batch) {
      chat.queue.splice(chat.queue.indexOf(p), 1);
      p.reject(err);
    }
  }
}

function sameOptions(a: OutgoingMessage, b: OutgoingMessage): boolean {
  return JSON.stringify(a.options) === JSON.stringify(b.options);
}

/** Routes each message to its bot's sender; bots are keyed by a hash, never by the token itself. */
export class Sender {
  private readonly bots = new Map<string, BotSender>();

  constructor(
    private readonly telegram: TelegramClient,
    private readonly observer: SenderObserver,
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
  ) {}

  send(msg: OutgoingMessage): Promise<Delivery> {
    const key = createHash('sha256').update(msg.token).digest('hex');
    let bot = this.bots.get(key);
    if (!bot) this.bots.set(key, (bot = new BotSender(msg.token, this.telegram, this.limits, this.observer)));
    return bot.submit(msg);
  }

  /** Resolves once nothing is queued or in flight (for a graceful shutdown), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ([...this.bots.values()].every((b) => b.idle)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }
}
