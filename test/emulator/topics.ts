// Forum topics: createForumTopic, editForumTopic and deleteForumTopic, with their checks in the order
// the stack makes them: the Bot API's parameters and chat (Client.cpp, write access), then TDLib's
// ForumTopicManager (is_forum: "The chat is not a forum"; can_be_message_thread_id; the rights:
// "Not enough rights to create a topic" / "… to edit the topic" / "… to delete the topic"; clean_name,
// which cuts a name to 128 characters, and "Title must be non-empty"), then the server's own refusals
// (TOPIC_ID_INVALID, TOPIC_NOT_MODIFIED). A topic's id is the id of the message that opened it, so it
// takes a message id of the chat. Deleting a topic deletes its messages, as on Telegram.

import type { EmulatorCore, Resolved } from './core.js';
import { badRequest, isOutcome, ok, toInteger, type Args, type Outcome } from './envelope.js';
import type { BotSpec, ChatSpec } from './scenario.js';

/** The six icon colours Telegram offers (Bot API createForumTopic). */
export const TOPIC_ICON_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f] as const;
const MAX_TOPIC_NAME_LENGTH = 128;
const GENERAL_TOPIC_ID = 1;

export interface TopicRecord {
  chatId: number;
  /** The topic's message_thread_id. */
  threadId: number;
  name: string;
  iconColor: number;
  iconCustomEmojiId?: string;
  /** The bot that created it; absent for topics of the scenario (created by people). */
  createdByBotId?: number;
  /** Deleted by deleteForumTopic or `deleteTopicAsUser`. */
  deleted?: boolean;
}

export class ForumTopics {
  /** Every topic created or known so far, deleted ones included (marked). */
  readonly all: TopicRecord[] = [];

  constructor(private readonly core: EmulatorCore) {}

  create(b: BotSpec, arg: Args): Outcome {
    const forum = this.forum(b, arg);
    if (isOutcome(forum)) return forum;
    const { chat, spec } = forum;
    if (!this.canManageTopics(b, spec)) return badRequest('not enough rights to create a topic');
    const name = cleanName(arg('name'));
    if (name === '') return badRequest('title must be non-empty');
    const rawColor = toInteger(arg('icon_color'));
    // TDLib refuses colours outside 0…0xFFFFFF; the Bot API documents only the six, so others are refused too.
    if (rawColor !== 0 && !(TOPIC_ICON_COLORS as readonly number[]).includes(rawColor)) {
      return badRequest('invalid icon color specified');
    }
    // Message 1 of a forum opened the General topic, so a new topic never gets id 1.
    let threadId = this.core.nextMessageId(chat, b);
    while (threadId === GENERAL_TOPIC_ID || spec.topics?.includes(threadId)) threadId = this.core.nextMessageId(chat, b);
    const emoji = arg('icon_custom_emoji_id');
    const topic: TopicRecord = {
      chatId: spec.id,
      threadId,
      name,
      iconColor: rawColor === 0 ? TOPIC_ICON_COLORS[0] : rawColor,
      ...(emoji !== '' ? { iconCustomEmojiId: emoji } : {}),
      createdByBotId: b.id,
    };
    this.all.push(topic);
    (spec.topics ??= []).push(threadId);
    return ok(forumTopicJson(topic));
  }

  edit(b: BotSpec, arg: Args): Outcome {
    const found = this.allowedTopic(b, arg, 'edit');
    if (isOutcome(found)) return found;
    const rawName = arg('name');
    const name = cleanName(rawName);
    if (rawName !== '' && name === '') return badRequest('title must be non-empty');
    // The server tells an absent icon_custom_emoji_id from an empty one (which removes the icon); here both are absent.
    const emoji = arg('icon_custom_emoji_id');
    // Nothing to change: TDLib answers without asking the server, so even an unknown topic gets `true`.
    if (rawName === '' && emoji === '') return ok(true);
    const { topic } = found;
    if (!topic) return badRequest('TOPIC_ID_INVALID');
    const sameName = name === '' || name === topic.name;
    const sameEmoji = emoji === '' || emoji === (topic.iconCustomEmojiId ?? '');
    if (sameName && sameEmoji) return badRequest('TOPIC_NOT_MODIFIED');
    if (name !== '') topic.name = name;
    if (emoji !== '') topic.iconCustomEmojiId = emoji;
    return ok(true);
  }

