// An episode whose first message is a photo: an alert with an image (Grafana's imageURL) goes out as
// the image with the notification as its caption, what does not fit following as replies. The image
// is fetched only when a new message is sent (an edit keeps the photo the message has), and if it
// cannot be had, or Telegram will not take it, the notification goes as text with a note saying why:
// an alert is never lost for its picture. Later notifications of the group edit the caption, so the
// episode remembers that its message is a photo (EpisodeRecord.photo).
import { imageHostCheck, imageNoteHtml } from '../delivery/photos.js';
import { splitCaption } from '../format/caption.js';
import { fetchImage, type ImageFetchResult } from '../net/imageFetch.js';
import type { Notification } from '../sources/notification.js';
import type { ChatMessages } from './chatMessages.js';
import type { InlineKeyboard } from './keyboard.js';

/** What the notifier needs to send or edit a notification as a photo episode. */
export interface PhotoSupport {
  /** The notification whole (Telegram HTML): a photo's caption and replies are cut from it. */
  html: string;
  /** Fetches the notification's image; absent when it has none. */
  image?: () => Promise<ImageFetchResult>;
  /** The html (with a note appended) split into messages, for when it goes as text after all. */
  textParts: (html: string) => string[];
}

/** The first image URL among a notification's alerts (Grafana's per-alert imageURL); undefined when none has one. */
export function imageUrlOf(n: Notification): string | undefined {
  for (const alert of n.alerts) {
    const url = alert.extras['imageURL'];
    if (typeof url === 'string' && url.trim() !== '') return url.trim();
  }
  return undefined;
}

/**
 * A notification's PhotoSupport: its image (if an alert has one) fetched from the hosts in
 * IMAGE_URL_HOSTS only, given up when nobody waits for the notification any more.
 */
export function photoSupport(
  n: Notification,
  html: string,
  textParts: (html: string) => string[],
  opts: { imageUrlHosts: readonly string[]; abandon: AbortSignal },
): PhotoSupport {
  const url = imageUrlOf(n);
  if (url === undefined) return { html, textParts };
  const isHostAllowed = imageHostCheck(opts.imageUrlHosts);
  return { html, textParts, image: () => fetchImage(url, { isHostAllowed, signal: opts.abandon }) };
}

/** A photo episode's messages: the caption, then its replies. */
export function captionParts(html: string): string[] {
  const { caption, rest } = splitCaption(html);
  return [caption, ...rest];
}

/** The chat as a photo episode's edits see it: the photo's "text" is its caption. */
export function photoChat(chat: ChatMessages, photoMessageId: number): ChatMessages {
  return {
    send: (parts, opts) => chat.send(parts, opts),
    edit: (messageId, text, keyboard) =>
      messageId === photoMessageId && chat.editCaption ? chat.editCaption(messageId, text, keyboard) : chat.edit(messageId, text, keyboard),
    setKeyboard: (messageId, keyboard) => chat.setKeyboard(messageId, keyboard),
    remove: (messageId) => chat.remove(messageId),
  };
}

/**
 * Sends a new episode message for a notification with an image: the photo with its caption and
 * replies, or the text with a note saying why the image is not there. `photo` says which it became.
 */
export async function sendWithImage(
  chat: ChatMessages,
  support: PhotoSupport & { image: NonNullable<PhotoSupport['image']> },
  opts: { keyboard?: InlineKeyboard; replyTo?: number },
): Promise<{ messageIds: number[]; photo: boolean }> {
  let why: string;
  if (!chat.sendPhoto) why = 'this chat is not sent photos';
  else {
    const fetched = await support.image();
    if (fetched.ok) {
      const { bytes, filename, contentType } = fetched;
      const sent = await chat.sendPhoto({ bytes, filename, contentType }, support.html, opts);
      if (sent.kind === 'sent') return { messageIds: sent.messageIds, photo: true };
      why = `Telegram did not take the image (${sent.why})`;
    } else why = fetched.why;
  }
  const messageIds = await chat.send(support.textParts(`${support.html}\n\n${imageNoteHtml(why)}`), opts);
  return { messageIds, photo: false };
}
