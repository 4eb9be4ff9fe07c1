// The delivery service: deliver(channel, message) → outcome, for every source of messages. It owns what
// every delivery needs besides the sending itself (the sender's): the "Ready for its current generation"
// check, admission of annotation messages, in-flight Alertmanager notifications (a retry joins the
// delivery under way), the failure metric, the log line and Event, and recording the outcome in the
// ledger that the reconciler folds into status. Its callers only decide what to send (the relay) or
// authenticate and answer (the webhook).
//
// It also offers the Bot API's message operations the alert lifecycle needs (send with buttons or as a
// reply, edit, delete, answer a button press), through the sender's per-bot and per-chat limits, with Telegram's
// refusals turned into outcomes a caller branches on.
import { TRANSIENT_REASONS, type DeliveryReason } from '../api/contract.js';
import { findCondition } from '../api/conditions.js';
import { CONDITION_READY } from '../api/contract.js';
import { parseSpec, type ChannelStatus, type TelegramChannel } from '../api/types.js';
import type { ChannelResolver, ResolvedChannel } from '../channel/resolver.js';
import { SecretUnavailable } from '../channel/secrets.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { InlineKeyboardMarkup, TelegramClient } from '../telegram/client.js';
import { TelegramError } from '../telegram/errors.js';
import { tokenKey } from '../telegram/tokenKey.js';
import { Admissions } from './admission.js';
import { renderAlertmanagerHtml, type AlertmanagerPayload } from '../format/alertmanager.js';
import { parsedLength } from '../format/markup.js';
import { splitMessage } from '../format/split.js';
import type { DeliveryLedger } from './ledger.js';
import { InFlightNotifications, notificationIdentity } from './notifications.js';
import { SendingStopped, type Delivery, type MessageSource, type OutgoingMessage, type Sender } from './sender.js';
import { deliveryReason } from './reasons.js';

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
  /** An Alertmanager notification; the caller waits for it until `wait` aborts. */
  | { source: 'alertmanager'; payload: AlertmanagerPayload; wait: AbortSignal };

export type DeliveryOutcome =
  /** Every part was accepted while the caller waited (it started the delivery, or joined one under way). */
  | { kind: 'delivered'; messageIds: number[]; joined: boolean }
  /** A retry of a notification delivered while nobody was waiting: nothing sent again. */
  | { kind: 'deliveredEarlier' }
  /** The caller stopped waiting first; the delivery may still be under way (a retry joins it). */
  | { kind: 'notYet' }
  /** The channel is not Ready for its current generation; `permanent`: it needs a human, not a retry soon. */
  | { kind: 'notReady'; why: string; permanent: boolean }
  /** The channel's Secrets cannot be read right now (the API server is busy); `detail` is for the log only. */
  | { kind: 'secretsUnavailable'; detail: string }
  /** Telegram refused it, or it was not accepted in time (`transient`). */
  | { kind: 'failed'; reason: DeliveryReason; message: string; transient: boolean }
  /** This replica stopped sending (it lost the Lease): nothing recorded, the next leader sends it. */
  | { kind: 'stopped' };

/** How a notification's rendered parts reach the chat; the alert lifecycle supplies one that edits or replies to an earlier message. */
export type NotificationSender = (n: Notification, service: DeliveryService) => Promise<Delivery>;

