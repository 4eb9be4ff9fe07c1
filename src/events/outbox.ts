// One channel's way to the chat for Warning events: one operation at a time (a send or an edit through
// the delivery service, which paces it with the bot's and chat's buckets), changes that arrive
// meanwhile folded into the next edit. Past the chat's budget of new messages (NEW_MESSAGES_PER_MINUTE,
// NEW_MESSAGES_BURST in any BURST_MS), a new object and reason joins the channel's one "and N more"
// message instead, edited in place: a storm over hundreds of objects is a few messages, never a queue
// that outlives it, and never a 429.
import { DeliveryError } from '../delivery/deliveryError.js';
import type { EditResult, Target } from '../delivery/messageOperations.js';
import type { Delivery } from '../delivery/sender.js';
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
  send(to: Target, req: { parts: string[]; parseMode: 'HTML'; source: 'kubernetesEvents' }): Promise<Delivery>;
  editText(to: Target, edit: { messageId: number; text: string; parseMode: 'HTML'; source: 'kubernetesEvents' }): Promise<EditResult>;
}

/** What one send or edit came to: a new message, shown, gone from the chat (send anew), or worth a retry. */
type Put = { kind: 'sent'; messageId: number | undefined } | { kind: 'shown' } | { kind: 'gone' } | { kind: 'retry' };

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
    const put = await this.put(target, a.messageId, text, 'a Warning event message');
    // A new window may have replaced the aggregate meanwhile: that one is marked and shown on its own.
    if (this.deps.aggregates.get(key) !== a) return true;
    switch (put.kind) {
      case 'retry':
        return false;
      case 'gone':
        // Deleted in the chat, or too old to edit: a new message.
        a.messageId = undefined;
        this.dirty.add(key);
        return true;
      case 'sent':
        a.messageId = put.messageId;
        this.newMessagesAt.push(this.deps.now());
        break;
      case 'shown':
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
    const put = await this.put(target, o.messageId, text, 'the overflow message');
    if (this.overflow !== o) return true;
    if (put.kind === 'retry') return false;
    if (put.kind === 'gone') {
      o.messageId = undefined;
      return true; // still dirty: sent anew next
    }
    if (put.kind === 'sent') o.messageId = put.messageId;
    o.shown = Math.max(o.shown, version);
    this.deps.changed();
    return true;
  }

  /** Sends `text` as a new message, or edits `messageId` to show it; a refusal is logged and counts as shown. */
  private async put(target: Target, messageId: number | undefined, text: string, what: string): Promise<Put> {
    try {
      if (messageId === undefined) {
        const sent = await this.deps.service.send(target, { parts: [text], parseMode: 'HTML', source: 'kubernetesEvents' });
        return { kind: 'sent', messageId: sent.messageIds[0] };
      }
      const edited = await this.deps.service.editText(target, { messageId, text, parseMode: 'HTML', source: 'kubernetesEvents' });
      return edited === 'gone' ? { kind: 'gone' } : { kind: 'shown' };
    } catch (e) {
      if (!(e instanceof DeliveryError)) throw e;
      if (e.transient) return { kind: 'retry' };
      this.deps.log.warn({ channel: this.deps.channelKey, reason: e.reason }, `Telegram refused ${what}`);
      return { kind: 'shown' };
    }
  }

  /** Has the chat had its share of new messages (per minute, and per burst)? */
  private overBudget(): boolean {
    const now = this.deps.now();
    while (this.newMessagesAt.length && now - this.newMessagesAt[0]! >= 60_000) this.newMessagesAt.shift();
    const inBurst = this.newMessagesAt.filter((t) => now - t < BURST_MS).length;
    return this.newMessagesAt.length >= NEW_MESSAGES_PER_MINUTE || inBurst >= NEW_MESSAGES_BURST;
  }
}
