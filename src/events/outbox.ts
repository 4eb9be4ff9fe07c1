// One channel's way to the chat for Warning events: one operation at a time (a send or an edit through
// the delivery service, which paces it with the bot's and chat's buckets), changes that arrive
// meanwhile folded into the next edit. Past the chat's budget of new messages (NEW_MESSAGES_PER_MINUTE,
// NEW_MESSAGES_BURST in any BURST_MS), a new object and reason joins the channel's one "and N more"
// message instead, edited in place: a storm over hundreds of objects is a few messages, never a queue
// that outlives it, and never a 429.
import type { EditOutcome, SendOutcome, Target } from '../delivery/service.js';
import type { Logger } from '../observability/log.js';
import type { Aggregate, Aggregates } from './aggregation.js';
import { renderAggregate, renderOverflow } from './render.js';
import type { OverflowRecord } from './sentRecords.js';

/** Telegram's limit for a group (20 messages a minute): the most new event messages a chat gets. */
export const NEW_MESSAGES_PER_MINUTE = 20;
/** At most this many new messages in any BURST_MS: a storm's first seconds do not spend the minute. */
export const NEW_MESSAGES_BURST = 5;
export const BURST_MS = 10_000;
/** A transient failure (Telegram busy, the channel's Secret unreadable) is tried again after this long. */
export const RETRY_MS = 5_000;
/** Objects an overflow message stands for, at most (its count stops there: "and 1000 more"). */
const MAX_OVERFLOW_KEYS = 1000;

export interface ChatOperations {
  send(to: Target, req: { parts: string[]; parseMode: 'HTML'; source: 'kubernetesEvents' }): Promise<SendOutcome>;
  editText(to: Target, edit: { messageId: number; text: string; parseMode: 'HTML' }): Promise<EditOutcome>;
}

export interface OutboxDeps {
  channelKey: string;
  aggregates: Aggregates;
  service: ChatOperations;
  /** The channel's chat, when it is Ready and its Secrets can be read; undefined: try again later. */
  target: () => Promise<Target | undefined>;
  windowMs: () => number;
  /** Something worth remembering changed (a message id, a count shown). */
  changed: () => void;
  now: () => number;
  log: Logger;
}

interface Overflow extends OverflowRecord {
  keys: Set<string>;
  version: number;
  shown: number;
}

const OVERFLOW = Symbol('overflow');

