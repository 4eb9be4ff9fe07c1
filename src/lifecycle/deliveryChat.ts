// ChatMessages (what the lifecycle needs of a chat) over the delivery service, bound to one resolved
// channel: every send, edit and delete goes through the service and so through the bot's shared rate
// limits (edits count), and the service's outcomes become the plan's terms: a message deleted, no
// longer editable, or in a chat that migrated is 'gone' (the notifier sends a new one instead), "not
// modified" is done, and any other failure is thrown as the TelegramError it is (the webhook answers
// it, Alertmanager retries a transient one).
import type { Failed, Target } from '../delivery/messageOperations.js';
import type { MessageSource } from '../delivery/outgoing.js';
import type { DeliveryService } from '../delivery/service.js';
import type { ChatMessages, EditResult } from './chatMessages.js';

export type ChatOperations = Pick<DeliveryService, 'send' | 'editText' | 'editReplyMarkup' | 'deleteMessage'> &
  Partial<Pick<DeliveryService, 'sendPhoto' | 'editCaption'>>;

/**
 * `abandon` (the notification's: nobody waits for it any more) applies only until the first operation
 * succeeded: after that the chat has changed, and the rest of the notification must follow (an
 * abandoned half — a reply sent but its first message still showing buttons — would be repeated by
 * Alertmanager's retry instead of finished). `source` labels the operations in the metrics: the
 * notification's source; a press's redraw does not know it (an episode does not record its source) and
 * counts as 'alertmanager'.
 */
export function deliveryChat(
  service: ChatOperations,
  to: Target,
  opts: { abandon?: AbortSignal; source?: MessageSource } = {},
): ChatMessages {
  const source = opts.source ?? 'alertmanager';
  let changed = false;
  const signal = () => (changed ? undefined : opts.abandon);
  const done = <T>(result: T): T => {
    changed = true;
    return result;
  };
  return {
    ...photoOperations(service, to, source, signal, done),
    async send(parts, { keyboard, replyTo }) {
      const out = await service.send(to, {
        parts,
        parseMode: 'HTML',
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
        ...optional(signal()),
      });
      if (out.kind === 'failed') throw out.error;
      return done(out.messageIds);
    },
    async sendShared(text, share) {
      const out = await service.send(to, { parts: [text], parseMode: 'HTML', source, share, ...optional(signal()) });
      if (out.kind === 'failed') throw out.error;
      return done({ messageId: out.messageIds[0]!, members: out.members ?? [share.member] });
    },
    async edit(messageId, text, keyboard) {
      const out = await service.editText(to, {
        messageId,
        text,
        parseMode: 'HTML',
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...optional(signal()),
      });
      return editResult(out, done);
    },
    async setKeyboard(messageId, keyboard) {
      const out = await service.editReplyMarkup(to, {
        messageId,
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...optional(signal()),
      });
      return editResult(out, done);
    },
    async remove(messageId) {
      const out = await service.deleteMessage(to, messageId, signal(), source);
      switch (out.kind) {
        case 'deleted':
          return done('deleted');
        case 'notFound':
          return 'gone';
        case 'notDeletable':
          return 'kept';
        case 'failed':
          if (chatMigrated(out)) return 'gone';
          throw out.error;
      }
    },
  };
}

/** sendPhoto and editCaption, when the service offers them (photos.ts). */
function photoOperations(
  service: ChatOperations,
  to: Target,
  source: MessageSource,
  signal: () => AbortSignal | undefined,
  done: <T>(r: T) => T,
): Pick<ChatMessages, 'sendPhoto' | 'editCaption'> {
  const { sendPhoto, editCaption } = service;
  if (!sendPhoto || !editCaption) return {};
  return {
    async sendPhoto(photo, html, { keyboard, replyTo }) {
      const out = await sendPhoto.call(service, to, {
        photo,
        html,
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
        ...optional(signal()),
      });
      if (out.kind === 'photoInvalid') return { kind: 'refused', why: out.error.message };
      if (out.kind === 'failed') throw out.error;
      return done({ kind: 'sent', messageIds: out.messageIds });
    },
    async editCaption(messageId, caption, keyboard) {
      const out = await editCaption.call(service, to, {
        messageId,
        caption,
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...optional(signal()),
      });
      return out.kind === 'hasNoCaption' ? 'gone' : editResult(out, done);
    },
  };
}

function editResult(out: Awaited<ReturnType<ChatOperations['editText']>>, done: <T>(r: T) => T): EditResult {
  switch (out.kind) {
    case 'edited':
      return done('edited');
    case 'notModified':
      return 'notModified';
    case 'notFound':
    case 'notEditable':
      return 'gone';
    case 'failed':
      if (chatMigrated(out)) return 'gone';
      throw out.error;
  }
}

/** A group upgraded to a supergroup: its old messages can no longer be edited through the old chat id. */
function chatMigrated(out: Failed): boolean {
  return out.error.kind === 'ChatMigrated';
}

function optional(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
