// ChatMessages (what the lifecycle needs of a chat) over the delivery service, bound to one resolved
// channel, its source and the notification's abandon signal: every send, edit and delete goes through
// the service and so through the bot's shared rate limits (edits count). The service already answers
// in the plan's terms (an edit of a message that is gone: 'gone', and the notifier sends a new one);
// any other failure is thrown as the DeliveryError it is (the webhook answers it, and the sender
// retries a transient one).
import type { Target } from '../delivery/messageOperations.js';
import type { MessageSource } from '../delivery/outgoing.js';
import type { DeliveryService } from '../delivery/service.js';
import type { ChatMessages } from './chatMessages.js';

export type ChatOperations = Pick<DeliveryService, 'send' | 'editText' | 'editReplyMarkup' | 'deleteMessage'> &
  Partial<Pick<DeliveryService, 'sendPhoto' | 'editCaption'>>;

/**
 * `abandon` (the notification's: nobody waits for it any more) applies only until the first operation
 * succeeded: after that the chat has changed, and the rest of the notification must follow (an
 * abandoned half — a reply sent but its first message still showing buttons — would be repeated by
 * Alertmanager's retry instead of finished). `source` labels the operations in the metrics: the
 * notification's source, or for a press's redraw the episode's (absent: 'alertmanager').
 */
export function deliveryChat(
  service: ChatOperations,
  to: Target,
  opts: { abandon?: AbortSignal; source?: MessageSource } = {},
): ChatMessages {
  const source = opts.source ?? 'alertmanager';
  let changed = false;
  const signal = () => (changed ? undefined : opts.abandon);
  /** A result that changed the chat: from now on the abandon signal no longer applies. */
  const changes = <T>(result: T, changedIt: boolean): T => {
    if (changedIt) changed = true;
    return result;
  };
  return {
    ...photoOperations(service, to, source, signal, changes),
    async send(parts, { keyboard, replyTo }) {
      const sent = await service.send(to, {
        parts,
        parseMode: 'HTML',
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
        ...optional(signal()),
      });
      return changes(sent.messageIds, true);
    },
    async sendShared(text, share) {
      const sent = await service.send(to, { parts: [text], parseMode: 'HTML', source, share, ...optional(signal()) });
      return changes({ messageId: sent.messageIds[0]!, members: sent.members ?? [share.member] }, true);
    },
    async edit(messageId, text, keyboard) {
      const result = await service.editText(to, {
        messageId,
        text,
        parseMode: 'HTML',
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...optional(signal()),
      });
      return changes(result, result === 'edited');
    },
    async setKeyboard(messageId, keyboard) {
      const result = await service.editReplyMarkup(to, {
        messageId,
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...optional(signal()),
      });
      return changes(result, result === 'edited');
    },
    async remove(messageId) {
      const result = await service.deleteMessage(to, messageId, signal(), source);
      return changes(result, result === 'deleted');
    },
  };
}

/** sendPhoto and editCaption, when the service offers them (photos.ts). */
function photoOperations(
  service: ChatOperations,
  to: Target,
  source: MessageSource,
  signal: () => AbortSignal | undefined,
  changes: <T>(result: T, changedIt: boolean) => T,
): Pick<ChatMessages, 'sendPhoto' | 'editCaption'> {
  const { sendPhoto, editCaption } = service;
  if (!sendPhoto || !editCaption) return {};
  return {
    async sendPhoto(photo, html, { keyboard, replyTo }) {
      const sent = await sendPhoto.call(service, to, {
        photo,
        html,
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
        ...optional(signal()),
      });
      if (sent.kind === 'photoInvalid') return { kind: 'refused', why: sent.error.message };
      return changes({ kind: 'sent', messageIds: sent.messageIds }, true);
    },
    async editCaption(messageId, caption, keyboard) {
      const result = await editCaption.call(service, to, {
        messageId,
        caption,
        source,
        ...(keyboard ? { replyMarkup: keyboard } : {}),
        ...optional(signal()),
      });
      // A message without a caption is text: for the plan it is gone as a photo, and sent anew.
      return result === 'hasNoCaption' ? 'gone' : changes(result, result === 'edited');
    },
  };
}

function optional(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
