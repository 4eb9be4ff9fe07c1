// Annotation alerts and test messages, delivered at least once and never twice on a resync,
// restart or re-apply. The reconcile decides; the sender sends; status remembers:
//   1. the intent is the annotation itself: the user's write made it durable before we saw it, and
//      any value whose digest differs from status.delivery.last…Digest is, by definition, unsent
//   2. the message goes to the sender at once (no extra status write on the hot path)
//   3. the sender's outcome is folded into status by the next reconcile (last…Digest, counters).
// A crash between 2 and 3 leaves the digest unrecorded, so the next leader sends again: a duplicate
// is possible only if Telegram accepted the message just before the crash. A bot admits at most
// UNRECORDED_SENDS_PER_BOT such messages at a time, so that is the most a crash can duplicate.
// pending…Digest marks only values waiting for a channel to be Ready.
import { createHash } from 'node:crypto';
import { Semaphore } from 'async-mutex';
import { ANNOTATION_ALERT, ANNOTATION_ALERT_ID, ANNOTATION_TEST, CONDITION_READY, type DeliveryReason } from '../api/contract.js';
import type { ChannelStatus, DeliveryStatus, TelegramChannel } from '../api/types.js';
import { findCondition, nowRfc3339 } from '../api/conditions.js';
import type { ResolvedChannel } from '../channel/resolver.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../observability/log.js';
import { TelegramError } from '../telegram/errors.js';
import { tokenKey } from '../telegram/tokenKey.js';
import { checkMarkup } from './format/markup.js';
import { splitMessage } from './format/split.js';
import { renderTestMessage } from './format/testMessage.js';
import { SendingStopped, type MessageSource, type Sender } from './sender.js';

type Kind = 'alert' | 'test';

interface Outcome {
  kind: Kind | 'alertmanager';
  digest?: string;
  ok: boolean;
  messageIds?: number[];
  reason?: DeliveryReason;
  error?: string;
  at: number;
  /** Called once a status carrying this outcome has been written. */
  persisted?: () => void;
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
  list: Outcome[];
  /** Older than everything in `list`; replaced (never mutated) when more outcomes fold into it. */
  summary?: OutcomeSummary;
}

/** What one fold took from memory, to drop once the status carrying it is written. */
interface Folded {
  list: Outcome[];
  summary?: OutcomeSummary;
}

/** An error kept for status is cut here already: status shows at most 4,096 characters of it anyway. */
const MAX_KEPT_ERROR = 4096;

/** How long an admission is held waiting for its outcome to reach status. */
const PERSIST_WAIT_MS = 10_000;

/**
 * Annotation messages of one bot that may be accepted by Telegram but not yet recorded in status.
 * One would be the tightest bound, but a send plus its status write takes ~40 ms, which caps a bot
 * at ~25 messages/s against Telegram's 30; two keep up with Telegram and bound a crash to two duplicates.
 */
export const UNRECORDED_SENDS_PER_BOT = 2;

export interface RelayDeps {
  sender: Sender;
  recordEvent: EventRecorder;
  metrics: Metrics;
  log: Logger;
  /** Wakes the channel's reconcile (to fold an outcome into status). */
  requeue: (key: string) => void;
  /** A send failed for a reason about the chat itself: verify the channel again. */
  chatFailed: (key: string) => void;
}

export interface DeliveryPlan {
  status: ChannelStatus;
  /** Sends to start once the status carrying their intent has been written. */
  afterWrite: (() => void)[];
}

const CHAT_LEVEL: ReadonlySet<string> = new Set([
  'ChatMigrated',
  'ChatNotFound',
  'BotKicked',
  'BotNotMember',
  'CannotPost',
  'ThreadNotFound',
  'Unauthorized',
]);

export function digestOf(text: string, id = ''): string {
  return `sha256:${createHash('sha256').update(`${id}\u0000${text}`).digest('hex')}`;
}

export class AnnotationRelay {
  private readonly inFlight = new Map<string, string>(); // `${key}|${kind}` → digest
  private readonly outcomes = new Map<string, PendingOutcomes>();
  /**
   * Per bot, the admissions of annotation messages between "about to reach Telegram" and "outcome in
   * status". Taken by the sender after its rate-limit waits, so a chat that waits (or is paused by a
   * 429) never holds up the bot's other chats. (Webhook sends take none: Alertmanager is their ledger.)
   */
  private readonly unrecorded = new Map<string, Semaphore>();

  constructor(private readonly deps: RelayDeps) {}