  delete(b: BotSpec, arg: Args): Outcome {
    const found = this.allowedTopic(b, arg, 'delete');
    if (isOutcome(found)) return found;
    if (!found.topic) return badRequest('TOPIC_ID_INVALID');
    this.remove(found.spec, found.topic.threadId);
    return ok(true);
  }

  /** Someone in the chat deletes a topic (and with it its messages). Throws when there is no such open topic. */
  removeAsUser(spec: ChatSpec, threadId: number): void {
    if (!spec.topics?.includes(threadId)) throw new Error(`chat ${spec.id} has no open topic ${threadId}`);
    this.record(spec, threadId);
    this.remove(spec, threadId);
  }

  private remove(spec: ChatSpec, threadId: number): void {
    spec.topics = (spec.topics ?? []).filter((id) => id !== threadId);
    const topic = this.all.find((t) => t.chatId === spec.id && t.threadId === threadId && !t.deleted);
    if (topic) topic.deleted = true;
    for (const m of this.core.allMessages()) if (m.chatId === spec.id && m.threadId === threadId) m.deleted = true;
  }

  /** The chat (write access) must be a forum supergroup: is_forum. */
  private forum(b: BotSpec, arg: Args): { chat: Resolved; spec: ChatSpec } | Outcome {
    const chat = this.core.resolveChat(b, arg('chat_id'), 'write');
    if (isOutcome(chat)) return chat;
    if (chat.kind !== 'supergroup' || !chat.chat.isForum) return badRequest('the chat is not a forum');
    return { chat, spec: chat.chat };
  }

  /**
   * edit and delete, TDLib's part: the forum, a valid thread id, and the right unless the bot made the
   * topic. TDLib can judge only topics it knows, so an unknown one (undefined here) is left to the server.
   */
  private allowedTopic(b: BotSpec, arg: Args, action: 'edit' | 'delete'): { spec: ChatSpec; topic?: TopicRecord } | Outcome {
    const forum = this.forum(b, arg);
    if (isOutcome(forum)) return forum;
    const { spec } = forum;
    const threadId = toInteger(arg('message_thread_id'));
    if (threadId <= 0 || threadId > 2 ** 31 - 1) return badRequest('invalid message thread identifier specified');
    const topic = spec.topics?.includes(threadId) ? this.record(spec, threadId) : undefined;
    const allowed = action === 'edit' ? this.canManageTopics(b, spec) : this.canDeleteMessages(b, spec);
    if (topic && topic.createdByBotId !== b.id && !allowed) return badRequest(`not enough rights to ${action} the topic`);
    return topic ? { spec, topic } : { spec };
  }

  /** The record of an open topic; a topic of the scenario gets one on first use. */
  private record(spec: ChatSpec, threadId: number): TopicRecord {
    const found = this.all.find((t) => t.chatId === spec.id && t.threadId === threadId && !t.deleted);
    if (found) return found;
    const topic: TopicRecord = { chatId: spec.id, threadId, name: `Topic ${threadId}`, iconColor: TOPIC_ICON_COLORS[0] };
    this.all.push(topic);
    return topic;
  }

  private canManageTopics(b: BotSpec, spec: ChatSpec): boolean {
    const m = this.core.membership(spec.id, b.id);
    return m.status === 'creator' || (m.status === 'administrator' && m.canManageTopics === true);
  }

  private canDeleteMessages(b: BotSpec, spec: ChatSpec): boolean {
    const m = this.core.membership(spec.id, b.id);
    return m.status === 'creator' || (m.status === 'administrator' && m.canDeleteMessages === true);
  }
}

/** clean_name: surrounding whitespace trimmed, then at most 128 characters (code points) kept. */
function cleanName(raw: string): string {
  return [...raw.trim()].slice(0, MAX_TOPIC_NAME_LENGTH).join('').trim();
}

function forumTopicJson(t: TopicRecord): Record<string, unknown> {
  return {
    message_thread_id: t.threadId,
    name: t.name,
    icon_color: t.iconColor,
    ...(t.iconCustomEmojiId !== undefined ? { icon_custom_emoji_id: t.iconCustomEmojiId } : {}),
  };
}
