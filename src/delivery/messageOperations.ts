// The Bot API's message operations the alert lifecycle needs (send with buttons or as a reply, edit,
// delete), through the sender's per-bot and per-chat limits. Success is returned, in the lifecycle's
// terms where Telegram's answer means something to it (an edit of a message that is gone); every other
// failure is thrown as the DeliveryError the sender rejected with.
import type { ResolvedChannel } from '../credentials/resolver.js';
import { parsedLength } from '../format/markup.js';
import type { InlineKeyboardMarkup, TelegramClient } from '../telegram/client.js';
import type { TelegramErrorKind } from '../telegram/errors.js';
import { DeliveryError } from './deliveryError.js';
import type { Delivery, MessageSource, OutgoingMessage, Sender } from './sender.js';

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

/**
 * An edit done; one Telegram calls "not modified" (the chat shows it already: nothing to do); or a
 * message that can no longer show it (deleted, never in this chat, not editable, or in a group that
 * migrated): send a new message instead.
 */
export type EditResult = 'edited' | 'notModified' | 'gone';
/** 'kept': Telegram no longer lets the bot delete it (older than 48 h). */
export type RemoveResult = 'deleted' | 'gone' | 'kept';

/** Telegram's refusals of an edit that mean the message is gone for this bot, not that the edit failed. */
const GONE: ReadonlySet<TelegramErrorKind> = new Set(['MessageNotFound', 'MessageNotEditable', 'ChatMigrated']);

export class MessageOperations {
  constructor(private readonly sender: Sender) {}

  /** Sends `parts` as new messages (buttons and reply on the first); the ids of every part, in order. */
  send(to: Target, req: SendRequest): Promise<Delivery> {
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
    return this.sender.send(msg);
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
      source?: MessageSource;
    },
  ): Promise<EditResult> {
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
    const run = (t: TelegramClient, token: string) => t.editMessageText(token, params);
    return this.edit(to, { method, run, signal: edit.signal, messageId: edit.messageId, source: edit.source, collapseKey: method });
  }

  /** Replaces a message's keyboard; without `replyMarkup` the keyboard is removed. */
  editReplyMarkup(
    to: Target,
    edit: { messageId: number; replyMarkup?: InlineKeyboardMarkup; signal?: AbortSignal; source?: MessageSource },
  ): Promise<EditResult> {
    const params = { chat_id: to.chatId, message_id: edit.messageId, ...(edit.replyMarkup ? { reply_markup: edit.replyMarkup } : {}) };
    const run = (t: TelegramClient, token: string) => t.editMessageReplyMarkup(token, params);
    return this.edit(to, { method: 'editMessageReplyMarkup', run, signal: edit.signal, messageId: edit.messageId, source: edit.source });
  }

  /** `source` labels the call in the metrics (default: 'alertmanager'), as for edits. */
  async deleteMessage(to: Target, messageId: number, signal?: AbortSignal, source: MessageSource = 'alertmanager'): Promise<RemoveResult> {
    const method = 'deleteMessage';
    const run = (t: TelegramClient, token: string) => t.deleteMessage(token, { chat_id: to.chatId, message_id: messageId });
    try {
      await this.sender.call({ token: to.token, chatId: to.chatId, source, method, run, signal, messageId });
      return 'deleted';
    } catch (e) {
      const err = DeliveryError.of(e, method);
      if (err.telegram.kind === 'MessageNotFound' || err.telegram.kind === 'ChatMigrated') return 'gone';
      if (err.telegram.kind === 'MessageNotDeletable') return 'kept';
      throw err;
    }
  }

  /**
   * Creates a forum topic named `name` in the target's chat and returns its thread id (it posts a
   * service message there, so it is paced like one); a refusal is thrown as the sender's DeliveryError.
   */
  async createForumTopic(to: Target, name: string, source: MessageSource): Promise<number> {
    const method = 'createForumTopic';
    const run = (t: TelegramClient, token: string) => t.createForumTopic(token, { chat_id: to.chatId, name });
    const topic = await this.sender.call({ token: to.token, chatId: to.chatId, source, method, run });
    return topic.message_thread_id;
  }

  private async edit(
    to: Target,
    e: {
      method: string;
      run: (t: TelegramClient, token: string) => Promise<unknown>;
      signal: AbortSignal | undefined;
      messageId: number;
      source: MessageSource | undefined;
      collapseKey?: string;
    },
  ): Promise<EditResult> {
    const { method, run, signal, messageId, collapseKey } = e;
    const collapse = collapseKey !== undefined ? { collapseKey } : {};
    try {
      await this.sender.call({
        token: to.token,
        chatId: to.chatId,
        source: e.source ?? 'alertmanager',
        method,
        run,
        signal,
        messageId,
        ...collapse,
      });
      return 'edited';
    } catch (thrown) {
      const err = DeliveryError.of(thrown, method);
      if (err.telegram.kind === 'MessageNotModified') return 'notModified';
      if (GONE.has(err.telegram.kind)) return 'gone';
      throw err;
    }
  }
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
