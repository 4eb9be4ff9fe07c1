// The one question the delivery path asks before a send: would Telegram accept this text in this
// parse mode? Answering it locally turns Telegram's "can't parse entities" (which drops the whole
// alert) into an InvalidMarkup status with a position the user can find.
import type { ParseMode } from '../api/types.js';
import { parseHtml } from './html.js';
import { parseMarkdownV2 } from './markdownV2.js';
import { parsedText, type ParsedMarkup } from './pieces.js';

export { escapeHtml } from './html.js';
export { escapeMarkdownV2 } from './markdownV2.js';

export type MarkupCheck = { ok: true } | { ok: false; message: string; offset: number };

/** Parses `text` the way Telegram would for `parseMode`. `None` is plain text: every character is itself. */
export function parseMarkup(text: string, parseMode: ParseMode): ParsedMarkup {
  switch (parseMode) {
    case 'HTML':
      return parseHtml(text);
    case 'MarkdownV2':
      return parseMarkdownV2(text);
    case 'None':
      return { ok: true, pieces: Array.from(text, (char) => ({ kind: 'text', raw: char, parsed: char })) };
  }
}

/** `{ ok: false }` carries a human message that names the 0-based (UTF-16) position, and that position. */
export function checkMarkup(text: string, parseMode: ParseMode): MarkupCheck {
  if (parseMode === 'None') return { ok: true };
  const parsed = parseMarkup(text, parseMode);
  return parsed.ok ? { ok: true } : { ok: false, message: parsed.message, offset: parsed.offset };
}

/** The length Telegram limits (4096): UTF-16 units of the text as shown, tags and escapes excluded. */
export function parsedLength(text: string, parseMode: ParseMode): number {
  if (parseMode === 'None') return text.length;
  const parsed = parseMarkup(text, parseMode);
  return parsed.ok ? parsedText(parsed.pieces).length : text.length;
}
