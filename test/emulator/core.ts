// What the method files (editing.ts, callbacks.ts, photos.ts, topics.ts) need from the emulator: its
// chat resolution and send rights, rate limiter, clock, message store and update queue. The server
// implements this once, so each method file holds one concern and none of them reaches into the
// server's private state.

import type { Outcome } from './envelope.js';
import type { InlineKeyboardMarkup } from './keyboard.js';
import type { Clock, RateLimiter } from './limits.js';
import type { BotSpec, ChatSpec, MembershipSpec, Update, UserSpec } from './scenario.js';
import type { PhotoRecord } from './images.js';

/** The access a method needs (check_chat_access): `edit` is between read and write, as in the server. */
export type Access = 'read' | 'readMembers' | 'edit' | 'write';

export type Resolved =
  { kind: 'private'; user: UserSpec; isBotAccount: boolean } | { kind: 'group' | 'supergroup' | 'channel'; chat: ChatSpec };

/** A message in a chat: sent by a bot, or posted by a human through `postUserMessage`. */
export interface DeliveredMessage {
  /** The bot that sent it; for a human's message, the bot whose private chat it is (0 in groups). */
  botId: number;
  chatId: number;
  messageId: number;
  /** The text as Telegram stores it (after edits): markup parsed away, surrounding whitespace trimmed. '' for a photo. */
  text: string;
  rawText: string;
  /** The parse mode of the text, or of the caption for a photo. */
  parseMode?: string;
  /** A photo message (sendPhoto): what was sent, and how Telegram describes it. */
  photo?: PhotoRecord;
  /** A photo's caption as Telegram stores it (parsed, trimmed; '' when none), and as sent. */
  caption?: string;
  rawCaption?: string;
  threadId?: number;
  options: {
    /** disable_notification: delivered silently. */
    disableNotification: boolean;
    protectContent: boolean;
    /** sendPhoto's show_caption_above_media and has_spoiler. */
    captionAboveMedia?: boolean;
    hasSpoiler?: boolean;
    linkPreviewOptions?: Record<string, unknown>;
    /** As sent (parsed JSON). The keyboard the message carries now is `replyMarkup`. */
    replyMarkup?: unknown;
    replyParameters?: unknown;
  };
  /** The inline keyboard the message carries now (after edits), as Telegram keeps it. */
  replyMarkup?: InlineKeyboardMarkup;
  /** A reply keyboard, remove_keyboard or force_reply sent with it: such a message can't be edited. */
  otherMarkup?: Record<string, unknown>;
  /** The message it replies to (reply_parameters), when that message was found. */
  replyToMessageId?: number;
  /** Unix seconds of the last edit; absent when never edited. */
  editDate?: number;
  /** Successful edits (editMessageText, editMessageCaption and editMessageReplyMarkup). */
  edits: number;
  /** Deleted by deleteMessage or by `deleteUserSide`; it stays here, out of `chatView`. */
  deleted?: boolean;
  /** The human who posted it (`postUserMessage`); absent for a bot's message. */
  fromUserId?: number;
  /** Unix seconds, as in the returned Message. */
  date: number;
  /** Emulator clock, ms. */
  time: number;
}

export interface EmulatorCore {
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  /** check_chat + check_chat_access for this bot. */
  resolveChat(b: BotSpec, raw: string, access: Access): Resolved | Outcome;
  chatIdOf(r: Resolved): number;
  /** A message of that chat as this bot sees it, deleted ones excluded. */
  findMessage(b: BotSpec, chat: Resolved, messageId: number): DeliveredMessage | undefined;
  /** The Bot API `Message` for a stored message, as `bot` sees it. */
  renderMessage(m: DeliveredMessage, withReply?: boolean): Record<string, unknown>;
  /** The Bot API `User` for a bot or scenario user, or undefined when unknown. */
  userJson(userId: number): Record<string, unknown> | undefined;
  membership(chatId: number, userId: number): MembershipSpec;
  /** Queues an update for a bot unless its kind is not allowed; wakes a pending long poll. */
  enqueue(b: BotSpec, update: Omit<Update, 'update_id'>, ttlSeconds?: number): Update | undefined;
  /** check_message_topic: the chat with write access, then `message_thread_id` must name an open topic. */
  writableTopic(b: BotSpec, arg: (key: string) => string): { chat: Resolved; threadId?: number } | Outcome;
  /** TDLib's can_send_message for text or for photos, once the chat and topic were found. */
  sendRights(b: BotSpec, chat: Resolved, content: 'text' | 'photos'): Outcome | undefined;
  /** The next message id of a chat: topics take one too, as their id is their first message's. */
  nextMessageId(chat: Resolved, b: BotSpec): number;
  addMessage(m: DeliveredMessage): DeliveredMessage;
  /** Every message of every chat, deleted ones included. */
  allMessages(): DeliveredMessage[];
}

/** A multipart/form-data file part, as the server received it. */
export interface UploadedFile {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

/** The file parts of a request, by field name; empty for JSON, form and query requests. */
export type Uploads = (field: string) => UploadedFile | undefined;