  /** Records a delivery so the channel's status includes it; resolves once that status is written. */
  recordOutcome(key: string, outcome: Omit<Outcome, 'at' | 'persisted'>): Promise<void> {
    // A refusal about the chat itself (kicked, migrated…) means the last verification is stale.
    if (!outcome.ok && outcome.reason && CHAT_LEVEL.has(outcome.reason)) this.deps.chatFailed(key);
    return new Promise((resolve) => {
      let pending = this.outcomes.get(key);
      if (!pending) this.outcomes.set(key, (pending = { list: [] }));
      const error = outcome.error !== undefined ? outcome.error.slice(0, MAX_KEPT_ERROR) : undefined;
      pending.list.push({ ...outcome, error, at: Date.now(), persisted: resolve });
      if (pending.list.length > MAX_PENDING_OUTCOMES) this.summarizeOldest(key, pending);
      this.deps.requeue(key);
    });
  }

  /** How many outcomes are known here but not yet written to status (a replica that steps down waits for them). */
  get unrecordedOutcomes(): number {
    let n = 0;
    for (const pending of this.outcomes.values()) n += pending.list.length + (pending.summary ? 1 : 0);
    return n;
  }

  /** The number of outcomes of a channel held one by one (bounded by MAX_PENDING_OUTCOMES); for tests. */
  pendingOutcomes(key: string): number {
    return this.outcomes.get(key)?.list.length ?? 0;
  }

  /** The channel is gone: nothing will be written for it any more. */
  forget(key: string): void {
    for (const o of this.outcomes.get(key)?.list ?? []) o.persisted?.();
    this.outcomes.delete(key);
  }

