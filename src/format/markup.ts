// The one question the delivery path asks before a send: would Telegram accept this text in this
// parse mode? Answering it locally turns Telegram's "can't parse entities" (which drops the whole
// alert) into an InvalidMarkup status with a position the user can find.
import type { ParseMode } from '../api/types.js';
import { escapeHtml, parseHtml } from './html.js';
import { escapeMarkdownV2, parseMarkdownV2 } from './markdownV2.js';
import { parsedText, type ParsedMarkup } from './pieces.js';

export { escapeHtml } from './html.js';
export { escapeMarkdownV2 } from './markdownV2.js';

export type MarkupCheck = { ok: true } | { ok: false; message: string; offset: number };

/** How Telegram reads each parse mode. `None` is plain text: every character is itself. */
const PARSERS: Record<ParseMode, (text: string) => ParsedMarkup> = {
  HTML: parseHtml,
  MarkdownV2: parseMarkdownV2,
  None: (text) => ({ ok: true, pieces: Array.from(text, (char) => ({ kind: 'text', raw: char, parsed: char })) }),
};

/** What makes plain words show literally in each parse mode. */
const ESCAPES: Record<ParseMode, (text: string) => string> = { HTML: escapeHtml, MarkdownV2: escapeMarkdownV2, None: (text) => text };

/** Parses `text` the way Telegram would for `parseMode`. */
export function parseMarkup(text: string, parseMode: ParseMode): ParsedMarkup {
  return PARSERS[parseMode](text);
}

/** Plain words escaped for `parseMode`, so Telegram shows them as written. */
export function escapeFor(text: string, parseMode: ParseMode): string {
  return ESCAPES[parseMode](text);
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
