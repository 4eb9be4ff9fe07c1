// What the send methods (sendMessage, sendPhoto) share once each has read its own content: the message
// replied to (check_reply_parameters), then the rate limits, then the stored message with the chat,
// topic, reply, keyboard and options the request named, answered as the Bot API's Message.

import type { DeliveredMessage, EmulatorCore, Resolved } from './core.js';
import { badRequest, isOutcome, ok, toBool, tooManyRequests, type Args, type Outcome } from './envelope.js';
import { inlineKeyboard, parseReplyMarkup, type StoredMarkup } from './keyboard.js';
import { jsonArg, replyParameters } from './replies.js';
import type { BotSpec } from './scenario.js';

/** The replied-to message must exist unless sending without it is allowed; undefined: no reply. */
export function repliedMessage(
  core: EmulatorCore,
  b: BotSpec,
  chat: Resolved,
  reply: { messageId: number; allowWithout: boolean } | undefined,
): DeliveredMessage | Outcome | undefined {
  if (!reply || reply.messageId <= 0) return undefined;
  const repliedTo = core.findMessage(b, chat, reply.messageId);
  if (!repliedTo && !reply.allowWithout) return badRequest('message to be replied not found');
  return repliedTo;
}

/** Where a send goes and what it carries besides its content. */
export interface Placement {
  chat: Resolved;
  threadId?: number;
  repliedTo?: DeliveredMessage;
  markup: StoredMarkup | undefined;
}

/**
 * The checks every send method makes once its own content is read, in the server's order: the reply
 * parameters and reply_markup (parameters), then the chat and topic it may write to, then the message
 * replied to.
 */
export function readPlacement(core: EmulatorCore, b: BotSpec, arg: Args): Placement | Outcome {
  const reply = replyParameters(arg);
  if (isOutcome(reply)) return reply;
  const markup = parseReplyMarkup(arg('reply_markup'));
  if (!markup.ok) return badRequest(markup.error);
  const target = core.writableTopic(b, arg);
  if (isOutcome(target)) return target;
  const repliedTo = repliedMessage(core, b, target.chat, reply);
  if (isOutcome(repliedTo)) return repliedTo;
  return { chat: target.chat, threadId: target.threadId, repliedTo, markup: markup.markup };
}

export interface Sent extends Placement {
  /** The method's own content: text, or photo and caption, with their parse mode. */
  content: Pick<DeliveredMessage, 'text' | 'rawText' | 'parseMode' | 'photo' | 'caption' | 'rawCaption'>;
  /** The method's own options (link preview; caption above media, spoiler). */
  options: Partial<DeliveredMessage['options']>;
}

export function storeSent(core: EmulatorCore, b: BotSpec, arg: Args, sent: Sent): Outcome {
  const { chat, threadId, repliedTo, markup } = sent;
  const chatId = core.chatIdOf(chat);
  const admission = core.limiter.tryAcquire(b.id, chatId, chat.kind !== 'private');
  if (!admission.ok) return tooManyRequests(admission.retryAfter);

  const now = core.clock.now();
  const replyMarkup = jsonArg(arg('reply_markup'));
  const replyParameters = jsonArg(arg('reply_parameters'));
  const keyboard = inlineKeyboard(markup);
  const message: DeliveredMessage = {
    botId: b.id,
    chatId,
    messageId: core.nextMessageId(chat, b),
    ...sent.content,
    ...(threadId !== undefined ? { threadId } : {}),
    options: {
      disableNotification: toBool(arg('disable_notification')),
      protectContent: toBool(arg('protect_content')),
      ...sent.options,
      ...(replyMarkup !== undefined ? { replyMarkup } : {}),
      ...(replyParameters !== undefined ? { replyParameters } : {}),
    },
    ...(keyboard ? { replyMarkup: keyboard } : {}),
    ...(markup?.kind === 'other' ? { otherMarkup: markup.markup } : {}),
    ...(repliedTo ? { replyToMessageId: repliedTo.messageId } : {}),
    edits: 0,
    date: Math.floor(now / 1000),
    time: now,
  };
  return ok(core.renderMessage(core.addMessage(message)));
}
