// Telegram's MarkdownV2 parse mode, checked on our side. The rules mirror TDLib's parse_markdown_v2:
// only the innermost open entity can be closed, `_` followed by `_` is underline, inside code/pre only
// "`" is special, and any ASCII character (1–126) may be escaped with a backslash.
// Where we are stricter than TDLib, it is to catch a likely mistake instead of silently changing the text:
// a backslash that escapes nothing (end of text, non-ASCII) is rejected rather than shown,
// `[text]` without `(url)` is rejected rather than turned into a link to its own text, and the expandable
// quote `**>` is rejected (use parse mode HTML with <blockquote expandable>), because closing and reopening
// it across split messages cannot be done reliably.
import { codePointAt, markupError, type OpenPiece, type ParsedMarkup, type Piece } from './pieces.js';

const RESERVED = '_*[]()~`>#+-=|{}.!';

/** Escapes everything MarkdownV2 reserves outside entities, and the backslash itself. */
export function escapeMarkdownV2(text: string): string {
  return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, '\\$&');
}

type EntityType = 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'code' | 'pre' | 'link' | 'custom emoji';

const MARKERS: Readonly<Record<EntityType, string>> = {
  bold: '*',
  italic: '_',
  underline: '__',
  strikethrough: '~',
  spoiler: '||',
  code: '`',
  pre: '```',
  link: '[',
  'custom emoji': '![',
};

interface OpenEntity {
  type: EntityType;
  offset: number;
  piece: OpenPiece;
}

const isEscapable = (c: string | undefined): boolean => c !== undefined && c.charCodeAt(0) >= 1 && c.charCodeAt(0) <= 126;

/** Parses MarkdownV2 into pieces, or says what is wrong and where. */
export function parseMarkdownV2(text: string): ParsedMarkup {
  const pieces: Piece[] = [];
  const open: OpenEntity[] = [];
  let quote: OpenPiece | undefined; // the `>` of the current quote line, closed by the line's end
  let i = 0;

  const endQuoteLine = (): void => {
    if (quote) pieces.push({ kind: 'close', raw: '', opener: quote });
    quote = undefined;
  };
  const openEntity = (type: EntityType, raw: string, reopen = raw): void => {
    const piece: OpenPiece = { kind: 'open', raw, reopen, close: '', lineStart: false };
    open.push({ type, offset: i, piece });
    pieces.push(piece);
  };

  while (i < text.length) {
    const c = text[i] as string;
    const top = open.at(-1);
    const inCode = top?.type === 'code' || top?.type === 'pre';

    if (c === '\\') {
      const next = text[i + 1];
      if (!isEscapable(next)) return markupError(`unescaped "\\" at position ${i} (write \\\\)`, i);
      pieces.push({ kind: 'text', raw: `\\${next}`, parsed: next as string });
      i += 2;
      continue;
    }
    if (c === '\n') endQuoteLine();
    const atLineStart = i === 0 || text[i - 1] === '\n';
    if (atLineStart && !inCode && text.startsWith('**>', i)) {
      return markupError(
        `expandable quote "**>" at position ${i} is not supported in MarkdownV2 alerts (use parseMode HTML and <blockquote expandable>)`,
        i,
      );
    }
    if (atLineStart && !inCode && c === '>') {
      quote = { kind: 'open', raw: '>', reopen: '>', close: '', lineStart: true };
      pieces.push(quote);
      i++;
      continue;
    }
    if (!(inCode ? '`' : RESERVED).includes(c)) {
      const char = codePointAt(text, i);
      pieces.push({ kind: 'text', raw: char, parsed: char });
      i += char.length;
      continue;
    }

    if (top && closesEntity(top.type, text, i)) {
      const end = readEntityEnd(top, text, i);
      if (!end.ok) return end;
      top.piece.close = end.raw;
      pieces.push({ kind: 'close', raw: end.raw, opener: top.piece });
      open.pop();
      i += end.raw.length;
      continue;
    }

    const start = i;
    if (c === '_' && text[i + 1] === '_') openEntity('underline', '__');
    else if (c === '_') openEntity('italic', '_');
    else if (c === '*') openEntity('bold', '*');
    else if (c === '~') openEntity('strikethrough', '~');
    else if (c === '|' && text[i + 1] === '|') openEntity('spoiler', '||');
    else if (c === '[') openEntity('link', '[');
    else if (c === '!' && text[i + 1] === '[') openEntity('custom emoji', '![');
    else if (c === '`' && text.startsWith('```', i)) {
      if (inCode) return markupError(`unescaped "\`" inside ${top?.type} at position ${i} (write \\\`)`, i);
      const opening = readPreOpening(text, i);
      openEntity('pre', opening.raw, opening.reopen);
    } else if (c === '`') {
      if (inCode) return markupError(`unescaped "\`" inside ${top?.type} at position ${i} (write \\\`)`, i);
      openEntity('code', '`');
    } else {
      return markupError(`reserved character "${c}" at position ${i} must be escaped as "\\${c}"`, i);
    }
    i = start + (pieces.at(-1) as OpenPiece).raw.length;
  }
  endQuoteLine();
  const unclosed = open.at(-1);
  if (unclosed) {
    return markupError(
      `${unclosed.type} "${MARKERS[unclosed.type]}" opened at position ${unclosed.offset} is never closed`,
      unclosed.offset,
    );
  }
  return { ok: true, pieces };
}

