// Alerts with an image (Grafana's imageURL): the photo with the alert as its caption, what did not fit
// in the caption as replies to it, and the caption's edit on resolve. Every call goes through the
// sender (`Sender.call` for the photo and the edit, `Sender.send` for the replies), so it takes from the
// same per-bot, per-chat and per-group buckets as the chat's messages and is retried the same way.
// As the message operations: success is returned, in the caller's terms where Telegram's answer means
// something to it (a photo Telegram will not take is `photoInvalid`: send the alert as text; a caption
// edit on a text message is `hasNoCaption`: edit its text instead); every other failure is thrown as a
// DeliveryError.
import { silenceHostAllowed } from '../api/silenceHosts.js';
import type { ResolvedChannel } from '../credentials/resolver.js';
import type { InlineKeyboardMarkup, PhotoUpload, TelegramClient } from '../telegram/client.js';
import { TelegramError } from '../telegram/errors.js';
import { splitCaption } from '../format/caption.js';
import { escapeHtml } from '../format/html.js';
import { parsedLength } from '../format/markup.js';
import { InvalidMarkupError } from '../format/split.js';
import { DeliveryError } from './deliveryError.js';
import type { EditResult } from './messageOperations.js';
import type { MessageSource, OutgoingMessage, Sender } from './sender.js';

/** IMAGE_URL_HOSTS as fetchImage's host check: the host[:port] rules of SILENCE_URL_HOSTS. */
export function imageHostCheck(entries: readonly string[]): (url: string) => boolean {
  return (url) => silenceHostAllowed(url, entries);
}

/** The line an alert sent as text carries when its image could not be had (`why`: fetchImage's note). */
export function imageNoteHtml(why: string): string {
  return `<i>🖼 Image not attached: ${escapeHtml(why)}</i>`;
}

export interface PhotoRequest {
  /** The fetched image, or the file_id of a photo this bot sent before. */
  photo: PhotoUpload | string;
  /** The alert as Telegram HTML (invalid markup is an InvalidMarkup failure); what does not fit in a caption follows as replies. */
  html: string;
  /** Buttons under the photo. */
  replyMarkup?: InlineKeyboardMarkup;
  /** The photo answers this message; sent anyway if that one is gone. */
  replyToMessageId?: number;
  source: MessageSource;
  /** Gives up while the photo waits for its turn (once it is out, its replies still go). */
  signal?: AbortSignal;
}

export type PhotoSendResult =
  /** The photo and then its replies, in order; `fileId` sends the same photo again without uploading it. */
  | { kind: 'sent'; messageIds: number[]; fileId: string }
  /** Telegram will not take this photo (not an image, odd dimensions, an unknown file_id): send the alert as text. */
  | { kind: 'photoInvalid'; error: TelegramError };

/** The photo went out, a reply carrying the rest of its text did not: the chat has `sentMessageIds`. */
export class PhotoRepliesFailed extends DeliveryError {
  override readonly name: string = 'PhotoRepliesFailed';
  constructor(
    failure: DeliveryError,
    readonly sentMessageIds: number[],
  ) {
    super(failure.telegram);
  }
}

