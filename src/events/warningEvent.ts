// One events.k8s.io/v1 Event as the relay uses it: the object it is about, its reason, the latest note
// and how often and when it happened. Everything else of the Event is dropped on arrival, and the note
// is cut, so a cluster's events cost a bounded amount of memory each however long their notes are.
import type { KubeObject } from '../kube/objects.js';

/** Longest note kept, in characters: a message shows at most this much of it (render.ts cuts further). */
export const MAX_NOTE_CHARS = 1024;

export interface WarningEvent extends KubeObject {
  /** The namespace the Event is recorded in (cluster-scoped objects' events are in "default", usually). */
  namespace: string;
  regarding: {
    kind: string;
    name: string;
    /** Empty for a cluster-scoped object (a Node). */
    namespace: string;
    /** The object's uid; its kind/namespace/name when the Event carries none. */
    uid: string;
  };
  reason: string;
  note: string;
  /** How many times it happened: series.count, or the core/v1 view's count, or 1. */
  count: number;
  /** When it last happened, in ms since the epoch: series.lastObservedTime, deprecatedLastTimestamp, eventTime or creation. */
  lastSeenMs: number;
}

interface RawEvent {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string | Date };
  type?: string;
  reason?: string;
  note?: string;
  regarding?: { kind?: string; name?: string; namespace?: string; uid?: string };
  series?: { count?: number; lastObservedTime?: string | Date | null } | null;
  deprecatedCount?: number | null;
  deprecatedLastTimestamp?: string | Date | null;
  eventTime?: string | Date | null;
}

/** The first of the times that is set; an unset one arrives as undefined, null or "" (new Date(null) would be 1970). */
function timeOf(...candidates: (string | Date | null | undefined)[]): number {
  for (const c of candidates) {
    const ms = c ? new Date(c).getTime() : NaN;
    if (Number.isFinite(ms) && ms > 0) return ms;
  }
  return 0;
}

/** The relay's view of a raw Event; a Normal event (the watch asks for Warning only) gets type Normal and is ignored by the caller. */
export function toWarningEvent(raw: unknown): WarningEvent & { type: string } {
  const e = (raw ?? {}) as RawEvent;
  const meta = e.metadata ?? {};
  const r = e.regarding ?? {};
  const kind = r.kind ?? '';
  const name = r.name ?? '';
  const note = e.note ?? '';
  return {
    metadata: { name: meta.name ?? '', namespace: meta.namespace, resourceVersion: meta.resourceVersion },
    type: e.type ?? '',
    namespace: meta.namespace ?? '',
    regarding: { kind, name, namespace: r.namespace ?? '', uid: r.uid || `${kind}/${r.namespace ?? ''}/${name}` },
    reason: e.reason ?? '',
    note: note.length > MAX_NOTE_CHARS ? note.slice(0, MAX_NOTE_CHARS) : note,
    count: Math.max(1, e.series?.count ?? e.deprecatedCount ?? 1),
    lastSeenMs: timeOf(e.series?.lastObservedTime, e.deprecatedLastTimestamp, e.eventTime, meta.creationTimestamp),
  };
}

/** What the watch's cache keeps of an Event: enough to tell a relist what changed, nothing more. */
export function cachedOnly(e: WarningEvent): KubeObject {
  return { metadata: e.metadata };
}
