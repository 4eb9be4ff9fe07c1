// A photo's caption is at most 1,024 characters after entity parsing, a quarter of a message. An alert
// whose text does not fit keeps as much as fits under its photo and continues in reply messages, each
// up to a message's limit, so nothing is lost and every part is valid HTML on its own. The cuts are
// splitMessage's: between pieces, so never inside a tag, an entity or a surrogate pair, and preferably
// at a blank line.
import { splitMessage } from './split.js';

/** Telegram's caption limit, in parsed characters (UTF-16 units, never less than TDLib's count). */
export const TELEGRAM_CAPTION_LIMIT = 1024;

export interface SplitCaption {
  /** The photo's caption: valid HTML of at most TELEGRAM_CAPTION_LIMIT parsed characters. */
  caption: string;
  /** What did not fit, as messages to send in reply to the photo (already split for sendMessage). */
  rest: string[];
}

/** The numbering line splitMessage puts at the top of every part, "(2/5)\n" in HTML. */
const NUMBERING = /^\(\d+\/\d+\)\n/;

/**
 * Splits valid Telegram HTML (check it with checkMarkup first; invalid markup throws InvalidMarkupError)
 * into a caption and the replies that carry the rest.
 */
export function splitCaption(html: string): SplitCaption {
  // Cut as if into captions: the first part is the caption; the others (each closed and reopened where
  // it was cut, so each is valid HTML) together are the rest, split again to a message's size.
  const parts = splitMessage(html, 'HTML', TELEGRAM_CAPTION_LIMIT);
  if (parts.length === 1) return { caption: html, rest: [] };
  const [first, ...others] = parts.map((part) => part.replace(NUMBERING, ''));
  return { caption: first!, rest: splitMessage(others.join(''), 'HTML') };
}
