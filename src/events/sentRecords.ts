// What was already reported to each channel, remembered where episodes are (a ConfigMap per channel in
// the operator's namespace, which a new leader can read): per aggregate its message id, window start,
// and the counts and times of the Event objects taken in. A restart or a handover then edits the same
// messages and does not send again what the chat already shows. Bounded: the most recently seen
// MAX_RECORDS aggregates, each with a short note, so a record stays far below a ConfigMap's 1 MiB.
import { createHash } from 'node:crypto';
import type { Logger } from '../observability/log.js';
import { isConflict, kubeErrorForLog } from '../kube/errors.js';
import type { EpisodeConfigMaps } from '../kube/episodeConfigMaps.js';
import { aggregateKey, type Aggregate } from './aggregation.js';

export const EVENTS_CONFIGMAP_PREFIX = 'telegram-events-';
export const LABEL_EVENTS = 'telegram.notify.dev/events';
export const MAX_RECORDS = 300;
const MAX_STORED_SEEN = 4;
const MAX_STORED_NOTE = 200;

/** The overflow message of a channel's current window. */
export interface OverflowRecord {
  messageId?: number;
  windowStartMs: number;
}

export interface ChannelRecord {
  aggregates: Aggregate[];
  overflow?: OverflowRecord;
}

interface Stored {
  u: string;
  r: string;
  k: string;
  n: string;
  ns: string;
  m?: number;
  f?: 1;
  w: number;
  l: number;
  c: string;
  s: [string, number, number][];
}

/** The ConfigMap of a channel: named by a digest of its key, so any name length fits. */
export function configMapNameOf(channelKey: string): string {
  return EVENTS_CONFIGMAP_PREFIX + createHash('sha256').update(channelKey).digest('hex').slice(0, 20);
}

/** Reported aggregates still inside their window, most recently seen first, at most MAX_RECORDS. */
export function encodeRecord(record: ChannelRecord, windowMs: number, now: number): Record<string, string> {
  const live = record.aggregates
    .filter((a) => (a.messageId !== undefined || a.folded) && now - Math.max(a.windowStartMs, a.lastSeenMs) < windowMs)
    .sort((x, y) => y.lastSeenMs - x.lastSeenMs)
    .slice(0, MAX_RECORDS);
  const stored: Stored[] = live.map((a) => ({
    u: a.regarding.uid,
    r: a.reason,
    k: a.regarding.kind,
    n: a.regarding.name,
    ns: a.regarding.namespace,
    ...(a.messageId !== undefined ? { m: a.messageId } : {}),
    ...(a.folded ? { f: 1 as const } : {}),
    w: a.windowStartMs,
    l: a.lastSeenMs,
    c: a.note.slice(0, MAX_STORED_NOTE),
    s: [...a.seen].slice(-MAX_STORED_SEEN).map(([name, s]) => [name, s.count, s.lastSeenMs]),
  }));
  const data: Record<string, string> = { aggregates: JSON.stringify(stored) };
  if (record.overflow && now - record.overflow.windowStartMs < windowMs) data.overflow = JSON.stringify(record.overflow);
  return data;
}

/** The record as stored; entries that do not read as ours, or whose window is over, are left out. */
export function decodeRecord(channelKey: string, data: Record<string, string>, windowMs: number, now: number): ChannelRecord {
  const record: ChannelRecord = { aggregates: [] };
  let stored: unknown;
  try {
    stored = JSON.parse(data.aggregates ?? '[]');
  } catch {
    stored = [];
  }
  for (const s of Array.isArray(stored) ? (stored as (Partial<Stored> | null)[]) : []) {
    if (!s || typeof s.u !== 'string' || typeof s.r !== 'string' || typeof s.w !== 'number' || typeof s.l !== 'number') continue;
    if (now - Math.max(s.w, s.l) >= windowMs) continue;
    const pairs = (Array.isArray(s.s) ? s.s : []).filter((p): p is [string, number, number] => Array.isArray(p));
    const seen = new Map(pairs.map(([name, count, at]) => [String(name), { count: Number(count), lastSeenMs: Number(at) }]));
    record.aggregates.push({
      key: aggregateKey(channelKey, s.u, s.r),
      channelKey,
      reason: s.r,
      regarding: { uid: s.u, kind: String(s.k ?? ''), name: String(s.n ?? ''), namespace: String(s.ns ?? '') },
      windowStartMs: s.w,
      lastSeenMs: s.l,
      note: String(s.c ?? ''),
      seen,
      ...(typeof s.m === 'number' ? { messageId: s.m } : {}),
      ...(s.f ? { folded: true } : {}),
      version: 1,
      shown: 1,
    });
  }
  try {
    const o = JSON.parse(data.overflow ?? 'null') as Partial<OverflowRecord> | null;
    if (o && typeof o.windowStartMs === 'number' && now - o.windowStartMs < windowMs) {
      record.overflow = { windowStartMs: o.windowStartMs, ...(typeof o.messageId === 'number' ? { messageId: o.messageId } : {}) };
    }
  } catch {
    // an unreadable overflow record: the next overflow starts a new message
  }
  return record;
}

/** Reads and writes the records; one write per channel at a time, later saves folded into the next write. */
export class SentRecords {
  private readonly versions = new Map<string, string>();
  private readonly writing = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, () => Record<string, string>>();

  constructor(
    private readonly api: EpisodeConfigMaps,
    private readonly log: Logger,
  ) {}

  async load(channelKey: string): Promise<Record<string, string>> {
    const cm = await this.api.get(configMapNameOf(channelKey));
    if (cm) this.versions.set(channelKey, cm.resourceVersion);
    return cm?.data ?? {};
  }

  /** Stores what `data()` gives when the write goes (so a write that waited stores the latest). */
  save(channelKey: string, data: () => Record<string, string>): Promise<void> {
    this.pending.set(channelKey, data);
    const running = this.writing.get(channelKey);
    if (running) return running; // its loop takes this save too
    const write = this.writeLoop(channelKey).finally(() => this.writing.delete(channelKey));
    this.writing.set(channelKey, write);
    return write;
  }

  async delete(channelKey: string): Promise<void> {
    this.versions.delete(channelKey);
    await this.api.delete(configMapNameOf(channelKey));
  }

  private async writeLoop(channelKey: string): Promise<void> {
    const [namespace = '', name = ''] = channelKey.split('/');
    const cmName = configMapNameOf(channelKey);
    for (let data = this.take(channelKey); data; data = this.take(channelKey)) {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const rv = this.versions.get(channelKey);
          const stored = rv
            ? await this.api.patch(cmName, rv, { overflow: null, ...data })
            : await this.api.create(
                cmName,
                { [LABEL_EVENTS]: 'true', 'telegram.notify.dev/channel-namespace': namespace, 'telegram.notify.dev/channel-name': name },
                data,
              );
          this.versions.set(channelKey, stored.resourceVersion);
          break;
        } catch (e) {
          // This replica leads: what it holds is the truth. A conflict (or an existing ConfigMap) only means its version is stale.
          const current = await this.api.get(cmName).catch(() => undefined);
          if (current) this.versions.set(channelKey, current.resourceVersion);
          else this.versions.delete(channelKey);
          if (!isConflict(e) && attempt === 2)
            this.log.warn({ channel: channelKey, err: kubeErrorForLog(e) }, 'could not remember the events sent');
        }
      }
    }
  }

  private take(channelKey: string): Record<string, string> | undefined {
    const data = this.pending.get(channelKey);
    this.pending.delete(channelKey);
    return data?.();
  }
}
