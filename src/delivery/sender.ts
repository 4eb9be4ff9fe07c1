// The only code that calls sendMessage (and the edits, deletions and callback answers of the alert lifecycle):
// one BotSender per bot token owns that bot's limits (botSender.ts: queues and retries; pacing.ts:
// buckets and 429 pauses; coalesce.ts: storms). This file routes to them, forgets idle bots, and
// stops them all when this replica stops sending.
import type { TelegramClient } from '../telegram/client.js';
import { tokenKey } from '../telegram/tokenKey.js';
import { BotSender } from './botSender.js';
import {
  SendingStopped,
  realClock,
  type ChatCall,
  type Clock,
  type Delivery,
  type OutgoingMessage,
  type SenderObserver,
} from './outgoing.js';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './rateLimit.js';

export {
  SendingStopped,
  type Admission,
  type ChatCall,
  type Clock,
  type Delivery,
  type FirstPartOptions,
  type MessageSource,
  type OutgoingMessage,
  type SenderObserver,
} from './outgoing.js';

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
  private readonly clock: Clock;
  private accepting = true;
  private lastPrune = 0;
  /** Woken whenever a chat's queue runs dry (drain waits on it). */
  private idleWaiters = new Set<() => void>();

  constructor(
    private readonly telegram: TelegramClient,
    private readonly observer: SenderObserver,
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    clock: Partial<Clock> = {},
  ) {
    this.clock = { ...realClock, ...clock };
  }

  /** How many bots have a sender right now (for tests and debugging). */
  get botCount(): number {
    return this.bots.size;
  }

  send(msg: OutgoingMessage): Promise<Delivery> {
    if (!this.accepting) return Promise.reject(new SendingStopped());
    return this.bot(msg.token).submit(msg);
  }

  /** A photo, an edit, a deletion or a callback answer, through the same queues and buckets as the bot's messages. */
  call<T>(call: ChatCall<T>): Promise<T> {
    if (!this.accepting) return Promise.reject(new SendingStopped(call.method));
    return this.bot(call.token).submitCall(call);
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

  /** Resolves true once nothing is queued or in flight (for a graceful shutdown), or false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.idle()) return true;
    const timeUp = new AbortController();
    const idle = new Promise<boolean>((resolve) => {
      const check = () => {
        if (!this.idle()) return;
        this.idleWaiters.delete(check);
        resolve(true);
      };
      this.idleWaiters.add(check);
      timeUp.signal.addEventListener('abort', () => (this.idleWaiters.delete(check), resolve(false)), { once: true });
    });
    const done = new AbortController();
    void this.clock.sleep(timeoutMs, done.signal).then(() => timeUp.abort());
    const drained = await idle;
    done.abort();
    return drained;
  }

  private idle(): boolean {
    for (const b of this.bots.values()) if (!b.idle) return false;
    return true;
  }

  private bot(token: string): BotSender {
    this.pruneIdleBots();
    const key = tokenKey(token);
    let bot = this.bots.get(key);
    if (!bot) {
      const onIdle = () => {
        for (const w of [...this.idleWaiters]) w();
      };
      this.bots.set(key, (bot = new BotSender(token, this.telegram, this.limits, this.observer, this.clock, onIdle)));
    }
    return bot;
  }

  /** At most once a minute, on a send: forgets bots that have been idle for BOT_IDLE_MS. */
  private pruneIdleBots(): void {
    const now = this.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    for (const [key, bot] of this.bots) if (bot.idle && now - bot.busyUntil > BOT_IDLE_MS) this.bots.delete(key);
  }
}
