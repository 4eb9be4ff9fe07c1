// Telegram's documented limits as token buckets, so the sender waits *before* Telegram would say
// 429: ~30 messages/s per bot, 1/s per chat, 20/min per group or channel.

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
  perChatBurst: 1,
  perGroupPerMinute: 20,
};

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
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.refillPerMs);
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
