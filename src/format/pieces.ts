// The common shape both markup parsers produce, so that one splitter can cut HTML and MarkdownV2
// text without knowing either syntax. A message is a flat list of pieces; text pieces are the
// smallest units that may be moved to another message (a code point, an HTML entity, a MarkdownV2
// escape), so a cut between two pieces can never land inside a surrogate pair, an entity or an escape.

/** One indivisible run of source text and what Telegram shows for it. */
export interface TextPiece {
  kind: 'text';
  /** Exactly as written in the source. */
  raw: string;
  /** What it becomes after parsing (decoded entity, unescaped character). Measured in UTF-16 units. */
  parsed: string;
}

/** The start of a formatted span (a tag, a `*`, a `[` …). Shows nothing itself. */
export interface OpenPiece {
  kind: 'open';
  raw: string;
  /** What starts the same span again at the top of the next message (same attributes / language). */
  reopen: string;
  /** What ends the span early at the bottom of a message. Filled in once the parser has seen the real end. */
  close: string;
  /** Must be the first thing on a line when reopened (a MarkdownV2 `>` quote line). */
  lineStart: boolean;
}

/** The end of the span that `opener` started. Shows nothing itself. */
export interface ClosePiece {
  kind: 'close';
  raw: string;
  opener: OpenPiece;
}

export type Piece = TextPiece | OpenPiece | ClosePiece;

/** Why a text is not valid markup: a sentence for humans and the 0-based UTF-16 offset it is about. */
export interface MarkupError {
  ok: false;
  message: string;
  offset: number;
}

export type ParsedMarkup = { ok: true; pieces: Piece[] } | MarkupError;

/** Error messages repeat at most this many characters of a name the user wrote (a tag, an attribute). */
export const MAX_ECHOED_NAME = 64;

/**
 * A user's name as an error message may show it: a 5,000-character tag must not turn into a
 * 5,000-character status error (and a status the API server refuses).
 */
export function echoName(name: string): string {
  if (name.length <= MAX_ECHOED_NAME) return name;
  return `${Array.from(name).slice(0, MAX_ECHOED_NAME).join('').slice(0, MAX_ECHOED_NAME)}…`;
}

export function markupError(message: string, offset: number): MarkupError {
  return { ok: false, message, offset };
}

/** The text Telegram would display, without any markup. */
export function parsedText(pieces: readonly Piece[]): string {
  let out = '';
  for (const piece of pieces) if (piece.kind === 'text') out += piece.parsed;
  return out;
}

/** The code point starting at `index`, kept whole when it is a surrogate pair. */
export function codePointAt(text: string, index: number): string {
  const code = text.charCodeAt(index);
  if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
    const next = text.charCodeAt(index + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return text.slice(index, index + 2);
  }
  return text.charAt(index);
}