/** TDLib's test for "this reserved character ends the innermost entity". */
function closesEntity(type: EntityType, text: string, i: number): boolean {
  const c = text[i];
  switch (type) {
    case 'bold':
      return c === '*';
    case 'italic':
      return c === '_' && text[i + 1] !== '_';
    case 'underline':
      return c === '_' && text[i + 1] === '_';
    case 'strikethrough':
      return c === '~';
    case 'spoiler':
      return c === '|' && text[i + 1] === '|';
    case 'code':
      return c === '`';
    case 'pre':
      return text.startsWith('```', i);
    case 'link':
    case 'custom emoji':
      return c === ']';
  }
}

type EntityEnd = { ok: true; raw: string } | ReturnType<typeof markupError>;

/** The closing marker, including `(url)` for links, whose only specials are `)` and `\`. */
function readEntityEnd(entity: OpenEntity, text: string, i: number): EntityEnd {
  switch (entity.type) {
    case 'underline':
    case 'spoiler':
      return { ok: true, raw: text.slice(i, i + 2) };
    case 'pre':
      return { ok: true, raw: '```' };
    case 'link':
    case 'custom emoji': {
      if (text[i + 1] !== '(') {
        return markupError(
          `${entity.type} text opened at position ${entity.offset} must be followed by "(url)"; to show brackets literally write \\[ and \\]`,
          i,
        );
      }
      let j = i + 2;
      while (j < text.length && text[j] !== ')') {
        if (text[j] === '\\') {
          if (!isEscapable(text[j + 1])) return markupError(`unescaped "\\" in a URL at position ${j} (write \\\\)`, j);
          j += 2;
        } else j++;
      }
      if (j >= text.length) return markupError(`URL starting at position ${i + 2} has no closing ")"`, i + 2);
      if (entity.type === 'custom emoji' && !text.startsWith('tg://', i + 2)) {
        return markupError(`custom emoji at position ${entity.offset} needs a tg://emoji?id=… or tg://time?… URL`, i + 2);
      }
      return { ok: true, raw: text.slice(i, j + 1) };
    }
    default:
      return { ok: true, raw: text.charAt(i) };
  }
}

/**
 * "```lang\n": TDLib takes the word after the fence as the language only when something other than "`"
 * follows it, then skips one line break. Reopening in a later message always writes the line break, so
 * the first line of the continued code can never be mistaken for a language.
 */
function readPreOpening(text: string, i: number): { raw: string; reopen: string } {
  let j = i + 3;
  let end = j;
  while (end < text.length && !/\s/.test(text[end] as string) && text[end] !== '`') end++;
  let language = '';
  if (end > j && end < text.length && text[end] !== '`') {
    language = text.slice(j, end);
    j = end;
  }
  const a = text[j];
  const b = text[j + 1];
  if (a === '\n' || a === '\r') j += (b === '\n' || b === '\r') && a !== b ? 2 : 1;
  return { raw: text.slice(i, j), reopen: `\`\`\`${language}\n` };
}
