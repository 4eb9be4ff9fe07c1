// The delivery service: deliver(channel, message) → outcome, for every source of messages. It owns what
// every delivery needs besides the sending itself (the sender's): the "Ready for its current generation"
// check, admission of annotation messages, in-flight webhook notifications (a retry joins the delivery
// under way), the failure metric, the log line and Event, and recording the outcome in the ledger that
// the reconciler folds into status. Its callers only decide what to send (the relay) or authenticate
// and answer (the webhook). It also offers the message operations (messageOperations.ts) the alert
// lifecycle needs.
import { TRANSIENT_REASONS } from '../api/contract.js';
import { parseSpec, type TelegramChannel } from '../api/types.js';
import type { ChannelResolver, ResolvedChannel } from '../credentials/resolver.js';
import { SecretUnavailable } from '../credentials/secrets.js';
import { parsedLength } from '../format/markup.js';
import { splitMessage } from '../format/split.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { Notification } from '../sources/notification.js';
import type { SourceSettings, WebhookSource } from '../sources/source.js';
import { tokenKey } from '../telegram/tokenKey.js';
import { Admissions } from './admission.js';
import { DeliveryError } from './deliveryError.js';
import type { DeliveryLedger } from './ledger.js';
import { MessageOperations, sendOptions } from './messageOperations.js';
import { editCaption, sendPhoto, type CaptionEdit, type CaptionEditResult, type PhotoRequest, type PhotoSendResult } from './photos.js';
import { InFlightNotifications, notificationIdentity } from './notifications.js';
import type { DeliveryOutcome } from './outcome.js';
import { readiness } from './readiness.js';
import { SendingStopped, type Delivery, type OutgoingMessage, type Sender } from './sender.js';

/**
 * Annotation messages of one bot that may be accepted by Telegram but not yet recorded in status.
 * One would be the tightest bound, but a send plus its status write takes ~40 ms, which caps a bot
 * at ~25 messages/s against Telegram's 30; two keep up with Telegram and bound a crash to two duplicates.
 */
export const UNRECORDED_SENDS_PER_BOT = 2;

/** How long an annotation message's admission is held waiting for its outcome to reach status. */
const PERSIST_WAIT_MS = 10_000;

/** How long a webhook request waits for Telegram by default (Alertmanager gives up after 10 s at the least). */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 9_000;

/** A message for a channel: what its source decided to send. */
export type ChannelMessage =
  /** An annotation alert or test message, planned by the relay in a reconcile that found the channel Ready. */
  | { source: 'alert' | 'test'; digest: string; parts: string[]; resolved: ResolvedChannel }
  /** A webhook source's notification; the caller waits for it until `wait` aborts. */
  | { source: WebhookSource; notification: Notification; wait: AbortSignal };

/** How a notification's rendered parts reach the chat; the alert lifecycle supplies one that edits or replies to an earlier message. */
export type NotificationSender = (n: ChannelNotification, service: DeliveryService) => Promise<Delivery>;

/** A notification on its way to one channel's chat. */
export interface ChannelNotification {
  channel: TelegramChannel;
  resolved: ResolvedChannel;
  notification: Notification;
  /** The channel's settings for the notification's source (its opt-in field); absent: the source's defaults. */
  settings: SourceSettings | undefined;
  /** The source's built-in message, Telegram HTML, whole. */
  html: string;
  /** The source's built-in rendering of any part of the notification (its alerts split by route). */
  render: (notification: Notification) => string;
  /** `html` split into Telegram-sized parts. */
  parts: string[];
  /** Aborts once nobody waits for the notification any more: a part not yet on its way need not go. */
  abandon: AbortSignal;
}

export interface DeliveryServiceDeps {
  sender: Sender;
  ledger: DeliveryLedger;
  /** The channel's bot token and chat id, from its Secrets: any replica can resolve any channel. */
  resolver: Pick<ChannelResolver, 'resolve'>;
  recordEvent: EventRecorder;
  metrics: Metrics;
  log: Logger;
  /** Default: the parts go out as new messages, coalescible with other notifications for the chat. */
  sendNotification?: NotificationSender;
  now?: () => number;
}