export interface Notification {
  channel: TelegramChannel;
  resolved: ResolvedChannel;
  payload: AlertmanagerPayload;
  /** Rendered as HTML and split. */
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

// --- the message operations offered to the alert lifecycle ------------------------------------------

/** Where a message operation goes: a resolved channel (its token, chat and spec's send options). */
export type Target = ResolvedChannel;

export interface SendRequest {
  /** Already rendered, checked and split (see format/): each part is one message. */
  parts: string[];
  /** Default: the channel's spec.parseMode. */
  parseMode?: 'HTML' | 'MarkdownV2' | 'None';
  /** Buttons under the first part. */
  replyMarkup?: InlineKeyboardMarkup;
  /** The first part answers this message; sent as a plain message if that one is gone. */
  replyToMessageId?: number;
  source: MessageSource;
  /**
   * A single-part episode message without buttons or reply that may ride in one Telegram message with
   * other episodes of the same `group` queued for the chat (coalescing); the answer names its members.
   */
  share?: { group: string; member: string };
  /** Gives up while the message waits for its turn (a part already sent is finished). */
  signal?: AbortSignal;
}

/** A refusal or failure the caller cannot branch on more precisely; `transient`: worth trying again later. */
export interface Failed {
  kind: 'failed';
  reason: DeliveryReason;
  error: TelegramError;
  transient: boolean;
}
export type SendOutcome = { kind: 'sent'; messageIds: number[]; members?: string[] } | Failed;
export type EditOutcome =
  | { kind: 'edited' }
  /** Telegram already shows exactly this: nothing to do (a success for the caller). */
  | { kind: 'notModified' }
  /** Deleted, or never in this chat: send a new message instead. */
  | { kind: 'notFound' }
  /** Not the bot's, sent with a reply keyboard, or too old: send a new message instead. */
  | { kind: 'notEditable' }
  | Failed;
export type DeleteOutcome = { kind: 'deleted' } | { kind: 'notFound' } | { kind: 'notDeletable' } | Failed;

export class DeliveryService {
  private readonly notifications: InFlightNotifications;
  private readonly admissions = new Admissions(UNRECORDED_SENDS_PER_BOT);
  private readonly sendNotification: NotificationSender;

  constructor(private readonly deps: DeliveryServiceDeps) {
    this.notifications = new InFlightNotifications(deps.now);
    this.sendNotification = deps.sendNotification ?? ((n) => this.deps.sender.send(notificationMessage(n)));
  }

  /** Notifications being sent, and delivered ones remembered for their retry. */
  get inFlight(): { sending: number; remembered: number } {
    return this.notifications.size;
  }

