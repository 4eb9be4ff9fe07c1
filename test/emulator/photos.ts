// sendPhoto, with its checks in the order the stack makes them: the Bot API's parameters
// (Client.cpp process_send_photo_query: "There is no photo in the request", then get_caption, the
// reply parameters and reply_markup), the chat and topic, then TDLib (a file_id it can't read, the
// rights to send photos, the caption's length), then the photo itself (the upload's size, type and
// dimensions, or Telegram's fetch of the URL), and last the rate limits sendMessage uses.

import type { EmulatorCore, UploadedFile, Uploads } from './core.js';
import { badRequest, isOutcome, toBool, type Args, type Outcome } from './envelope.js';
import {
  checkUploadedImage,
  isPubliclyFetchable,
  photoFileIds,
  URL_PHOTO_SIZE,
  type PhotoRecord,
  type PhotoUrlBehaviour,
} from './images.js';
import { serverMarkupError } from './keyboard.js';
import type { BotSpec } from './scenario.js';
import { readPlacement, storeSent } from './sending.js';
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
    const placed = readPlacement(this.core, b, arg);
    if (isOutcome(placed)) return placed;

    const reused = input.kind === 'file_id' ? this.knownPhoto(b, input.id) : undefined;
    if (input.kind === 'file_id' && !reused) return badRequest('wrong file identifier/HTTP URL specified');
    const rights = this.core.sendRights(b, placed.chat, 'photos');
    if (rights) return rights;
    const text = finishCaption(caption.parsed, this.options.messageLengthUnit);
    if (isOutcome(text)) return text;
    const buttons = serverMarkupError(placed.markup);
    if (buttons) return badRequest(buttons);
    const photo = reused ? { ...reused, source: 'file_id' as const } : input.kind === 'file_id' ? undefined : this.photo(input);
    if (!photo) return badRequest('wrong file identifier/HTTP URL specified');
    if (isOutcome(photo)) return photo;

    return storeSent(this.core, b, arg, {
      ...placed,
      content: {
        text: '',
        rawText: '',
        photo,
        caption: text,
        rawCaption: caption.rawCaption,
        ...(caption.parseMode !== undefined ? { parseMode: caption.parseMode } : {}),
      },
      options: {
        ...(toBool(arg('show_caption_above_media')) ? { captionAboveMedia: true } : {}),
        ...(toBool(arg('has_spoiler')) ? { hasSpoiler: true } : {}),
      },
    });
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
