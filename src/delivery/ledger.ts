// The delivery ledger: outcomes of sends, per channel, from the moment the sender settles them until a
// status carrying them has been written. The reconciler folds them into status.delivery (fold), and
// tells the ledger once that status is written (written); only then do they leave memory, so a failed
// status write folds them again next time. Whoever waits for an outcome to be in status (an annotation
// send's admission, a replica stepping down) waits here.
import type { DeliveryReason } from '../api/contract.js';
import type { DeliveryStatus } from '../api/types.js';
import { nowRfc3339 } from '../api/conditions.js';
import type { Logger } from '../observability/log.js';
import type { MessageSource } from './outgoing.js';
import { isAboutTheChat } from './reasons.js';
import { Waiters } from '../async/waiters.js';

type Kind = 'alert' | 'test';

export interface Outcome {
  kind: Exclude<MessageSource, 'kubernetesEvents'>; // events are remembered by src/events/, not in status.delivery
  /** The annotation value's digest (alert and test messages). */
  digest?: string;
  ok: boolean;
  messageIds?: number[];
  reason?: DeliveryReason;
  error?: string;
}

interface HeldOutcome extends Outcome {
  at: number;
  /** Called once a status carrying this outcome has been written. */
  persisted: () => void;
}

/**
 * Outcomes of one channel kept one by one while they wait for a status write. Beyond this (status
 * writes failing or far behind), the oldest are folded into one summary of counters and last values,
 * so a channel whose status cannot be written holds a bounded amount of memory however much it sends.
 */
export const MAX_PENDING_OUTCOMES = 64;

/** Outcomes folded together: what they add to status, without their individual message ids. */
interface OutcomeSummary {
  sentMessages: number;
  failures: number;
  lastSentAt?: number;
  lastMessageId?: number;
  lastError?: string;
  lastErrorAt?: number;
  /** The newest digest recorded per annotation kind. */
  digests: Partial<Record<Kind, string>>;
}

interface PendingOutcomes {
  list: HeldOutcome[];
  /** Older than everything in `list`; replaced (never mutated) when more outcomes fold into it. */
  summary?: OutcomeSummary;
}

/** What one fold took from memory, to drop once the status carrying it is written. */
export interface Folded {
  readonly list: readonly HeldOutcome[];
  readonly summary?: OutcomeSummary;
}

/** An error kept for status is cut here already: status shows at most 4,096 characters of it anyway. */
const MAX_KEPT_ERROR = 4096;

export interface LedgerDeps {
  /** Wakes the channel's reconcile (to fold an outcome into status). */
  requeue: (key: string) => void;
  /** A send failed for a reason about the chat itself: verify the channel again. */
  chatFailed: (key: string) => void;
  log: Logger;
  now?: () => number;
}

export class DeliveryLedger {
  private readonly outcomes = new Map<string, PendingOutcomes>();
  private readonly now: () => number;
  /** Woken when the last unrecorded outcome is recorded. */
  private readonly emptyWaiters = new Waiters();