  deliver(channel: TelegramChannel, message: ChannelMessage): Promise<DeliveryOutcome> {
    return message.source === 'alertmanager'
      ? this.deliverNotification(channel, message.payload, message.wait)
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
      const err = e instanceof TelegramError ? e : undefined;
      const reason = deliveryReason(err);
      const message = err?.message ?? 'send failed';
      metrics.messagesFailed.inc({ source: kind, reason });
      log.warn({ ...logged, reason, err: message }, `${kind} not delivered`);
      recordEvent(ch, 'Warning', kind === 'alert' ? 'AlertFailed' : 'TestMessageFailed', `${reason}: ${message}`);
      await this.recorded(key, { kind, digest, ok: false, reason, error: message });
      return { kind: 'failed', reason, message, transient: err?.transient ?? true };
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

  /** An Alertmanager notification: Ready check, then delivered once however often Alertmanager retries. */
  private async deliverNotification(ch: TelegramChannel, payload: AlertmanagerPayload, wait: AbortSignal): Promise<DeliveryOutcome> {
    const key = `${ch.metadata.namespace}/${ch.metadata.name}`;
    const ready = await this.readyToSend(ch);
    if (!ready.ok) return ready.outcome;
    const resolved = ready.resolved;
    const parts = splitMessage(renderAlertmanagerHtml(payload), 'HTML');
    const start = async (abandon: AbortSignal): Promise<Delivery> => {
      try {
        const delivery = await this.sendNotification({ channel: ch, resolved, payload, parts, abandon }, this);
        void this.deps.ledger.record(key, { kind: 'alertmanager', ok: true, messageIds: delivery.messageIds });
        return delivery;
      } catch (e) {
        const err = e instanceof TelegramError ? e : undefined;
        // A transient failure is Alertmanager's to retry: only a refusal is an outcome of the channel.
        if (err && !err.transient) {
          const reason = deliveryReason(err);
          this.deps.metrics.messagesFailed.inc({ source: 'alertmanager', reason });
          void this.deps.ledger.record(key, { kind: 'alertmanager', ok: false, reason, error: err.message });
        }
        throw e;
      }
    };
    const outcome = await this.notifications.deliver(notificationIdentity(key, payload), start, wait);
    const logged = { namespace: ch.metadata.namespace, name: ch.metadata.name, groupKey: payload.groupKey };
    switch (outcome.kind) {
      case 'delivered':
        if (outcome.joined) this.deps.log.info(logged, 'webhook retry joined a delivery under way: not sent again');
        return { kind: 'delivered', messageIds: outcome.delivery.messageIds, joined: outcome.joined };
      case 'deliveredEarlier':
        this.deps.log.info(logged, 'webhook retry of a notification already delivered: not sent again');
        return outcome;
      case 'notYet':
        return outcome;
      case 'failed': {
        const err = outcome.error instanceof TelegramError ? outcome.error : undefined;
        const transient = !err || err.transient;
        return { kind: 'failed', reason: deliveryReason(err), message: err?.message ?? 'send failed', transient };
      }
    }
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

  // --- message operations (the alert lifecycle's) ------------------------------------------------

  /** Sends `parts` as new messages (buttons and reply on the first); the ids of every part, in order. */
  async send(to: Target, req: SendRequest): Promise<SendOutcome> {
    const parseMode = req.parseMode ?? to.spec.parseMode;
    const msg: OutgoingMessage = {
      token: to.token,
      chatId: to.chatId,
      parts: req.parts,
      options: sendOptions({ ...to, spec: { ...to.spec, parseMode } }),
      source: req.source,
      firstPart: {
        ...(req.replyMarkup ? { reply_markup: req.replyMarkup } : {}),
        ...(req.replyToMessageId !== undefined
          ? { reply_parameters: { message_id: req.replyToMessageId, allow_sending_without_reply: true } }
          : {}),
      },
    };
    if (parseMode !== 'None') msg.measure = (text) => parsedLength(text, parseMode);
    if (req.signal) msg.signal = req.signal;
    if (req.share && req.parts.length === 1 && !req.replyMarkup && req.replyToMessageId === undefined) {
      delete msg.firstPart; // nothing of its own on the message: it may lead or join a batch
      msg.coalesce = true;
      msg.share = req.share;
    }
    try {
      const d = await this.deps.sender.send(msg);
      return { kind: 'sent', messageIds: d.messageIds, ...(d.members ? { members: d.members } : {}) };
    } catch (e) {
      return failed(e, 'sendMessage');
    }
  }

  /** Replaces a message's text (and its keyboard: without `replyMarkup` the keyboard is removed, as on Telegram). */
  async editText(
    to: Target,
    edit: {
      messageId: number;
      text: string;
      parseMode?: 'HTML' | 'MarkdownV2' | 'None';
      replyMarkup?: InlineKeyboardMarkup;
      signal?: AbortSignal;
    },
  ): Promise<EditOutcome> {
    const parseMode = edit.parseMode ?? to.spec.parseMode;
    const params = {
      chat_id: to.chatId,
      message_id: edit.messageId,
      text: edit.text,
      ...(parseMode !== 'None' ? { parse_mode: parseMode } : {}),
      link_preview_options: { is_disabled: !to.spec.linkPreview },
      ...(edit.replyMarkup ? { reply_markup: edit.replyMarkup } : {}),
    };
    const method = 'editMessageText';
    // Sets the whole message (text and keyboard): a later one of the same message replaces this one while it waits.
    return this.edit(to, method, (t, token) => t.editMessageText(token, params), edit.signal, edit.messageId, method);
  }

  /** Replaces a message's keyboard; without `replyMarkup` the keyboard is removed. */
  editReplyMarkup(to: Target, edit: { messageId: number; replyMarkup?: InlineKeyboardMarkup; signal?: AbortSignal }): Promise<EditOutcome> {
    const params = { chat_id: to.chatId, message_id: edit.messageId, ...(edit.replyMarkup ? { reply_markup: edit.replyMarkup } : {}) };
    return this.edit(to, 'editMessageReplyMarkup', (t, token) => t.editMessageReplyMarkup(token, params), edit.signal, edit.messageId);
  }

  async deleteMessage(to: Target, messageId: number, signal?: AbortSignal): Promise<DeleteOutcome> {
    const method = 'deleteMessage';
    const run = (t: TelegramClient, token: string) => t.deleteMessage(token, { chat_id: to.chatId, message_id: messageId });
    try {
      await this.deps.sender.call({ token: to.token, chatId: to.chatId, source: 'alertmanager', method, run, signal, messageId });
      return { kind: 'deleted' };
    } catch (e) {
      if (e instanceof TelegramError && e.kind === 'MessageNotFound') return { kind: 'notFound' };
      if (e instanceof TelegramError && e.kind === 'MessageNotDeletable') return { kind: 'notDeletable' };
      return failed(e, method);
    }
  }

  private async edit(
    to: Target,
    method: string,
    run: (t: TelegramClient, token: string) => Promise<unknown>,
    signal: AbortSignal | undefined,
    messageId: number,
    collapseKey?: string,
  ): Promise<EditOutcome> {
    const collapse = collapseKey !== undefined ? { collapseKey } : {};
    try {
      await this.deps.sender.call({
        token: to.token,
        chatId: to.chatId,
        source: 'alertmanager',
        method,
        run,
        signal,
        messageId,
        ...collapse,
      });
      return { kind: 'edited' };
    } catch (e) {
      if (e instanceof TelegramError) {
        if (e.kind === 'MessageNotModified') return { kind: 'notModified' };
        if (e.kind === 'MessageNotFound') return { kind: 'notFound' };
        if (e.kind === 'MessageNotEditable') return { kind: 'notEditable' };
      }
      return failed(e, method);
    }
  }
}

/** The default: the parts go out as new messages, coalescible with the chat's other notifications. */
export function notificationMessage(n: Notification): OutgoingMessage {
  return {
    token: n.resolved.token,
    chatId: n.resolved.chatId,
    parts: n.parts,
    options: sendOptions({ ...n.resolved, spec: { ...n.resolved.spec, parseMode: 'HTML' } }),
    source: 'alertmanager',
    coalesce: true,
    measure: (text) => parsedLength(text, 'HTML'),
    signal: n.abandon,
  };
}

function failed(e: unknown, method: string): Failed {
  const error = e instanceof TelegramError ? e : new TelegramError({ kind: 'Unavailable', message: `${method} failed`, method });
  return { kind: 'failed', reason: deliveryReason(error), error, transient: error.transient };
}

/** The sendMessage options a channel's spec asks for. */
export function sendOptions(r: ResolvedChannel): OutgoingMessage['options'] {
  return {
    ...(r.spec.parseMode !== 'None' ? { parse_mode: r.spec.parseMode } : {}),
    ...(r.spec.messageThreadId !== undefined ? { message_thread_id: r.spec.messageThreadId } : {}),
    ...(r.spec.disableNotification ? { disable_notification: true } : {}),
    ...(r.spec.protectContent ? { protect_content: true } : {}),
    link_preview_options: { is_disabled: !r.spec.linkPreview },
  };
}

export type Readiness =
  | { ready: true }
  /** `failing`: the condition that says why (absent: never verified); `stale`: Ready is for an older generation. */
  | { ready: false; failing?: { reason: string; message: string }; stale: boolean; why: string };

/**
 * May the channel be sent to? Ready must be True and written for the channel's current generation: a
 * spec change not verified yet waits. `status` defaults to the stored one; the reconciler passes the
 * status it is about to write.
 */
export function readiness(ch: TelegramChannel, status: ChannelStatus | undefined = ch.status): Readiness {
  const ready = findCondition(status?.conditions, CONDITION_READY);
  const observed = ready?.observedGeneration ?? status?.observedGeneration;
  const current = ch.metadata.generation === undefined || observed === ch.metadata.generation;
  if (ready?.status === 'True' && current) return { ready: true };
  if (ready?.status === 'True') {
    const why = `its spec changed (generation ${ch.metadata.generation}) and is not verified yet`;
    return { ready: false, failing: ready, stale: true, why };
  }
  return { ready: false, failing: ready, stale: false, why: ready ? `${ready.reason}: ${ready.message}` : 'not verified yet' };
}
