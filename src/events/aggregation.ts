// One aggregate per (channel, object, reason): the message that stands for every repeat of that event
// inside the channel's window. An Event object already taken in with the same count and last time (a
// relist, a new leader's first list, a restored record) changes nothing; one older than the window is
// not relayed at all. The map is bounded in entries and in bytes: past either, the least recently
// changed aggregates are forgotten (a later repeat of one then starts a new message).
import type { WarningEvent } from './warningEvent.js';

export interface Seen {
  count: number;
  lastSeenMs: number;
}

export interface Aggregate {
  key: string;
  channelKey: string;
  reason: string;
  regarding: WarningEvent['regarding'];
  windowStartMs: number;
  lastSeenMs: number;
  note: string;
  /** Per Event object (by name): what was already taken in. Bounded by MAX_SEEN_PER_AGGREGATE. */
  seen: Map<string, Seen>;
  /** The chat message of this window, once sent. */
  messageId?: number;
  /** Past the chat's limits: shown in the channel's "and N more" message instead of one of its own. */
  folded?: boolean;
  /** Bumped on each change; `shown` is the version the chat shows. */
  version: number;
  shown: number;
}

export interface AggregateLimits {
  maxEntries: number;
  maxBytes: number;
}

/** Enough for every Warning of a busy cluster's hour (events expire after 1 h by default), and a few MiB at most. */
export const DEFAULT_AGGREGATE_LIMITS: AggregateLimits = { maxEntries: 20_000, maxBytes: 8 * 1024 * 1024 };
/** Event objects remembered per aggregate (one object and reason is usually one Event with a series). */
export const MAX_SEEN_PER_AGGREGATE = 16;

export function aggregateKey(channelKey: string, uid: string, reason: string): string {
  return `${channelKey}\n${uid}\n${reason}`;
}

/** Every repeat taken in: the Event objects' counts added up. */
export function totalCount(a: Aggregate): number {
  let n = 0;
  for (const s of a.seen.values()) n += s.count;
  return n;
}

/** A fair estimate of an aggregate's heap in bytes (strings are two bytes a character at worst). */
export function aggregateBytes(a: Aggregate): number {
  const strings = a.key.length + a.note.length + a.regarding.name.length + a.regarding.uid.length + a.reason.length;
  let seen = 0;
  for (const name of a.seen.keys()) seen += 2 * name.length + 48;
  return 2 * strings + seen + 256;
}

export class Aggregates {
  /** Insertion order is recency of change: the first entry is the one to forget first. */
  private readonly entries = new Map<string, Aggregate>();
  /** The bytes each entry was counted with (an aggregate changes in place, so not recomputed on removal). */
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly limits: AggregateLimits = DEFAULT_AGGREGATE_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  get(key: string): Aggregate | undefined {
    return this.entries.get(key);
  }

  /**
   * Takes in an event for one channel; returns the aggregate when it changed (send or edit it), undefined
   * when there is nothing new to say.
   */
  observe(channelKey: string, windowMs: number, e: WarningEvent, now: number): Aggregate | undefined {
    if (now - e.lastSeenMs > windowMs) return undefined;
    const key = aggregateKey(channelKey, e.regarding.uid, e.reason);
    let a = this.entries.get(key);
    const before = a?.seen.get(e.metadata.name);
    if (before && e.count <= before.count && e.lastSeenMs <= before.lastSeenMs) return undefined;
    if (!a) {
      a = {
        key,
        channelKey,
        reason: e.reason,
        regarding: e.regarding,
        windowStartMs: now,
        lastSeenMs: 0,
        note: '',
        seen: new Map(),
        version: 0,
        shown: 0,
      };
    } else if (now - a.windowStartMs >= windowMs) {
      // A new window: a new message, the history of what was taken in kept.
      a = { ...a, windowStartMs: now, messageId: undefined, folded: undefined, shown: a.version };
    }
    a.seen.delete(e.metadata.name);
    a.seen.set(e.metadata.name, { count: e.count, lastSeenMs: e.lastSeenMs });
    while (a.seen.size > MAX_SEEN_PER_AGGREGATE) a.seen.delete(a.seen.keys().next().value!);
    a.lastSeenMs = Math.max(a.lastSeenMs, e.lastSeenMs);
    if (e.note) a.note = e.note;
    a.version += 1;
    this.put(a);
    return a;
  }

  /** Puts back an aggregate read from the remembered records (after a restart or a handover). */
  restore(a: Aggregate): void {
    this.put(a);
  }

  /** Every aggregate of one channel (for its remembered record). */
  ofChannel(channelKey: string): Aggregate[] {
    return [...this.entries.values()].filter((a) => a.channelKey === channelKey);
  }

  forgetChannel(channelKey: string): void {
    for (const a of this.ofChannel(channelKey)) this.remove(a.key);
  }

  clear(): void {
    this.entries.clear();
    this.sizes.clear();
    this.bytes = 0;
  }

  private put(a: Aggregate): void {
    this.remove(a.key);
    const size = aggregateBytes(a);
    this.entries.set(a.key, a);
    this.sizes.set(a.key, size);
    this.bytes += size;
    while (this.entries.size > this.limits.maxEntries || (this.bytes > this.limits.maxBytes && this.entries.size > 1)) {
      this.remove(this.entries.keys().next().value!);
    }
  }

  private remove(key: string): void {
    if (!this.entries.delete(key)) return;
    this.bytes -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
  }
}
