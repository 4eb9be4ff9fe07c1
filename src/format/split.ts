// Telegram rejects messages whose parsed text is longer than 4096 characters, and the peers either
// truncate (losing the end of the alert) or cut the markup in half (so Telegram rejects every part).
// We cut the *parsed* text on line boundaries, close whatever formatting is open at the end of a part
// and reopen it at the start of the next, so every part is valid on its own and nothing is lost.
import type { ParseMode } from '../api/types.js';
import { parseMarkup } from './markup.js';
import type { OpenPiece, Piece } from './pieces.js';

/** Telegram's maximum text length after entity parsing. We count UTF-16 code units, which is never less than TDLib's count. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Below this, numbering plus a surrogate pair may no longer fit in a part. */
const MIN_LIMIT = 16;

/**
 * Telegram also refuses a raw `text` over 32768 UTF-8 bytes, which markup-heavy HTML can reach well
 * under 4096 parsed characters. Part bodies get this much, less what their reopened and closed markup
 * takes; the rest is headroom for the numbering and for spans opened inside the part.
 */
const RAW_BYTE_LIMIT = 32768;
const RAW_BYTE_HEADROOM = 2048;

/** Thrown when the text is not valid markup: check it with checkMarkup first. */
export class InvalidMarkupError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'InvalidMarkupError';
  }
}

/**
 * Splits `text` into messages whose parsed text is at most `limit` UTF-16 units each, numbered "(1/3)"
 * on a line of their own when there is more than one. Text that fits is returned unchanged, as one part.
 * Concatenating the parts' parsed texts without their numbering lines gives back the original parsed text.
 */
export function splitMessage(text: string, parseMode: ParseMode, limit: number = TELEGRAM_TEXT_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < MIN_LIMIT) throw new RangeError(`limit must be an integer >= ${MIN_LIMIT}, got ${limit}`);
  const parsed = parseMarkup(text, parseMode);
  if (!parsed.ok) throw new InvalidMarkupError(parsed.message, parsed.offset);
  const { pieces } = parsed;
  if (parsedLength(pieces, 0, pieces.length) <= limit && bytes(text) <= RAW_BYTE_LIMIT) return [text];

  // The numbering takes room in every part, and how much depends on how many parts there are.
  for (let digits = 1; ; digits++) {
    const budget = limit - numberingLength(digits);
    if (budget < 2) throw new RangeError(`limit ${limit} is too small to split this text`);
    const ranges = chooseParts(pieces, budget);
    if (String(ranges.length).length <= digits) return renderParts(pieces, ranges, parseMode);
  }
}

/** Room for "(k/n)" plus its line break, counting k as wide as n (the worst case). */
function numberingLength(digits: number): number {
  return '(/)\n'.length + 2 * digits;
}

function numbering(part: number, total: number, parseMode: ParseMode): string {
  // Parentheses are reserved in MarkdownV2; nothing in "(1/3)" needs escaping in HTML.
  return parseMode === 'MarkdownV2' ? `\\(${part}/${total}\\)\n` : `(${part}/${total})\n`;
}

const units = (piece: Piece): number => (piece.kind === 'text' ? piece.parsed.length : 0);
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Keeps `open` as the spans open after `piece`, outermost first. */
function trackOpen(open: OpenPiece[], piece: Piece): void {
  if (piece.kind === 'open') open.push(piece);
  else if (piece.kind === 'close') open.splice(open.lastIndexOf(piece.opener), 1);
}

function parsedLength(pieces: readonly Piece[], start: number, end: number): number {
  let length = 0;
  for (let i = start; i < end; i++) length += units(pieces[i] as Piece);
  return length;
}

type Range = [start: number, end: number];