  /**
   * Folds the oldest outcome into the channel's summary. Its waiter is released now: it would be
   * released after PERSIST_WAIT_MS anyway, and holding a waiter per outcome is what must not grow.
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
    o.persisted?.();
  }

  plan(key: string, ch: TelegramChannel, resolved: ResolvedChannel | undefined, status: ChannelStatus): DeliveryPlan {
    const d: DeliveryStatus = { ...(status.delivery ?? {}) };
    const afterWrite: (() => void)[] = [];
    const folded = this.foldOutcomes(key, d);
    // Outcomes leave memory only once written: a failed status write folds them again next time.
    if (folded.list.length || folded.summary) afterWrite.push(() => this.markPersisted(key, folded));

    const ready = findCondition(status.conditions, CONDITION_READY);
    const annotations = ch.metadata.annotations ?? {};
    for (const kind of ['alert', 'test'] as const) {
      const raw = annotations[kind === 'alert' ? ANNOTATION_ALERT : ANNOTATION_TEST];
      if (raw === undefined) continue;
      const digest = kind === 'alert' ? digestOf(raw, annotations[ANNOTATION_ALERT_ID] ?? '') : digestOf(raw);
      const lastField = kind === 'alert' ? 'lastAlertDigest' : 'lastTestDigest';
      const pendingField = kind === 'alert' ? 'pendingAlertDigest' : 'pendingTestDigest';
      if (d[lastField] === digest || this.inFlight.get(`${key}|${kind}`) === digest) continue;

      if (kind === 'alert' && raw.trim() === '') {
        d[lastField] = digest;
        delete d[pendingField];
        this.fail(d, ch, 'alert', 'EmptyAlert', 'the alert annotation is empty: nothing was sent', false);
        continue;
      }
      if (ready?.status !== 'True' || !resolved) {
        // Kept, not dropped: it goes out once the channel is Ready (and a newer value replaces it).
        d[pendingField] = digest;
        const why = ready ? `${ready.reason}: ${ready.message}` : 'not verified yet';
        d.lastError = `ChannelNotReady: ${kind} waiting until the channel is Ready (${why})`;
        continue;
      }
      const text = kind === 'alert' ? raw : renderTestMessage(ch.metadata.namespace, ch.metadata.name, resolved.spec.parseMode);
      const markup = checkMarkup(text, resolved.spec.parseMode);
      if (!markup.ok) {
        d[lastField] = digest;
        delete d[pendingField];
        this.fail(d, ch, kind, 'InvalidMarkup', `${resolved.spec.parseMode} markup is invalid: ${markup.message}`, true);
        continue;
      }
      afterWrite.push(() => this.start(key, kind, digest, resolved, splitMessage(text, resolved.spec.parseMode), ch));
    }
    return { status: { ...status, delivery: Object.keys(d).length ? d : undefined }, afterWrite };
  }

  private start(key: string, kind: Kind, digest: string, resolved: ResolvedChannel, parts: string[], ch: TelegramChannel): void {
    const r = {
      ...resolved,
      namespace: ch.metadata.namespace,
      name: ch.metadata.name,
      target: ch,
    };
    const slot = `${key}|${kind}`;
    if (this.inFlight.get(slot) === digest) return;
    this.inFlight.set(slot, digest);
    const source: MessageSource = kind;
    const gate = this.admissions(tokenKey(r.token));
    let release: (() => void) | undefined;
    const admit = async () => (release = (await gate.acquire())[1]);
    const recorded = (outcome: Omit<Outcome, 'at' | 'persisted'>) => withTimeout(this.recordOutcome(key, outcome), PERSIST_WAIT_MS);
    void this.deps.sender
      .send({ token: r.token, chatId: r.chatId, parts, options: sendOptions(r), source, admit })
      .then(
        (delivery) => {
          this.deps.log.info(
            { namespace: r.namespace, name: r.name, source, parts: parts.length, messageIds: delivery.messageIds },
            `${kind} delivered`,
          );
          this.deps.recordEvent(
            r.target,
            'Normal',
            kind === 'alert' ? 'AlertSent' : 'TestMessageSent',
            `delivered in ${parts.length} message(s), last message id ${delivery.messageIds.at(-1)}`,
          );
          return recorded({ kind, digest, ok: true, messageIds: delivery.messageIds });
        },
        (e: unknown) => {
          // Not sent because this replica lost the Lease: nothing to record, the next leader sends it.
          if (e instanceof SendingStopped) return;
          const err = e instanceof TelegramError ? e : undefined;
          const reason = deliveryReason(err);
          const message = err?.message ?? 'send failed';
          this.deps.metrics.messagesFailed.inc({ source, reason });
          this.deps.log.warn({ namespace: r.namespace, name: r.name, source, reason, err: message }, `${kind} not delivered`);
          this.deps.recordEvent(r.target, 'Warning', kind === 'alert' ? 'AlertFailed' : 'TestMessageFailed', `${reason}: ${message}`);
          return recorded({ kind, digest, ok: false, reason, error: message });
        },
      )
      .catch((e: unknown) => this.deps.log.error({ namespace: r.namespace, name: r.name, err: e }, `${kind} outcome not recorded`))
      .finally(() => {
        // Held until the outcome is in status (or PERSIST_WAIT_MS passed): then the next message may go.
        release?.();
        if (this.inFlight.get(slot) === digest) this.inFlight.delete(slot);
      });
  }

  private admissions(bot: string): Semaphore {
    let gate = this.unrecorded.get(bot);
    if (!gate) this.unrecorded.set(bot, (gate = new Semaphore(UNRECORDED_SENDS_PER_BOT)));
    return gate;
  }

  private markPersisted(key: string, folded: Folded): void {
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
    for (const o of folded.list) o.persisted?.();
  }

  private foldOutcomes(key: string, d: DeliveryStatus): Folded {
    const pending = this.outcomes.get(key);
    const list = [...(pending?.list ?? [])];
    const summary = pending?.summary;
    if (summary) foldSummary(summary, d);
    for (const o of list) {
      if (o.kind !== 'alertmanager') {
        const lastField = o.kind === 'alert' ? 'lastAlertDigest' : 'lastTestDigest';
        const pendingField = o.kind === 'alert' ? 'pendingAlertDigest' : 'pendingTestDigest';
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

  private fail(
    d: DeliveryStatus,
    ch: TelegramChannel,
    source: MessageSource,
    reason: DeliveryReason,
    message: string,
    counts: boolean,
  ): void {
    if (counts) d.failed = (d.failed ?? 0) + 1;
    d.lastError = `${reason}: ${message}`;
    d.lastErrorTime = nowRfc3339();
    this.deps.metrics.messagesFailed.inc({ source, reason });
    this.deps.recordEvent(ch, counts ? 'Warning' : 'Normal', reason, message);
  }
}

export function sendOptions(r: ResolvedChannel) {
  return {
    ...(r.spec.parseMode !== 'None' ? { parse_mode: r.spec.parseMode } : {}),
    ...(r.spec.messageThreadId !== undefined ? { message_thread_id: r.spec.messageThreadId } : {}),
    ...(r.spec.disableNotification ? { disable_notification: true } : {}),
    ...(r.spec.protectContent ? { protect_content: true } : {}),
    link_preview_options: { is_disabled: !r.spec.linkPreview },
  };
}

export function deliveryReason(err: TelegramError | undefined): DeliveryReason {
  switch (err?.kind) {
    case 'ChatMigrated':
    case 'ChatNotFound':
    case 'BotKicked':
    case 'BotNotMember':
    case 'CannotPost':
    case 'ThreadNotFound':
    case 'Unauthorized':
    case 'RateLimited':
      return err.kind;
    case 'InvalidMarkup':
      return 'InvalidMarkup';
    case 'Unavailable':
      return 'TelegramUnavailable';
    default:
      return 'Rejected';
  }
}

/** What a summary of older outcomes adds to status; it comes before the outcomes still held one by one. */
function foldSummary(s: OutcomeSummary, d: DeliveryStatus): void {
  for (const kind of ['alert', 'test'] as const) {
    const digest = s.digests[kind];
    if (!digest) continue;
    const lastField = kind === 'alert' ? 'lastAlertDigest' : 'lastTestDigest';
    const pendingField = kind === 'alert' ? 'pendingAlertDigest' : 'pendingTestDigest';
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

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
