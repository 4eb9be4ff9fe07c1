// Annotation alerts and test messages, delivered at least once and never twice on a resync,
// restart or re-apply. The reconcile decides; the service sends; status remembers:
//   1. the intent is the annotation itself: the user's write made it durable before we saw it, and
//      any value whose digest differs from status.delivery.last…Digest is, by definition, unsent
//   2. the message goes to the delivery service once the reconcile wrote status (no extra status
//      write on the hot path)
//   3. the outcome goes to the ledger, and the next reconcile folds it into status (last…Digest, counters).
// A crash between 2 and 3 leaves the digest unrecorded, so the next leader sends again: a duplicate
// is possible only if Telegram accepted the message just before the crash. A bot admits at most
// UNRECORDED_SENDS_PER_BOT such messages at a time (service.ts), so that is the most a crash can duplicate.
// pending…Digest marks only values waiting for a channel to be Ready.
import { createHash } from 'node:crypto';
import { ANNOTATION_ALERT, ANNOTATION_ALERT_ID, ANNOTATION_TEST, type DeliveryReason } from '../api/contract.js';
import type { ChannelStatus, DeliveryStatus, TelegramChannel } from '../api/types.js';
import { nowRfc3339 } from '../api/conditions.js';
import type { ResolvedChannel } from '../credentials/resolver.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../observability/log.js';
import { checkMarkup } from '../format/markup.js';
import { splitMessage } from '../format/split.js';
import { renderTestMessage } from '../format/testMessage.js';
import { fields, type DeliveryLedger, type Folded } from './ledger.js';
import type { MessageSource } from './outgoing.js';
import { readiness } from './readiness.js';
import type { DeliveryService } from './service.js';

type Kind = 'alert' | 'test';

export interface RelayDeps {
  service: Pick<DeliveryService, 'deliver'>;
  ledger: DeliveryLedger;
  recordEvent: EventRecorder;
  metrics: Metrics;
  log: Logger;
}

/** A send the reconcile decided on, started once the status carrying its intent has been written. */
interface PlannedSend {
  kind: Kind;
  digest: string;
  parts: string[];
  resolved: ResolvedChannel;
}

/** What one reconcile adds to status for delivery, and what to do once that status is written. */
export interface DeliveryPlan {
  key: string;
  channel: TelegramChannel;
  status: ChannelStatus;
  /** The ledger's outcomes folded into `status`: they leave memory once it is written. */
  folded: Folded;
  sends: PlannedSend[];
}

export function digestOf(text: string, id = ''): string {
  return `sha256:${createHash('sha256').update(`${id}\u0000${text}`).digest('hex')}`;
}

export class AnnotationRelay {
  private readonly inFlight = new Map<string, string>(); // `${key}|${kind}` → digest

  constructor(private readonly deps: RelayDeps) {}

  /** The channel is gone: nothing will be written for it any more. */
  forget(key: string): void {
    this.deps.ledger.forget(key);
  }

  /** The status of `plan` has been written: its outcomes leave the ledger, and its sends start. */
  written(plan: DeliveryPlan): void {
    // Outcomes leave memory only once written: a failed status write folds them again next time.
    this.deps.ledger.written(plan.key, plan.folded);
    for (const send of plan.sends) this.start(plan.key, plan.channel, send);
  }

  plan(key: string, ch: TelegramChannel, resolved: ResolvedChannel | undefined, status: ChannelStatus): DeliveryPlan {
    const d: DeliveryStatus = { ...(status.delivery ?? {}) };
    const sends: PlannedSend[] = [];
    const folded = this.deps.ledger.fold(key, d);
    // The status about to be written is for the current generation: only Ready itself counts here.
    const ready = readiness(ch, status);
    const annotations = ch.metadata.annotations ?? {};
    for (const kind of ['alert', 'test'] as const) {
      const raw = annotations[kind === 'alert' ? ANNOTATION_ALERT : ANNOTATION_TEST];
      if (raw === undefined) continue;
      const digest = kind === 'alert' ? digestOf(raw, annotations[ANNOTATION_ALERT_ID] ?? '') : digestOf(raw);
      const { lastField, pendingField } = fields(kind);
      if (d[lastField] === digest || this.inFlight.get(`${key}|${kind}`) === digest) continue;

      if (kind === 'alert' && raw.trim() === '') {
        d[lastField] = digest;
        delete d[pendingField];
        this.fail(d, ch, 'alert', 'EmptyAlert', 'the alert annotation is empty: nothing was sent', false);
        continue;
      }
      if (!ready.ready || !resolved) {
        // Kept, not dropped: it goes out once the channel is Ready (and a newer value replaces it).
        d[pendingField] = digest;
        const why = ready.ready ? 'not verified yet' : ready.why;
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
      sends.push({ kind, digest, parts: splitMessage(text, resolved.spec.parseMode), resolved });
    }
    return { key, channel: ch, status: { ...status, delivery: Object.keys(d).length ? d : undefined }, folded, sends };
  }

  private start(key: string, ch: TelegramChannel, send: PlannedSend): void {
    const slot = `${key}|${send.kind}`;
    if (this.inFlight.get(slot) === send.digest) return;
    this.inFlight.set(slot, send.digest);
    const { kind, digest, parts, resolved } = send;
    void this.deps.service
      .deliver(ch, { source: kind, digest, parts, resolved })
      .catch((e: unknown) =>
        this.deps.log.error({ namespace: ch.metadata.namespace, name: ch.metadata.name, err: e }, `${kind} outcome not recorded`),
      )
      .finally(() => {
        if (this.inFlight.get(slot) === digest) this.inFlight.delete(slot);
      });
  }

  // Refusals decided here, before anything is sent (an empty alert, invalid markup), are the relay's own:
  // they never reach the delivery service, so they are counted here and not by the service.
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
