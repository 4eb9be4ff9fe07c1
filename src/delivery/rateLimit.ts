// Telegram's documented limits as token buckets, so the sender waits *before* Telegram would say
// 429: ~30 messages/s per bot, 1/s per chat, 20/min per group or channel. Telegram "may allow short
// bursts" to a chat; three back to back is what it tolerates in practice (the emulator models it),
// and it lets the first messages of a storm out at once.

export interface RateLimits {
  perBotPerSecond: number;
  perChatPerSecond: number;
  /** Messages a chat may receive back to back before the per-chat pace applies. */
  perChatBurst: number;
  perGroupPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  perBotPerSecond: 30,
  perChatPerSecond: 1,
  perChatBurst: 3,
  perGroupPerMinute: 20,
};

/**
 * Added to every wait. Our clock runs a few milliseconds ahead of Telegram's view of the same sends
 * (each request is in transit first), so a send timed to the exact refill can still find Telegram's
 * bucket a hair short. Waiting a little longer keeps a constant lead without lowering the rate.
 */
const SAFETY_MARGIN_MS = 25;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.refillPerMs);
      this.last = now;
    }
  }

  /** Milliseconds until one token is available (0 = now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.refillPerMs) + SAFETY_MARGIN_MS;
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
}

/** Groups, supergroups and channels have negative ids or are addressed by @username. */
export function isGroupLike(chatId: string): boolean {
  return chatId.startsWith('-') || chatId.startsWith('@');
}
