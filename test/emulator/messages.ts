// The messages of every chat, as Telegram keeps them: ids counted per chat (per bot in private chats),
// current text, caption and keyboard after edits, deletions, replies; and their Bot API `Message` JSON
// (Client.cpp JsonMessage), the same for a send's result, an edit's result, a reply's
// reply_to_message and a press's callback_query.message.

import type { DeliveredMessage, Resolved } from './core.js';
import { photoSizes } from './images.js';
import type { BotSpec } from './scenario.js';

/** What rendering needs from the emulator's world: the chat a message is in, and how chats and users look. */
export interface MessageWorld {
  chatOf(m: DeliveredMessage): Resolved | undefined;
  chatJson(r: Resolved): Record<string, unknown>;
  userJson(userId: number): Record<string, unknown> | undefined;
}

export class MessageStore {
  /** Every message in order, deleted ones included (marked). */
  readonly all: DeliveredMessage[] = [];
  private readonly lastIds = new Map<string, number>();

  constructor(private readonly world: MessageWorld) {}

  /** The next message id: groups count per chat, private chats per bot and user. */
  nextId(chatId: number, isPrivate: boolean, botId: number): number {
    const key = isPrivate ? `${botId}:${chatId}` : String(chatId);
    const id = (this.lastIds.get(key) ?? 0) + 1;
    this.lastIds.set(key, id);
    return id;
  }

  add(m: DeliveredMessage): DeliveredMessage {
    this.all.push(m);
    return m;
  }

  /** A message of this chat the bot can see (deleted ones excluded): in a private chat only its own conversation. */
  find(b: BotSpec, chat: Resolved, chatId: number, messageId: number): DeliveredMessage | undefined {
    return this.all.find(
      (m) => m.chatId === chatId && m.messageId === messageId && !m.deleted && (chat.kind !== 'private' || m.botId === b.id),
    );
  }

  /** What the chat shows now. */
  view(chatId: number): DeliveredMessage[] {
    return this.all.filter((m) => m.chatId === chatId && !m.deleted);
  }

  markDeleted(chatId: number, messageId: number): void {
    for (const m of this.all) if (m.chatId === chatId && m.messageId === messageId) m.deleted = true;
  }

  /** Forgets the messages; ids keep counting, as a chat's do. */
  clear(): void {
    this.all.length = 0;
  }

  /** The Bot API `Message` of a stored message, as it is now. */
  render(m: DeliveredMessage, withReply = true): Record<string, unknown> {
    const chat = this.world.chatOf(m);
    const out: Record<string, unknown> = { message_id: m.messageId };
    if (m.fromUserId !== undefined) out.from = this.world.userJson(m.fromUserId);
    else if (chat?.kind === 'channel') out.sender_chat = this.world.chatJson(chat);
    else out.from = this.world.userJson(m.botId);
    out.chat = chat ? this.world.chatJson(chat) : { id: m.chatId };
    out.date = m.date;
    if (m.editDate !== undefined) out.edit_date = m.editDate;
    if (m.threadId !== undefined) {
      out.message_thread_id = m.threadId;
      out.is_topic_message = true;
    }
    if (withReply && m.replyToMessageId !== undefined) {
      // The replied-to message of the same conversation, one level deep, as the server nests it.
      const target = this.all.find(
        (x) => x.chatId === m.chatId && x.messageId === m.replyToMessageId && !x.deleted && (m.chatId < 0 || x.botId === m.botId),
      );
      if (target) out.reply_to_message = this.render(target, false);
    }
    if (m.options.protectContent) out.has_protected_content = true;
    if (m.photo) {
      out.photo = photoSizes(m.photo);
      if (m.caption) out.caption = m.caption;
      if (m.options.captionAboveMedia) out.show_caption_above_media = true;
      if (m.options.hasSpoiler) out.has_media_spoiler = true;
    } else out.text = m.text;
    if (m.options.linkPreviewOptions) out.link_preview_options = m.options.linkPreviewOptions;
    if (m.replyMarkup) out.reply_markup = structuredClone(m.replyMarkup);
    return out;
  }
}
