// editMessageText, editMessageCaption, editMessageReplyMarkup and deleteMessage, with their checks in the order the stack
// makes them: the Bot API's parameters (Client.cpp process_edit_message_*_query, process_delete_message_query),
// the chat (check_chat_access), the message (check_message: "message to edit not found"), TDLib's rules
// (MessagesManager can_edit_message, can_delete_message, can_revoke_message), then the servers
// ("message is not modified", BUTTON_DATA_INVALID) and the bot's rate limits, which edits and deletions
// share with sends. A refused call changes nothing and costs nothing.
//
// Time limits, from TDLib: a bot may edit its own messages at any age (TDLib exempts a bot's outgoing
// messages from the 48 h edit limit); `editTimeLimitSeconds` imposes one for tests that want it. A bot
// can't delete a message older than 48 h: "message can't be deleted" in supergroups and channels,
// "message can't be deleted for everyone" in basic groups and private chats.

import type { DeliveredMessage, EmulatorCore, Resolved } from './core.js';
import { badRequest, fail, isOutcome, ok, serverMessage, toInteger, tooManyRequests, type Args, type Outcome } from './envelope.js';
import { inlineKeyboard, parseReplyMarkup, sameMarkup, serverMarkupError, type StoredMarkup } from './keyboard.js';
import type { BotSpec } from './scenario.js';
import { finishCaption, finishText, readCaption, readInputText } from './text.js';

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply ' +
  'markup of the message';
const DELETE_TIME_LIMIT_SECONDS = 2 * 86_400;

export interface EditingOptions {
  messageLengthUnit: 'utf16' | 'codepoints';
  /** null (default): a bot edits its own messages at any age, as TDLib allows. */
  editTimeLimitSeconds: number | null;
}

export function editMessageText(core: EmulatorCore, options: EditingOptions, b: BotSpec, arg: Args): Outcome {
  return editContent(core, options, b, arg, {
    read: readInputText,
    // TDLib edits text only in a text message: a photo has a caption instead.
    refusal: (message) => (message.photo ? 'there is no text in the message to edit' : undefined),
    finish: (input) => finishText(input.parsed, options.messageLengthUnit),
    same: (input, text, message) =>
      text === message.text &&
      input.rawText === message.rawText &&
      JSON.stringify(input.preview ?? null) === JSON.stringify(message.options.linkPreviewOptions ?? null),
    apply: (input, text, message) => {
      message.text = text;
      message.rawText = input.rawText;
      if (input.preview) message.options.linkPreviewOptions = input.preview;
      else delete message.options.linkPreviewOptions;
    },
  });
}

/** editMessageCaption: as editMessageText, for the caption of a photo; a text message has no caption to edit. */
export function editMessageCaption(core: EmulatorCore, options: EditingOptions, b: BotSpec, arg: Args): Outcome {
  return editContent(core, options, b, arg, {
    read: readCaption,
    refusal: (message) => (message.photo ? undefined : 'there is no caption in the message to edit'),
    finish: (input) => finishCaption(input.parsed, options.messageLengthUnit),
    same: (input, caption, message) => caption === message.caption && input.rawCaption === message.rawCaption,
    apply: (input, caption, message) => {
      message.caption = caption;
      message.rawCaption = input.rawCaption;
    },
  });
}

export function editMessageReplyMarkup(core: EmulatorCore, options: EditingOptions, b: BotSpec, arg: Args): Outcome {
  const target = editableTarget(core, options, b, arg);
  if (isOutcome(target)) return target;
  const { chat, message, markup } = target;

  const keyboard = keyboardRefusal(markup);
  if (keyboard) return keyboard;
  if (sameMarkup(markup, stored(message))) return badRequest(NOT_MODIFIED);
  const admitted = admit(core, b, chat);
  if (admitted) return admitted;
  return edited(core, message, markup);
}

/** What differs between editing a text and editing a caption; the checks around them are the same. */
interface ContentEdit<Input extends { parseMode?: string }> {
  read: (arg: Args) => Input | Outcome;
  /** Why this message has no such content to edit, if it has none. */
  refusal: (message: DeliveredMessage) => string | undefined;
  /** The content as the server stores it, or its refusal (empty, too long). */
  finish: (input: Input) => string | Outcome;
  /** The content and its source are those of the message already (parse mode and keyboard apart). */
  same: (input: Input, content: string, message: DeliveredMessage) => boolean;
  apply: (input: Input, content: string, message: DeliveredMessage) => void;
}

function editContent<Input extends { parseMode?: string }>(
  core: EmulatorCore,
  options: EditingOptions,
  b: BotSpec,
  arg: Args,
  edit: ContentEdit<Input>,
): Outcome {
  const input = edit.read(arg);
  if (isOutcome(input)) return input;
  const target = editableTarget(core, options, b, arg);
  if (isOutcome(target)) return target;
  const { chat, message, markup } = target;

  const noContent = edit.refusal(message);
  if (noContent) return badRequest(noContent);
  const content = edit.finish(input);
  if (isOutcome(content)) return content;
  const keyboard = keyboardRefusal(markup);
  if (keyboard) return keyboard;
  // Without reply_markup the edit removes the keyboard, as on Telegram.
  const unchanged =
    edit.same(input, content, message) &&
    input.parseMode?.toLowerCase() === message.parseMode?.toLowerCase() &&
    sameMarkup(markup, stored(message));
  if (unchanged) return badRequest(NOT_MODIFIED);
  const admitted = admit(core, b, chat);
  if (admitted) return admitted;

  edit.apply(input, content, message);
  if (input.parseMode !== undefined) message.parseMode = input.parseMode;
  else delete message.parseMode;
  return edited(core, message, markup);
}