export class ChannelOutbox {
  private readonly dirty = new Set<string>();
  private overflow: Overflow | undefined;
  private readonly newMessagesAt: number[] = [];
  private running = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly deps: OutboxDeps) {}

  /** The overflow message as it should be remembered. */
  get overflowRecord(): OverflowRecord | undefined {
    const o = this.overflow;
    return o ? { windowStartMs: o.windowStartMs, ...(o.messageId !== undefined ? { messageId: o.messageId } : {}) } : undefined;
  }

  /** After a restart: the overflow message of this window and the aggregates folded into it. */
  restoreOverflow(record: OverflowRecord, folded: readonly Aggregate[]): void {
    this.overflow = { ...record, keys: new Set(folded.map((a) => a.key)), version: 1, shown: 1 };
  }

  /** An aggregate changed: show it. */
  mark(key: string): void {
    this.dirty.delete(key);
    this.dirty.add(key);
    this.kick();
  }

  kick(): void {
    if (!this.running && !this.stopped) void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.dirty.clear();
    clearTimeout(this.retry);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        const next = this.next();
        if (next === undefined) return;
        const target = await this.deps.target();
        if (!target) {
          this.requeue(next); // not Ready now: its next reconcile kicks the outbox again
          return;
        }
        const done = next === OVERFLOW ? await this.showOverflow(target) : await this.show(next, target);
        if (!done) {
          this.requeue(next);
          this.retry = setTimeout(() => this.kick(), RETRY_MS);
          this.retry.unref();
          return;
        }
      }
    } catch (e) {
      this.deps.log.error({ channel: this.deps.channelKey, err: e }, 'relaying Warning events failed');
    } finally {
      this.running = false;
    }
  }

  private next(): string | typeof OVERFLOW | undefined {
    const first = this.dirty.values().next();
    if (!first.done) {
      this.dirty.delete(first.value);
      return first.value;
    }
    const o = this.overflow;
    return o && o.version > o.shown ? OVERFLOW : undefined;
  }

  private requeue(next: string | typeof OVERFLOW): void {
    if (next !== OVERFLOW && !this.dirty.has(next)) this.dirty.add(next);
  }

  /** Sends or edits one aggregate's message; false: a transient failure, try again later. */
  private async show(key: string, target: Target): Promise<boolean> {
    const a = this.deps.aggregates.get(key);
    if (!a || a.shown >= a.version) return true;
    if (a.folded) return this.fold(a);
    if (a.messageId === undefined && this.overBudget()) return this.fold(a);
    const version = a.version;
    const text = renderAggregate(a);
    const outcome =
      a.messageId === undefined
        ? await this.deps.service.send(target, { parts: [text], parseMode: 'HTML', source: 'kubernetesEvents' })
        : await this.deps.service.editText(target, { messageId: a.messageId, text, parseMode: 'HTML' });
    // A new window may have replaced the aggregate meanwhile: that one is marked and shown on its own.
    if (this.deps.aggregates.get(key) !== a) return true;
    switch (outcome.kind) {
      case 'sent':
        a.messageId = outcome.messageIds[0];
        this.newMessagesAt.push(this.deps.now());
        break;
      case 'notFound':
      case 'notEditable':
        // Deleted in the chat, or too old to edit: a new message.
        a.messageId = undefined;
        this.dirty.add(key);
        return true;
      case 'failed':
        if (outcome.transient) return false;
        this.deps.log.warn({ channel: this.deps.channelKey, reason: outcome.reason }, 'Telegram refused a Warning event message');
        break;
    }
    a.shown = Math.max(a.shown, version);
    if (a.version > a.shown) this.dirty.add(key);
    this.deps.changed();
    return true;
  }

  private fold(a: Aggregate): boolean {
    const now = this.deps.now();
    if (!this.overflow || now - this.overflow.windowStartMs >= this.deps.windowMs()) {
      this.overflow = { windowStartMs: now, keys: new Set(), version: 0, shown: 0 };
    }
    a.folded = true;
    a.shown = a.version;
    if (this.overflow.keys.size < MAX_OVERFLOW_KEYS || this.overflow.keys.has(a.key)) this.overflow.keys.add(a.key);
    this.overflow.version += 1;
    this.deps.changed();
    return true;
  }

  private async showOverflow(target: Target): Promise<boolean> {
    const o = this.overflow!;
    const version = o.version;
    const folded = [...o.keys].map((k) => this.deps.aggregates.get(k)).filter((a): a is Aggregate => a !== undefined);
    const text = renderOverflow(folded, o.keys.size);
    const outcome =
      o.messageId === undefined
        ? await this.deps.service.send(target, { parts: [text], parseMode: 'HTML', source: 'kubernetesEvents' })
        : await this.deps.service.editText(target, { messageId: o.messageId, text, parseMode: 'HTML' });
    if (this.overflow !== o) return true;
    if (outcome.kind === 'sent') o.messageId = outcome.messageIds[0];
    else if (outcome.kind === 'notFound' || outcome.kind === 'notEditable') {
      o.messageId = undefined;
      return true; // still dirty: sent anew next
    } else if (outcome.kind === 'failed') {
      if (outcome.transient) return false;
      this.deps.log.warn({ channel: this.deps.channelKey, reason: outcome.reason }, 'Telegram refused the overflow message');
    }
    o.shown = Math.max(o.shown, version);
    this.deps.changed();
    return true;
  }

  /** Has the chat had its share of new messages (per minute, and per burst)? */
  private overBudget(): boolean {
    const now = this.deps.now();
    while (this.newMessagesAt.length && now - this.newMessagesAt[0]! >= 60_000) this.newMessagesAt.shift();
    const inBurst = this.newMessagesAt.filter((t) => now - t < BURST_MS).length;
    return this.newMessagesAt.length >= NEW_MESSAGES_PER_MINUTE || inBurst >= NEW_MESSAGES_BURST;
  }
}
