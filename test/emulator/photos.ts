// sendPhoto, with its checks in the order the stack makes them: the Bot API's parameters
// (Client.cpp process_send_photo_query: "There is no photo in the request", then get_caption, the
// reply parameters and reply_markup), the chat and topic, then TDLib (a file_id it can't read, the
// rights to send photos, the caption's length), then the photo itself (the upload's size, type and
// dimensions, or Telegram's fetch of the URL), and last the rate limits sendMessage uses.

import type { DeliveredMessage, EmulatorCore, UploadedFile, Uploads } from './core.js';
import { badRequest, isOutcome, ok, toBool, tooManyRequests, type Args, type Outcome } from './envelope.js';
import {
  checkUploadedImage,
  isPubliclyFetchable,
  photoFileIds,
  URL_PHOTO_SIZE,
  type PhotoRecord,
  type PhotoUrlBehaviour,
} from './images.js';
import { inlineKeyboard, parseReplyMarkup, serverMarkupError } from './keyboard.js';
import { jsonArg, replyParameters } from './replies.js';
import type { BotSpec } from './scenario.js';
import { finishCaption, readCaption } from './text.js';

export interface PhotoOptions {
  messageLengthUnit: 'utf16' | 'codepoints';
}

/** The photo a request names: an upload, an HTTP(S) URL, or some other string (a file_id, or garbage). */
type PhotoInput = { kind: 'upload'; file: UploadedFile } | { kind: 'url'; url: URL } | { kind: 'file_id'; id: string };

export class Photos {
  /** What tests said a URL serves; any other URL is an image when publicly fetchable, unreachable otherwise. */
  private readonly urls = new Map<string, PhotoUrlBehaviour>();
  private uploads = 0;

  constructor(
    private readonly core: EmulatorCore,
    private readonly options: PhotoOptions,
  ) {}

  setUrl(url: string, behaviour: PhotoUrlBehaviour): void {
    this.urls.set(url, behaviour);
  }

  send(b: BotSpec, arg: Args, files: Uploads): Outcome {
    const input = photoInput(arg, files);
    if (!input) return badRequest('there is no photo in the request');
    const caption = readCaption(arg);
    if (isOutcome(caption)) return caption;
    const reply = replyParameters(arg);
    if (isOutcome(reply)) return reply;
    const markup = parseReplyMarkup(arg('reply_markup'));
    if (!markup.ok) return badRequest(markup.error);

    const target = this.core.writableTopic(b, arg);
    if (isOutcome(target)) return target;
    const { chat, threadId } = target;
    const repliedTo = reply && reply.messageId > 0 ? this.core.findMessage(b, chat, reply.messageId) : undefined;
    if (reply && reply.messageId > 0 && !repliedTo && !reply.allowWithout) return badRequest('message to be replied not found');

    // TDLib reads a file_id when it builds the message, before the rights and the caption.
    const reused = input.kind === 'file_id' ? this.knownPhoto(b, input.id) : undefined;
    if (input.kind === 'file_id' && !reused) return badRequest('wrong file identifier/HTTP URL specified');
    const rights = this.core.sendRights(b, chat, 'photos');
    if (rights) return rights;
    const text = finishCaption(caption.parsed, this.options.messageLengthUnit);
    if (isOutcome(text)) return text;
    const buttons = serverMarkupError(markup.markup);
    if (buttons) return badRequest(buttons);
    const photo = reused ? { ...reused, source: 'file_id' as const } : input.kind === 'file_id' ? undefined : this.photo(input);
    if (!photo) return badRequest('wrong file identifier/HTTP URL specified');
    if (isOutcome(photo)) return photo;

    const chatId = this.core.chatIdOf(chat);
    const admission = this.core.limiter.tryAcquire(b.id, chatId, chat.kind !== 'private');
    if (!admission.ok) return tooManyRequests(admission.retryAfter);

    const now = this.core.clock.now();
    const replyMarkup = jsonArg(arg('reply_markup'));
    const keyboard = inlineKeyboard(markup.markup);
    const message: DeliveredMessage = {
      botId: b.id,
      chatId,
      messageId: this.core.nextMessageId(chat, b),
      text: '',
      rawText: '',
      photo,
      caption: text,
      rawCaption: caption.rawCaption,
      ...(caption.parseMode !== undefined ? { parseMode: caption.parseMode } : {}),
      ...(threadId !== undefined ? { threadId } : {}),
      options: {
        disableNotification: toBool(arg('disable_notification')),
        protectContent: toBool(arg('protect_content')),
        ...(toBool(arg('show_caption_above_media')) ? { captionAboveMedia: true } : {}),
        ...(toBool(arg('has_spoiler')) ? { hasSpoiler: true } : {}),
        ...(replyMarkup !== undefined ? { replyMarkup } : {}),
        ...(arg('reply_parameters') !== '' ? { replyParameters: jsonArg(arg('reply_parameters')) } : {}),
      },
      ...(keyboard ? { replyMarkup: keyboard } : {}),
      ...(markup.markup?.kind === 'other' ? { otherMarkup: markup.markup.markup } : {}),
      ...(repliedTo ? { replyToMessageId: repliedTo.messageId } : {}),
      edits: 0,
      date: Math.floor(now / 1000),
      time: now,
    };
    return ok(this.core.renderMessage(this.core.addMessage(message)));
  }