/** Sends the photo with as much of `html` as fits in its caption, then the rest as replies to it. */
export async function sendPhoto(sender: Sender, to: ResolvedChannel, req: PhotoRequest): Promise<PhotoSendResult> {
  const method = 'sendPhoto';
  let caption: string;
  let rest: string[];
  try {
    ({ caption, rest } = splitCaption(req.html));
  } catch (e) {
    if (!(e instanceof InvalidMarkupError)) throw e;
    // What Telegram would answer, said before any call: the photo is not sent with a broken caption.
    throw new DeliveryError(new TelegramError({ kind: 'InvalidMarkup', message: `the caption is not valid HTML: ${e.message}`, method }));
  }
  const params = {
    chat_id: to.chatId,
    photo: req.photo,
    caption,
    parse_mode: 'HTML' as const,
    ...channelOptions(to),
    ...(req.replyMarkup ? { reply_markup: req.replyMarkup } : {}),
    ...(req.replyToMessageId !== undefined
      ? { reply_parameters: { message_id: req.replyToMessageId, allow_sending_without_reply: true } }
      : {}),
  };
  const run = (t: TelegramClient, token: string) => t.sendPhoto(token, params);
  let photoId: number;
  let fileId: string;
  try {
    const message = await sender.call({ token: to.token, chatId: to.chatId, source: req.source, method, run, signal: req.signal });
    photoId = message.message_id;
    fileId = message.photo.at(-1)!.file_id;
  } catch (e) {
    const failure = DeliveryError.of(e, method);
    if (failure.telegram.kind === 'PhotoInvalid') return { kind: 'photoInvalid', error: failure.telegram };
    throw failure;
  }
  if (rest.length === 0) return { kind: 'sent', messageIds: [photoId], fileId };
  const replies: OutgoingMessage = {
    token: to.token,
    chatId: to.chatId,
    parts: rest,
    options: { parse_mode: 'HTML', ...channelOptions(to), link_preview_options: { is_disabled: !to.spec.linkPreview } },
    firstPart: { reply_parameters: { message_id: photoId, allow_sending_without_reply: true } },
    source: req.source,
    measure: (text) => parsedLength(text, 'HTML'),
  };
  try {
    const delivery = await sender.send(replies);
    return { kind: 'sent', messageIds: [photoId, ...delivery.messageIds], fileId };
  } catch (e) {
    throw new PhotoRepliesFailed(DeliveryError.of(e, 'sendMessage'), [photoId]);
  }
}

export interface CaptionEdit {
  messageId: number;
  /** At most 1,024 parsed characters (splitCaption's `caption`); empty removes the caption. */
  caption: string;
  /** Absent: the photo loses its keyboard, as on Telegram. */
  replyMarkup?: InlineKeyboardMarkup;
  source: MessageSource;
  signal?: AbortSignal;
}

/** An edit's result, and `hasNoCaption`: the message is text, not a photo (edit its text instead). */
export type CaptionEditResult = EditResult | 'hasNoCaption';

/** Telegram's refusals of a caption edit that mean the photo is gone for this bot: send anew. */
const GONE = new Set(['MessageNotFound', 'MessageNotEditable', 'ChatMigrated']);

/** Replaces a photo's caption (and its keyboard), as editText does a message's text. */
export async function editCaption(sender: Sender, to: ResolvedChannel, edit: CaptionEdit): Promise<CaptionEditResult> {
  const method = 'editMessageCaption';
  const params = {
    chat_id: to.chatId,
    message_id: edit.messageId,
    caption: edit.caption,
    parse_mode: 'HTML' as const,
    ...(edit.replyMarkup ? { reply_markup: edit.replyMarkup } : {}),
  };
  const run = (t: TelegramClient, token: string) => t.editMessageCaption(token, params);
  try {
    // Sets the caption and keyboard whole: a later edit of the same photo replaces this one while it waits.
    await sender.call({
      token: to.token,
      chatId: to.chatId,
      source: edit.source,
      method,
      run,
      signal: edit.signal,
      messageId: edit.messageId,
      collapseKey: method,
    });
    return 'edited';
  } catch (e) {
    const failure = DeliveryError.of(e, method);
    const kind = failure.telegram.kind;
    if (kind === 'MessageNotModified') return 'notModified';
    if (kind === 'MessageHasNoCaption') return 'hasNoCaption';
    if (GONE.has(kind)) return 'gone';
    throw failure;
  }
}

/** The channel's topic, silence and protection, as its messages carry them. */
function channelOptions(to: ResolvedChannel): { message_thread_id?: number; disable_notification?: boolean; protect_content?: boolean } {
  return {
    ...(to.spec.messageThreadId !== undefined ? { message_thread_id: to.spec.messageThreadId } : {}),
    ...(to.spec.disableNotification ? { disable_notification: true } : {}),
    ...(to.spec.protectContent ? { protect_content: true } : {}),
  };
}