export class DeliveryService extends MessageOperations {
  private readonly notifications: InFlightNotifications;
  private readonly admissions = new Admissions(UNRECORDED_SENDS_PER_BOT);
  private readonly sendNotification: NotificationSender;

  constructor(private readonly deps: DeliveryServiceDeps) {
    super(deps.sender);
    this.notifications = new InFlightNotifications(deps.now);
    this.sendNotification = deps.sendNotification ?? ((n) => this.deps.sender.send(notificationMessage(n)));
  }

  /** Notifications being sent, and delivered ones remembered for their retry. */
  get inFlight(): { sending: number; remembered: number } {
    return this.notifications.size;
  }

  /** A photo with the alert as its caption, the rest as replies (photos.ts), under the bot's limits. */
  sendPhoto(to: ResolvedChannel, req: PhotoRequest): Promise<PhotoSendResult> {
    return sendPhoto(this.deps.sender, to, req);
  }

  /** A photo's caption replaced (photos.ts), under the bot's limits. */
  editCaption(to: ResolvedChannel, edit: CaptionEdit): Promise<CaptionEditResult> {
    return editCaption(this.deps.sender, to, edit);
  }

  deliver(channel: TelegramChannel, message: ChannelMessage): Promise<DeliveryOutcome> {
    return 'notification' in message
      ? this.deliverNotification(channel, message.source, message.notification, message.wait)
      : this.deliverAnnotation(channel, message.source, message.digest, message.parts, message.resolved);
  }

  /**
   * Sends an annotation message and records its outcome; resolves once the outcome is in status (or
   * after PERSIST_WAIT_MS): until then the message holds one of its bot's UNRECORDED_SENDS_PER_BOT admissions.
   */
  private async deliverAnnotation(
    ch: TelegramChannel,
    kind: 'alert' | 'test',
    digest: string,
    parts: string[],
    r: ResolvedChannel,
  ): Promise<DeliveryOutcome> {
    const { log, recordEvent, metrics } = this.deps;
    const key = `${ch.metadata.namespace}/${ch.metadata.name}`;
    const logged = { namespace: ch.metadata.namespace, name: ch.metadata.name, source: kind };
    const permit = this.admissions.permit(tokenKey(r.token));
    try {
      const delivery = await this.deps.sender.send({
        token: r.token,
        chatId: r.chatId,
        parts,
        options: sendOptions(r),
        source: kind,
        admission: permit,
      });
      log.info({ ...logged, parts: parts.length, messageIds: delivery.messageIds }, `${kind} delivered`);
      const note = `delivered in ${parts.length} message(s), last message id ${delivery.messageIds.at(-1)}`;
      recordEvent(ch, 'Normal', kind === 'alert' ? 'AlertSent' : 'TestMessageSent', note);
      await this.recorded(key, { kind, digest, ok: true, messageIds: delivery.messageIds });
      return { kind: 'delivered', messageIds: delivery.messageIds, joined: false };
    } catch (e) {
      // Not sent because this replica lost the Lease: nothing to record, the next leader sends it.
      if (e instanceof SendingStopped) return { kind: 'stopped' };
      const error = DeliveryError.of(e, 'send');
      const { reason, message } = error;
      metrics.messagesFailed.inc({ source: kind, reason });
      log.warn({ ...logged, reason, err: message }, `${kind} not delivered`);
      recordEvent(ch, 'Warning', kind === 'alert' ? 'AlertFailed' : 'TestMessageFailed', `${reason}: ${message}`);
      await this.recorded(key, { kind, digest, ok: false, reason, error: message });
      return { kind: 'failed', error };
    } finally {
      // Held until the outcome is in status (or PERSIST_WAIT_MS passed): then the bot's next message may go.
      permit.done();
    }
  }