/** The reply_markup sent, then the message to edit, if this bot may edit it; else the server's answer. */
function editableTarget(
  core: EmulatorCore,
  options: EditingOptions,
  b: BotSpec,
  arg: Args,
): { chat: Resolved; message: DeliveredMessage; markup: StoredMarkup | undefined } | Outcome {
  const markup = parseReplyMarkup(arg('reply_markup'));
  if (!markup.ok) return badRequest(markup.error);
  const target = findTarget(core, b, arg);
  if (isOutcome(target)) return target;
  const refused = cannotEdit(core, options, b, target.chat, target.message);
  return refused ?? { ...target, markup: markup.markup };
}

/** An edit takes an inline keyboard or none, and the server checks its buttons. */
function keyboardRefusal(markup: StoredMarkup | undefined): Outcome | undefined {
  if (markup?.kind === 'other') return badRequest('inline keyboard expected');
  const buttons = serverMarkupError(markup);
  return buttons ? badRequest(buttons) : undefined;
}

export function deleteMessage(core: EmulatorCore, b: BotSpec, arg: Args): Outcome {
  if (arg('chat_id') === '') return badRequest('chat identifier is not specified');
  const messageId = messageIdArg(arg('message_id'));
  if (messageId === 0) return badRequest('message identifier is not specified');
  const chat = core.resolveChat(b, arg('chat_id'), 'write');
  if (isOutcome(chat)) return chat;
  const message = core.findMessage(b, chat, messageId);
  if (!message) return badRequest('message to delete not found');

  const own = message.fromUserId === undefined && message.botId === b.id;
  const age = Math.floor(core.clock.now() / 1000) - message.date;
  if (chat.kind === 'supergroup' || chat.kind === 'channel') {
    // can_delete_channel_message: a bot can't delete anything older than 2 days; others' messages need the right.
    const m = core.membership(chat.chat.id, b.id);
    const mayDeleteOthers = m.status === 'creator' || (m.status === 'administrator' && m.canDeleteMessages === true);
    if (age >= DELETE_TIME_LIMIT_SECONDS || (!own && !mayDeleteOthers)) return badRequest("message can't be deleted");
  } else {
    // can_revoke_message: own messages (or any, for a group's administrator) within 48 h.
    const isAdmin = chat.kind === 'group' && ['creator', 'administrator'].includes(core.membership(chat.chat.id, b.id).status);
    const mayRevoke = own || isAdmin || chat.kind === 'private';
    if (!mayRevoke || age > DELETE_TIME_LIMIT_SECONDS) return badRequest(serverMessage("Message can't be deleted for everyone"));
  }
  const admitted = admit(core, b, chat);
  if (admitted) return admitted;
  message.deleted = true;
  return ok(true);
}

/** chat_id + message_id → the chat and the message, or the server's answer when either is missing. */
function findTarget(core: EmulatorCore, b: BotSpec, arg: Args): { chat: Resolved; message: DeliveredMessage } | Outcome {
  const messageId = messageIdArg(arg('message_id'));
  if (arg('chat_id') === '' && messageId === 0) {
    // The inline-message form; this emulator has no inline messages.
    return arg('inline_message_id') === '' ? badRequest('message identifier is not specified') : badRequest('MESSAGE_ID_INVALID');
  }
  const chat = core.resolveChat(b, arg('chat_id'), 'edit');
  if (isOutcome(chat)) return chat;
  const message = messageId > 0 ? core.findMessage(b, chat, messageId) : undefined;
  if (!message) return badRequest('message to edit not found');
  return { chat, message };
}

/** can_edit_message for a bot: someone else's message, a reply keyboard, or (optionally) too old. */
function cannotEdit(
  core: EmulatorCore,
  options: EditingOptions,
  b: BotSpec,
  chat: Resolved,
  message: DeliveredMessage,
): Outcome | undefined {
  const cant = badRequest("message can't be edited");
  if (message.fromUserId !== undefined || message.botId !== b.id || message.otherMarkup) return cant;
  if (chat.kind === 'channel') {
    const m = core.membership(chat.chat.id, b.id);
    const canPost = m.status === 'creator' || (m.status === 'administrator' && m.canPostMessages !== false);
    if (!canPost) return cant;
  }
  if (chat.kind === 'group' && chat.chat.migratedTo !== undefined) {
    // Not in the server's source: the old group is gone, and the client learns where it went as a send would.
    return fail(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: chat.chat.migratedTo });
  }
  const limit = options.editTimeLimitSeconds;
  if (limit !== null && Math.floor(core.clock.now() / 1000) - message.date >= limit) return cant;
  return undefined;
}

function admit(core: EmulatorCore, b: BotSpec, chat: Resolved): Outcome | undefined {
  const admission = core.limiter.tryAcquire(b.id, core.chatIdOf(chat), chat.kind !== 'private');
  return admission.ok ? undefined : tooManyRequests(admission.retryAfter);
}

function edited(core: EmulatorCore, message: DeliveredMessage, markup: StoredMarkup | undefined): Outcome {
  const keyboard = inlineKeyboard(markup);
  if (keyboard) message.replyMarkup = keyboard;
  else delete message.replyMarkup;
  message.editDate = Math.floor(core.clock.now() / 1000);
  message.edits += 1;
  return ok(core.renderMessage(message));
}

function stored(message: DeliveredMessage): StoredMarkup | undefined {
  return message.replyMarkup ? { kind: 'inline', markup: message.replyMarkup } : undefined;
}

/** get_message_id: a 32-bit integer; anything negative or unreadable is 0. */
function messageIdArg(raw: string): number {
  const n = toInteger(raw);
  return n < 0 || n > 2 ** 31 - 1 ? 0 : n;
}