/** Greedy: each part takes as much as fits, then steps back to the best boundary in that window. */
function chooseParts(pieces: readonly Piece[], budget: number): Range[] {
  const ranges: Range[] = [];
  const open: OpenPiece[] = [];
  let start = 0;
  while (start < pieces.length) {
    const markupBytes = open.reduce((sum, piece) => sum + bytes(piece.reopen) + bytes(piece.close), 0);
    const byteBudget = Math.max(RAW_BYTE_LIMIT - RAW_BYTE_HEADROOM - markupBytes, 64);
    let end = start;
    let used = 0;
    let usedBytes = 0;
    for (; end < pieces.length; end++) {
      const piece = pieces[end] as Piece;
      const pieceBytes = bytes(piece.raw);
      if (used + units(piece) > budget || (usedBytes + pieceBytes > byteBudget && end > start)) break;
      used += units(piece);
      usedBytes += pieceBytes;
    }
    if (end === pieces.length) {
      ranges.push([start, end]);
      break;
    }
    let cut = bestCut(pieces, start, end, used);
    // Formatting that opens right at the cut belongs to the next part (no empty spans), and ends
    // right after the cut belong to this one (they show nothing, so they cost no room).
    while (cut > start && pieces[cut - 1]?.kind === 'open') cut--;
    if (parsedLength(pieces, start, cut) === 0) cut = end;
    while (cut < pieces.length && pieces[cut]?.kind === 'close') cut++;
    ranges.push([start, cut]);
    for (let i = start; i < cut; i++) trackOpen(open, pieces[i] as Piece);
    start = cut;
  }
  // A tail of pure markup (say an empty "<b></b>") would be an empty message: keep it with the part before.
  const last = ranges.at(-1);
  if (ranges.length > 1 && last && parsedLength(pieces, last[0], last[1]) === 0) {
    ranges.pop();
    (ranges.at(-1) as Range)[1] = last[1];
  }
  return ranges;
}

/**
 * Where to end a part that would overflow at `end` (whose parsed length, `window`, is what fits): after
 * a blank line if that keeps the part at least half full, else after a line break or a space that keeps it a quarter full, else after any line
 * break, else exactly at `end`: a hard cut, which still falls between two pieces, so never inside a
 * surrogate pair, an entity, an escape or a tag. (An early space is not worth a nearly empty message.)
 */
function bestCut(pieces: readonly Piece[], start: number, end: number, window: number): number {
  let blankLine: [number, number] | undefined;
  let newline: [number, number] | undefined;
  let space: [number, number] | undefined;
  let length = parsedLength(pieces, start, end);
  let previousText: string | undefined; // parsed text of the nearest text piece before `cut - 1`
  for (let cut = end; cut > start; cut--) {
    const piece = pieces[cut - 1] as Piece;
    if (piece.kind !== 'text') continue;
    previousText = undefined;
    for (let k = cut - 2; k >= start && previousText === undefined; k--) {
      const before = pieces[k] as Piece;
      if (before.kind === 'text') previousText = before.parsed;
    }
    if (piece.parsed === '\n') {
      if (!blankLine && previousText === '\n') blankLine = [cut, length];
      if (!newline) newline = [cut, length];
    } else if (piece.parsed === ' ' && !space) {
      space = [cut, length];
    }
    if (blankLine && newline && space) break;
    length -= piece.parsed.length;
  }
  if (blankLine && blankLine[1] >= window / 2) return blankLine[0];
  if (newline && newline[1] >= window / 4) return newline[0];
  if (space && space[1] >= window / 4) return space[0];
  return newline?.[0] ?? end;
}

function renderParts(pieces: readonly Piece[], ranges: readonly Range[], parseMode: ParseMode): string[] {
  const open: OpenPiece[] = [];
  return ranges.map(([start, end], index) => {
    // A quote line's ">" must be the first thing on its line, so it goes before anything reopened:
    // whether it is reopened or is the very first piece of this part (a cut right before a quote line).
    const reopened = [...open.filter((p) => p.lineStart), ...open.filter((p) => !p.lineStart)].map((p) => p.reopen);
    const first = pieces[start];
    const body: string[] = [];
    let i = start;
    if (first?.kind === 'open' && first.lineStart) {
      reopened.unshift(first.raw);
      open.push(first);
      i++;
    }
    for (; i < end; i++) {
      const piece = pieces[i] as Piece;
      body.push(piece.raw);
      trackOpen(open, piece);
    }
    const closed = [...open].reverse().map((p) => p.close);
    const segments = [numbering(index + 1, ranges.length, parseMode), ...reopened, body.join(''), ...closed];
    return parseMode === 'MarkdownV2' ? joinMarkdownV2(segments) : segments.join('');
  });
}

/**
 * In MarkdownV2 "_" next to "__" is ambiguous ("___" reads as underline first), so where two markers we
 * generated meet on underscores we put an empty bold "**" between them, as Telegram's docs suggest.
 */
function joinMarkdownV2(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) {
    if (segment === '') continue;
    if (endsWithUnderscoreMarker(out) && segment.startsWith('_')) out += '**';
    out += segment;
  }
  return out;
}

/** True when `text` ends with a "_" that is markup, not the end of an escape such as "\\_". */
function endsWithUnderscoreMarker(text: string): boolean {
  if (!text.endsWith('_')) return false;
  let backslashes = 0;
  for (let i = text.length - 2; i >= 0 && text[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}
