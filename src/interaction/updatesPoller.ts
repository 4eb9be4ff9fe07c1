// One bot's getUpdates long poll, run by the leader only. Telegram keeps the offset server-side: an
// update is confirmed by the next getUpdates whose offset is above its id. Updates are handed to the
// handler and the next getUpdates goes out at once: one slow press (an Alertmanager taking its full
// deadline) must not hold every other press on the bot past Telegram's 15 s for an answer. So an
// update is confirmed once it is being handled, not once it was handled; at most MAX_HANDLING of a
// bot's updates are handled at a time, and beyond that the poll waits (Telegram keeps the rest). A
// step-down or shutdown lets the updates being handled finish before it confirms them; a leader that
// dies mid-press loses that press (its presser sees no answer and presses again; the press handler
// is idempotent on the episode record, so a press handled twice still creates one silence). A 409 (a
// webhook is set, or another program polls this bot) is reported, never fixed: the operator does not
// call deleteWebhook.
import { TelegramError } from '../telegram/errors.js';
import type { CallOptions } from '../telegram/client.js';
import type { Logger } from '../observability/log.js';
import { OUTBOUND, TELEGRAM_LONG_POLL_S } from '../net/outbound.js';

/** What the operator asks Telegram for; a bot setting on Telegram's side (hence: a dedicated bot). */
export const ALLOWED_UPDATES = ['callback_query', 'my_chat_member'];
/** Long-poll timeout in seconds; the call's deadline (outbound policy) is above it. */
export const POLL_TIMEOUT_S = TELEGRAM_LONG_POLL_S;
/** Updates of one bot handled at a time; presses on one episode are still ordered by the press handler. */
export const MAX_HANDLING = 16;
/** After a 409, look again this often: the conflict may end (webhook deleted, other poller stopped). */
export const CONFLICT_RETRY_MS = 30_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** On stop, the last offset is confirmed within this (best effort: a press left unconfirmed is handled once more, idempotently). */
const FINAL_CONFIRM_MS = 1_500;

export type ConflictKind = 'webhook' | 'poller';

export interface Update {
  update_id: number;
  [field: string]: unknown;
}

export interface PollerDeps {
  telegram: {
    getUpdates(
      token: string,
      params: { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] },
      opts?: CallOptions,
    ): Promise<unknown[]>;
  };
  token: string;
  /** Handles one update, side by side with the bot's others; should not throw (a throw is logged). */
  handle: (u: Update) => Promise<void>;
  /** The bot's 409 state changed: a conflict began (its kind) or ended (undefined). */
  onConflict: (kind: ConflictKind | undefined, description: string) => void;
  log: Logger;
  /** For tests: an abortable wait (fake clock). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function conflictOf(e: unknown): ConflictKind | undefined {
  if (!(e instanceof TelegramError) || e.httpStatus !== 409) return undefined;
  return /webhook/i.test(`${e.description ?? ''} ${e.message}`) ? 'webhook' : 'poller';
}

export class UpdatesPoller {
  private readonly abort = new AbortController();
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private loop: Promise<void> | undefined;
  /** The next offset to ask for: every update below it has been handed off to a handler. */
  private offset: number | undefined;
  /** The offset Telegram has been told (by the last getUpdates that succeeded). */
  private confirmed: number | undefined;
  private conflict: ConflictKind | undefined;
  /** Updates being handled now. */
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly deps: PollerDeps) {
    this.sleep = deps.sleep ?? abortableSleep;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the long poll at once, lets the updates being handled finish, then confirms them (best effort). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.all(this.handling);
    if (this.offset !== undefined && this.offset !== this.confirmed) {
      try {
        await this.deps.telegram.getUpdates(
          this.deps.token,
          { offset: this.offset, limit: 1, timeout: 0 },
          { timeoutMs: FINAL_CONFIRM_MS },
        );
        this.confirmed = this.offset;
      } catch {
        // The next leader receives these again and handles them idempotently.
      }
    }
  }

  /** For tests and logs: the next offset asked for. */
  get nextOffset(): number | undefined {
    return this.offset;
  }

  private async run(): Promise<void> {
    const { telegram, token, log } = this.deps;
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      // At the cap, the next poll waits for a handler to finish: Telegram holds the rest meanwhile.
      while (this.handling.size >= MAX_HANDLING && !signal.aborted) await Promise.race(this.handling);
      if (signal.aborted) break;
      let raw: unknown[];
      try {
        const asked = this.offset;
        raw = await telegram.getUpdates(
          token,
          {
            ...(asked !== undefined ? { offset: asked } : {}),
            // No more than the free handler slots: the cap holds however many updates Telegram has waiting.
            limit: MAX_HANDLING - this.handling.size,
            timeout: POLL_TIMEOUT_S,
            allowed_updates: ALLOWED_UPDATES,
          },
          { timeoutMs: OUTBOUND.telegramLongPoll.deadlineMs, signal },
        );
        this.confirmed = asked;
        failures = 0;
        this.setConflict(undefined, '');
      } catch (e) {
        if (signal.aborted) break;
        const kind = conflictOf(e);
        if (kind) {
          this.setConflict(kind, (e as TelegramError).description ?? (e as Error).message);
          await this.sleep(CONFLICT_RETRY_MS, signal);
          continue;
        }
        failures++;
        const retryAfterMs = e instanceof TelegramError && e.retryAfterSeconds !== undefined ? e.retryAfterSeconds * 1000 : 0;
        const waitMs = Math.max(retryAfterMs, Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));
        log.warn({ err: e, retryInMs: waitMs }, 'getUpdates failed; button presses wait until it works again');
        await this.sleep(waitMs, signal);
        continue;
      }
      const updates = raw
        .filter((u): u is Update => typeof u === 'object' && u !== null && Number.isSafeInteger((u as Update).update_id))
        .filter((u) => this.offset === undefined || u.update_id >= this.offset)
        .sort((a, b) => a.update_id - b.update_id);
      if (updates.length === 0) continue;
      // Handed off, not waited for: the next getUpdates (which confirms these) goes out at once.
      for (const u of updates) this.dispatch(u);
      this.offset = updates[updates.length - 1]!.update_id + 1;
    }
  }

  private dispatch(u: Update): void {
    const done: Promise<void> = this.deps
      .handle(u)
      .catch((err: unknown) => this.deps.log.error({ err, updateId: u.update_id }, 'an update could not be handled'))
      .finally(() => this.handling.delete(done));
    this.handling.add(done);
  }

  private setConflict(kind: ConflictKind | undefined, description: string): void {
    if (kind === this.conflict) return;
    this.conflict = kind;
    this.deps.onConflict(kind, description);
  }
}

/** setTimeout that ends early (and leaves no timer behind) when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