  constructor(private readonly deps: LedgerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Records a delivery so the channel's status includes it; resolves once that status is written. */
  record(key: string, outcome: Outcome): Promise<void> {
    if (!outcome.ok && outcome.reason && isAboutTheChat(outcome.reason)) this.deps.chatFailed(key);
    return new Promise((resolve) => {
      let pending = this.outcomes.get(key);
      if (!pending) this.outcomes.set(key, (pending = { list: [] }));
      const error = outcome.error !== undefined ? outcome.error.slice(0, MAX_KEPT_ERROR) : undefined;
      pending.list.push({ ...outcome, error, at: this.now(), persisted: resolve });
      if (pending.list.length > MAX_PENDING_OUTCOMES) this.summarizeOldest(key, pending);
      this.deps.requeue(key);
    });
  }

  /** How many outcomes are known here but not yet written to status. */
  get unrecorded(): number {
    let n = 0;
    for (const pending of this.outcomes.values()) n += pending.list.length + (pending.summary ? 1 : 0);
    return n;
  }

  /** Resolves true once every outcome known here is in status, or false after `timeoutMs`. */
  allRecorded(timeoutMs: number): Promise<boolean> {
    if (this.unrecorded === 0) return Promise.resolve(true);
    return this.emptyWaiters.wait(timeoutMs);
  }

  /** The number of outcomes of a channel held one by one (bounded by MAX_PENDING_OUTCOMES); for tests. */
  pendingOutcomes(key: string): number {
    return this.outcomes.get(key)?.list.length ?? 0;
  }

  /** The channel is gone: nothing will be written for it any more. */
  forget(key: string): void {
    for (const o of this.outcomes.get(key)?.list ?? []) o.persisted();
    this.outcomes.delete(key);
    this.wakeIfEmpty();
  }

  /** Adds the channel's unrecorded outcomes to `d` (a copy of status.delivery); hand the result to `written`. */
  fold(key: string, d: DeliveryStatus): Folded {
    const pending = this.outcomes.get(key);
    const list = [...(pending?.list ?? [])];
    const summary = pending?.summary;
    if (summary) foldSummary(summary, d);
    for (const o of list) {
      if (o.kind !== 'alertmanager') {
        const { lastField, pendingField } = fields(o.kind);
        d[lastField] = o.digest;
        if (d[pendingField] === o.digest) delete d[pendingField];
      }
      if (o.ok) {
        d.sent = (d.sent ?? 0) + (o.messageIds?.length ?? 1);
        d.lastSentTime = nowRfc3339(o.at);
        if (o.messageIds?.length) d.lastMessageId = o.messageIds[o.messageIds.length - 1];
        if (d.lastError?.startsWith('ChannelNotReady')) delete d.lastError;
      } else {
        d.failed = (d.failed ?? 0) + 1;
        d.lastError = `${o.reason}: ${o.error}`;
        d.lastErrorTime = nowRfc3339(o.at);
      }
    }
    return { list, summary };
  }

  /** A status carrying `folded` has been written: those outcomes leave memory and their waiters are released. */
  written(key: string, folded: Folded): void {
    if (!folded.list.length && !folded.summary) return;
    const pending = this.outcomes.get(key);
    if (!pending) return;
    const held = new Set(pending.list);
    pending.list = pending.list.filter((o) => !folded.list.includes(o));
    if (pending.summary && pending.summary === folded.summary) pending.summary = undefined;
    else if (pending.summary) {
      // The summary grew during the write: it holds what was written (the old summary, and outcomes of
      // the written list pushed into it since) and newer outcomes. Only the newer counts stay.
      const written = { sentMessages: folded.summary?.sentMessages ?? 0, failures: folded.summary?.failures ?? 0 };
      for (const o of folded.list) {
        if (held.has(o)) continue;
        if (o.ok) written.sentMessages += o.messageIds?.length ?? 1;
        else written.failures += 1;
      }
      pending.summary = {
        ...pending.summary,
        sentMessages: pending.summary.sentMessages - written.sentMessages,
        failures: pending.summary.failures - written.failures,
      };
    }
    if (!pending.list.length && !pending.summary) this.outcomes.delete(key);
    for (const o of folded.list) o.persisted();
    this.wakeIfEmpty();
  }

  private wakeIfEmpty(): void {
    if (this.emptyWaiters.size === 0 || this.unrecorded > 0) return;
    this.emptyWaiters.wakeAll();
  }

  /**
   * Folds the oldest outcome into the channel's summary. Its waiter is released now: it would be
   * released after the service's wait anyway, and holding a waiter per outcome is what must not grow.
   */
  private summarizeOldest(key: string, pending: PendingOutcomes): void {
    const o = pending.list.shift()!;
    if (!pending.summary) {
      this.deps.log.warn({ key, held: MAX_PENDING_OUTCOMES }, 'status writes are behind: folding older delivery outcomes into counters');
    }
    const s: OutcomeSummary = { ...(pending.summary ?? { sentMessages: 0, failures: 0, digests: {} }) };
    s.digests = { ...(pending.summary?.digests ?? {}) };
    if (o.kind !== 'alertmanager' && o.digest) s.digests[o.kind] = o.digest;
    if (o.ok) {
      s.sentMessages += o.messageIds?.length ?? 1;
      s.lastSentAt = o.at;
      if (o.messageIds?.length) s.lastMessageId = o.messageIds[o.messageIds.length - 1];
    } else {
      s.failures += 1;
      s.lastError = `${o.reason}: ${o.error}`;
      s.lastErrorAt = o.at;
    }
    pending.summary = s;
    o.persisted();
  }
}

/** The status fields of an annotation kind: the digest last sent, and the one waiting for Ready. */
export function fields(kind: Kind) {
  return kind === 'alert'
    ? ({ lastField: 'lastAlertDigest', pendingField: 'pendingAlertDigest' } as const)
    : ({ lastField: 'lastTestDigest', pendingField: 'pendingTestDigest' } as const);
}

/** What a summary of older outcomes adds to status; it comes before the outcomes still held one by one. */
function foldSummary(s: OutcomeSummary, d: DeliveryStatus): void {
  for (const kind of ['alert', 'test'] as const) {
    const digest = s.digests[kind];
    if (!digest) continue;
    const { lastField, pendingField } = fields(kind);
    d[lastField] = digest;
    if (d[pendingField] === digest) delete d[pendingField];
  }
  if (s.sentMessages) d.sent = (d.sent ?? 0) + s.sentMessages;
  if (s.failures) d.failed = (d.failed ?? 0) + s.failures;
  // A summary may outlive the write of its newest outcome: never move "last" values back in time.
  if (s.lastSentAt !== undefined && !(d.lastSentTime && d.lastSentTime > nowRfc3339(s.lastSentAt))) {
    d.lastSentTime = nowRfc3339(s.lastSentAt);
    if (s.lastMessageId !== undefined) d.lastMessageId = s.lastMessageId;
    if (d.lastError?.startsWith('ChannelNotReady')) delete d.lastError;
  }
  if (s.lastError !== undefined && !(d.lastErrorTime && d.lastErrorTime > nowRfc3339(s.lastErrorAt))) {
    d.lastError = s.lastError;
    d.lastErrorTime = nowRfc3339(s.lastErrorAt);
  }
}