  /** The photo Telegram ends up with: an upload that passes the image checks, or a URL its servers can fetch. */
  private photo(input: Exclude<PhotoInput, { kind: 'file_id' }>): PhotoRecord | Outcome {
    if (input.kind === 'upload') {
      const image = checkUploadedImage(input.file.bytes);
      if (!image.ok) return badRequest(image.error);
      this.uploads += 1;
      return {
        source: 'upload',
        fileName: input.file.fileName,
        contentType: input.file.contentType,
        size: input.file.bytes.length,
        format: image.format,
        width: image.width,
        height: image.height,
        ...photoFileIds(`upload:${this.uploads}:${input.file.fileName}:${input.file.bytes.length}`),
      };
    }
    const href = input.url.href;
    const behaviour = this.urls.get(href) ?? (isPubliclyFetchable(input.url) ? 'image' : 'unreachable');
    if (behaviour === 'unreachable') return badRequest('failed to get HTTP URL content');
    if (behaviour === 'not-an-image') return badRequest('wrong type of the web page content');
    return { source: 'url', url: href, ...URL_PHOTO_SIZE, ...photoFileIds(`url:${href}`) };
  }

  /** A photo this bot sent before, by the file_id Telegram gave it (or its thumbnail's): file_ids are per bot. */
  private knownPhoto(b: BotSpec, fileId: string): PhotoRecord | undefined {
    const base = fileId.endsWith('s') ? fileId.slice(0, -1) : fileId;
    const sent = this.core
      .allMessages()
      .find((m) => m.botId === b.id && m.fromUserId === undefined && (m.photo?.fileId === fileId || m.photo?.fileId === base));
    return sent?.photo;
  }
}

/** get_input_file: the multipart part named `photo`, `attach://<part>`, or the string sent. */
function photoInput(arg: Args, files: Uploads): PhotoInput | undefined {
  const direct = files('photo');
  if (direct) return { kind: 'upload', file: direct };
  const raw = arg('photo').trim();
  if (raw === '') return undefined;
  if (raw.startsWith('attach://')) {
    const file = files(raw.slice('attach://'.length));
    return file ? { kind: 'upload', file } : undefined;
  }
  if (/^https?:\/\//i.test(raw)) {
    try {
      return { kind: 'url', url: new URL(raw) };
    } catch {
      return { kind: 'file_id', id: raw };
    }
  }
  return { kind: 'file_id', id: raw };
}
