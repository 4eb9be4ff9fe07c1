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
 * How far our buckets stay ahead of Telegram's. Telegram counts a send when the request arrives, and
 * requests leave late and bunched: the first one waits for its connection (~50 ms) while our bucket
 * already refills, and a busy process flushes several at once. So every bucket keeps this much of its
 * rate in reserve (3 messages for a bot at 30/s, a tenth of one for a chat at 1/s): the pace is the
 * same, only shifted by 100 ms behind the exact edge of Telegram's budget.
 */
const SAFETY_MARGIN_MS = 100;

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly reserve: number;
  private readonly capacity: number;

  constructor(
    burst: number,
    private readonly refillPerMs: number,
    now: number,
  ) {
    this.reserve = SAFETY_MARGIN_MS * refillPerMs;
    // Inside the burst when it has room (30/s: 27 back to back); a burst of 1 grows just enough to hold it.
    this.capacity = Math.max(burst, 1 + this.reserve);
    this.tokens = this.capacity;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.refillPerMs);
      this.last = now;
    }
  }

  /** Milliseconds until one token is available beyond the reserve (0 = now). */
  waitMs(now: number): number {
    this.refill(now);
    const needed = 1 + this.reserve - this.tokens;
    return needed <= 1e-9 ? 0 : Math.ceil(needed / this.refillPerMs - 1e-6);
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