  /** Records an outcome and waits (bounded) until it is in status. */
  private recorded(key: string, outcome: Parameters<DeliveryLedger['record']>[1]): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, PERSIST_WAIT_MS);
      void this.deps.ledger.record(key, outcome).then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** A webhook notification: Ready check, then delivered once however often its sender retries. */
  private async deliverNotification(
    ch: TelegramChannel,
    source: WebhookSource,
    notification: Notification,
    wait: AbortSignal,
  ): Promise<DeliveryOutcome> {
    const key = `${ch.metadata.namespace}/${ch.metadata.name}`;
    const ready = await this.readyToSend(ch);
    if (!ready.ok) return ready.outcome;
    const resolved = ready.resolved;
    const settings = source.optIn(resolved.spec);
    const html = source.render(notification);
    const parts = splitMessage(html, 'HTML');
    const start = async (abandon: AbortSignal): Promise<Delivery> => {
      try {
        const delivery = await this.sendNotification(
          { channel: ch, resolved, notification, settings, html, render: (n) => source.render(n), parts, abandon },
          this,
        );
        void this.deps.ledger.record(key, { kind: source.name, ok: true, messageIds: delivery.messageIds });
        return delivery;
      } catch (e) {
        const err = DeliveryError.of(e, 'send');
        // A transient failure is the webhook sender's to retry: only a refusal is an outcome of the channel.
        if (!err.transient) {
          this.deps.metrics.messagesFailed.inc({ source: source.name, reason: err.reason });
          void this.deps.ledger.record(key, { kind: source.name, ok: false, reason: err.reason, error: err.message });
        }
        throw err;
      }
    };
    const outcome = await this.notifications.deliver(notificationIdentity(key, notification), start, wait);
    const logged = { namespace: ch.metadata.namespace, name: ch.metadata.name, source: source.name, groupKey: notification.groupKey };
    if (outcome.kind === 'delivered' && outcome.joined)
      this.deps.log.info(logged, 'webhook retry joined a delivery under way: not sent again');
    if (outcome.kind === 'deliveredEarlier')
      this.deps.log.info(logged, 'webhook retry of a notification already delivered: not sent again');
    return outcome;
  }

  /**
   * Ready as the leader wrote it, for the spec as it is now (a spec change not yet verified waits), and
   * the channel's Secrets as they are now: any replica can deliver, whether or not it reconciled it.
   */
  private async readyToSend(
    ch: TelegramChannel,
  ): Promise<
    { ok: true; resolved: ResolvedChannel } | { ok: false; outcome: Extract<DeliveryOutcome, { kind: 'notReady' | 'secretsUnavailable' }> }
  > {
    const verdict = readiness(ch);
    const parsed = parseSpec(ch.spec);
    let failing = verdict.ready ? undefined : verdict.failing;
    if (verdict.ready && parsed.ok) {
      try {
        const resolution = await this.deps.resolver.resolve(ch.metadata.namespace, parsed.spec);
        if (resolution.ok) return { ok: true, resolved: resolution.channel };
        failing = resolution.failing;
      } catch (e) {
        if (!(e instanceof SecretUnavailable)) throw e;
        return { ok: false, outcome: { kind: 'secretsUnavailable', detail: e.message } };
      }
    }
    const why = verdict.ready || !verdict.stale ? (failing ? `${failing.reason}: ${failing.message}` : 'not verified yet') : verdict.why;
    return { ok: false, outcome: { kind: 'notReady', why, permanent: failing !== undefined && !TRANSIENT_REASONS.has(failing.reason) } };
  }
}

/** The default: the parts go out as new messages, coalescible with the chat's other notifications. */
export function notificationMessage(n: ChannelNotification): OutgoingMessage {
  return {
    token: n.resolved.token,
    chatId: n.resolved.chatId,
    parts: n.parts,
    options: sendOptions({ ...n.resolved, spec: { ...n.resolved.spec, parseMode: 'HTML' } }),
    source: n.notification.source,
    coalesce: true,
    measure: (text) => parsedLength(text, 'HTML'),
    signal: n.abandon,
  };
}
