// One bot's pace: the per-bot, per-chat and per-group buckets, and the pauses Telegram imposes (429)
// or that transient failures earn (backoff). It only answers "how long until the next request to this
// chat may go" and takes note of what happened; the queues that ask live in botSender.ts.
import { TokenBucket, isGroupLike, type RateLimits } from './rateLimit.js';

export type WaitScope = 'bot' | 'chat' | 'group' | 'retry_after';

/** A chat's share of the bot's pace. */
export interface ChatPace {
  bucket: TokenBucket;
  group?: TokenBucket;
  pausedUntil: number;
}

const TRANSIENT_BASE_MS = 1_000;
const TRANSIENT_MAX_MS = 30_000;
/** Telegram's own default when a 429 carries no retry_after. */
const DEFAULT_RETRY_AFTER_S = 5;

export class BotPacing {
  private readonly bucket: TokenBucket;
  /** A pause for the whole bot (429s for several chats at once). */
  pausedUntil = 0;
  private recent429: { chatId: string; at: number }[] = [];

  constructor(
    private readonly limits: RateLimits,
    now: number,
  ) {
    this.bucket = new TokenBucket(limits.perBotPerSecond, limits.perBotPerSecond / 1000, now);
  }

  chat(chatId: string, now: number): ChatPace {
    return {
      bucket: new TokenBucket(this.limits.perChatBurst, this.limits.perChatPerSecond / 1000, now),
      group: isGroupLike(chatId) ? new TokenBucket(this.limits.perGroupPerMinute, this.limits.perGroupPerMinute / 60_000, now) : undefined,
      pausedUntil: 0,
    };
  }

  /** The longest of the waits that apply to a chat's next request, and what it waits for; 0 = now. */
  wait(chat: ChatPace, now: number, perChat = true): [number, WaitScope] {
    const pause = Math.max(this.pausedUntil, perChat ? chat.pausedUntil : 0) - now;
    const waits: [number, WaitScope][] = [
      [pause, 'retry_after'],
      [this.bucket.waitMs(now), 'bot'],
    ];
    if (perChat) waits.push([chat.bucket.waitMs(now), 'chat'], [chat.group?.waitMs(now) ?? 0, 'group']);
    return waits.reduce((a, b) => (b[0] > a[0] ? b : a));
  }

  /**
   * Takes the tokens for one request, right before it goes: taken earlier, our buckets would run
   * ahead of Telegram's by the extra wait, and a later send would draw a 429.
   */
  take(chat: ChatPace, now: number, perChat = true): void {
    if (perChat) {
      chat.bucket.take(now);
      chat.group?.take(now);
    }
    this.bucket.take(now);
  }

  /** Telegram refused with 429: pause the chat, or the whole bot when several chats are refused at once. */
  rateLimited(chatId: string, chat: ChatPace, retryAfterSeconds: number | undefined, now: number): void {
    const ms = (retryAfterSeconds ?? DEFAULT_RETRY_AFTER_S) * 1000;
    chat.pausedUntil = now + ms;
    this.recent429 = this.recent429.filter((r) => now - r.at < 1000 && r.chatId !== chatId);
    this.recent429.push({ chatId, at: now });
    if (this.recent429.length >= 2) this.pausedUntil = now + ms;
  }

  /** A transient failure (timeout, 5xx): the chat waits 1 s, 2 s, 4 s… up to 30 s before the next attempt. */
  backOff(chat: ChatPace, attempt: number, now: number): void {
    const delay = Math.min(TRANSIENT_BASE_MS * 2 ** attempt, TRANSIENT_MAX_MS);
    chat.pausedUntil = Math.max(chat.pausedUntil, now + delay);
  }
}
