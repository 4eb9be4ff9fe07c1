// Telegram does not publish exact limits; its FAQ says ~1 message/s per chat (short bursts allowed),
// 20 messages/minute per group and ~30 messages/s per bot. Token buckets are the usual model of those
// sentences (grammY's throttler and PTB's AIORateLimiter are built the same way), and they give a
// deterministic retry_after, which is what a client under test has to obey.
// Edits and deletions take from the same buckets as sends (editing.ts): Telegram counts them too.

export interface Clock {
  /** Milliseconds; only differences matter. */
  now(): number;
  /** Resolves once `ms` have passed on this clock; absent: the emulator waits on a real timer. */
  sleep?(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to, for deterministic tests: its sleepers wake when advance() passes them. */
export class ManualClock implements Clock {
  private sleepers: { at: number; wake: () => void }[] = [];
  constructor(private ms = 1_700_000_000_000) {}
  now(): number {
    return this.ms;
  }
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((wake) => this.sleepers.push({ at: this.ms + ms, wake }));
  }
  advance(ms: number): void {
    this.ms += ms;
    const due = this.sleepers.filter((s) => s.at <= this.ms);
    this.sleepers = this.sleepers.filter((s) => s.at > this.ms);
    for (const s of due) s.wake();
  }
}

/** A bucket holds `capacity` tokens and regains `refill` tokens every `intervalMs`, continuously. */
export interface BucketLimit {
  capacity: number;
  refill: number;
  intervalMs: number;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** Any single chat, keyed by resolved chat id. `null` disables this bucket. */
  perChat: BucketLimit | null;
  /** Additionally, every group, supergroup and channel. */
  perGroup: BucketLimit | null;
  /** Everything one bot sends. */
  perBot: BucketLimit | null;
}

export const DEFAULT_LIMITS: RateLimitConfig = {
  enabled: true,
  perChat: { capacity: 3, refill: 1, intervalMs: 1000 },
  perGroup: { capacity: 20, refill: 20, intervalMs: 60_000 },
  perBot: { capacity: 30, refill: 30, intervalMs: 1000 },
};

export type LimitsInput = Partial<RateLimitConfig> | false;

export function resolveLimits(input: LimitsInput | undefined, base: RateLimitConfig = DEFAULT_LIMITS): RateLimitConfig {
  if (input === false) return { ...base, enabled: false };
  return { ...base, ...(input ?? {}) };
}

interface Bucket {
  tokens: number;
  at: number;
}

export type Admission = { ok: true } | { ok: false; retryAfter: number };

export class RateLimiter {
  private config: RateLimitConfig;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    config: LimitsInput = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.config = resolveLimits(config);
  }

  /** Merges into the current configuration; `false` switches limiting off. Existing buckets are kept. */
  configure(input: LimitsInput): void {
    this.config = resolveLimits(input, input === false ? this.config : { ...this.config, enabled: true });
  }

  get current(): RateLimitConfig {
    return structuredClone(this.config);
  }

  reset(): void {
    this.buckets.clear();
  }

  /**
   * Admits one message or tells how long to wait. A refused message consumes nothing, so a client that
   * waits exactly `retryAfter` seconds is admitted — the property clients are tested against.
   */
  tryAcquire(botId: number, chatId: number, isGroupLike: boolean): Admission {
    if (!this.config.enabled) return { ok: true };
    const now = this.clock.now();
    const checks: Array<[string, BucketLimit]> = [];
    if (this.config.perChat) checks.push([`chat:${botId}:${chatId}`, this.config.perChat]);
    if (isGroupLike && this.config.perGroup) checks.push([`group:${botId}:${chatId}`, this.config.perGroup]);
    if (this.config.perBot) checks.push([`bot:${botId}`, this.config.perBot]);

    let waitMs = 0;
    const states = checks.map(([key, limit]) => {
      const bucket = this.refilled(key, limit, now);
      if (bucket.tokens < 1) waitMs = Math.max(waitMs, ((1 - bucket.tokens) * limit.intervalMs) / limit.refill);
      return bucket;
    });
    if (waitMs > 0) return { ok: false, retryAfter: Math.max(1, Math.ceil(waitMs / 1000 - 1e-9)) };
    for (const bucket of states) bucket.tokens -= 1;
    return { ok: true };
  }

  private refilled(key: string, limit: BucketLimit, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.capacity, at: now };
      this.buckets.set(key, bucket);
    }
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + (elapsed * limit.refill) / limit.intervalMs);
    bucket.at = now;
    return bucket;
  }
}
