// What the lifecycle needs of one channel's chat: send (with buttons, as a reply), edit, change the
// buttons, delete. Bound to the channel's bot, chat and send options by whoever builds it (over the
// delivery service, which owns the rate limits), so this module never holds a token. An edit or a
// delete answers how it went in the plan's terms; any other failure is thrown (a DeliveryError).
import type { EditResult, RemoveResult } from '../delivery/messageOperations.js';
import type { InlineKeyboard } from './keyboard.js';

export type { EditResult };

export interface ChatMessages {
  /** Sends the parts in order; the keyboard goes on the first part. Returns the message ids. */
  send(parts: string[], opts: { keyboard?: InlineKeyboard; replyTo?: number }): Promise<number[]>;
  /**
   * Sends an episode's single-part first message, without buttons or reply, so that it may ride in one
   * Telegram message with other episodes of `group` waiting for the chat (a storm). Returns the message
   * id and the members (episode ids) of that message in order; just [member] when it went alone.
   * Absent: every episode has its own message.
   */
  sendShared?(text: string, share: { group: string; member: string }): Promise<{ messageId: number; members: string[] }>;
  /** editMessageText; without a keyboard the message's buttons are removed. */
  edit(messageId: number, text: string, keyboard?: InlineKeyboard): Promise<EditResult>;
  /**
   * A photo with `html` as its caption, what does not fit as replies; the keyboard goes on the photo.
   * `refused` when Telegram will not take the image (send the text instead). Absent: no photos.
   */
  sendPhoto?(
    photo: { bytes: Uint8Array; filename: string; contentType: string },
    html: string,
    opts: { keyboard?: InlineKeyboard; replyTo?: number },
  ): Promise<{ kind: 'sent'; messageIds: number[] } | { kind: 'refused'; why: string }>;
  /** editMessageCaption; a message without a caption (text) is 'gone'. */
  editCaption?(messageId: number, caption: string, keyboard?: InlineKeyboard): Promise<EditResult>;
  /** editMessageReplyMarkup; without a keyboard the buttons are removed. */
  setKeyboard(messageId: number, keyboard?: InlineKeyboard): Promise<EditResult>;
  /** deleteMessage; 'kept' when Telegram no longer lets the bot delete it (older than 48 h). */
  remove(messageId: number): Promise<RemoveResult>;
}
