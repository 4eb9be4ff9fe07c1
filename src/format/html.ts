// Telegram's HTML parse mode (Bot API "Formatting options", TDLib parse_html), checked on our side so
// a broken alert fails with a precise message before any Telegram call. We are deliberately a little
// stricter than TDLib where TDLib's leniency hides mistakes: a bare `>`, an unknown named entity such
// as `&nbsp;` (TDLib shows it literally) and `<a>` without href are rejected here.
import { codePointAt, echoName, markupError, type ClosePiece, type OpenPiece, type ParsedMarkup, type Piece } from './pieces.js';

/** Tags Telegram understands, lower-case (tag names are case-insensitive). */
const SUPPORTED_TAGS: ReadonlySet<string> = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'tg-emoji',
  'tg-time',
  'code',
  'pre',
  'blockquote',
]);

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** `&` first, so the entities added for the others are not escaped again. `"` matters in attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_:-]/.test(c);

type Entity = { ok: true; raw: string; parsed: string } | { ok: false; message: string };

/** Reads the entity starting with the `&` at `start`. */
function readEntity(text: string, start: number): Entity {
  const match = /^&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});/.exec(text.slice(start, start + 42));
  if (!match) return { ok: false, message: `unescaped "&" at position ${start} (write &amp;)` };
  const raw = match[0];
  const body = match[1] as string;
  if (!body.startsWith('#')) {
    const decoded = NAMED_ENTITIES[body.toLowerCase()];
    if (decoded === undefined || body !== body.toLowerCase()) {
      return {
        ok: false,
        message: `unsupported entity ${raw} at position ${start} (only &lt; &gt; &amp; &quot; and numeric entities are allowed)`,
      };
    }
    return { ok: true, raw, parsed: decoded };
  }
  const codePoint = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
  // Surrogates decoded on their own are what TDLib calls "invalid Unicode characters after decoding".
  if (codePoint === 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
    return { ok: false, message: `entity ${raw} at position ${start} is not a valid Unicode character` };
  }
  return { ok: true, raw, parsed: String.fromCodePoint(codePoint) };
}

interface OpenTag {
  name: string;
  offset: number;
  piece: OpenPiece;
}

/** Parses Telegram HTML into pieces, or says what is wrong and where. */
export function parseHtml(text: string): ParsedMarkup {
  const pieces: Piece[] = [];
  const open: OpenTag[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '&') {
      const entity = readEntity(text, i);
      if (!entity.ok) return markupError(entity.message, i);
      pieces.push({ kind: 'text', raw: entity.raw, parsed: entity.parsed });
      i += entity.raw.length;
    } else if (c === '>') {
      return markupError(`unescaped ">" at position ${i} (write &gt;)`, i);
    } else if (c === '<' && text[i + 1] === '/') {
      const start = i;
      let j = i + 2;
      while (isNameChar(text[j])) j++;
      const name = text.slice(i + 2, j).toLowerCase();
      while (isSpace(text[j])) j++;
      if (name === '' || text[j] !== '>') {
        return markupError(`malformed end tag at position ${start} (expected </name>; write &lt; for a literal "<")`, start);
      }
      const top = open.at(-1);
      if (!top) return markupError(`end tag </${echoName(name)}> at position ${start} has no matching start tag`, start);
      if (top.name !== name) {
        return markupError(
          `end tag </${echoName(name)}> at position ${start} does not match <${top.name}> opened at position ${top.offset} ` +
            `(expected </${top.name}>)`,
          start,
        );
      }
      open.pop();
      const raw = text.slice(start, j + 1);
      top.piece.close = raw;
      pieces.push({ kind: 'close', raw, opener: top.piece } satisfies ClosePiece);
      i = j + 1;
    } else if (c === '<') {
      const tag = readStartTag(text, i);
      if (!tag.ok) return tag;
      const piece: OpenPiece = { kind: 'open', raw: tag.raw, reopen: tag.raw, close: `</${tag.name}>`, lineStart: false };
      open.push({ name: tag.name, offset: i, piece });
      pieces.push(piece);
      i += tag.raw.length;
    } else {
      const char = codePointAt(text, i);
      pieces.push({ kind: 'text', raw: char, parsed: char });
      i += char.length;
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) {
    return markupError(
      `tag <${unclosed.name}> at position ${unclosed.offset} is never closed (missing </${unclosed.name}>)`,
      unclosed.offset,
    );
  }
  return { ok: true, pieces };
}

type StartTag = { ok: true; name: string; raw: string } | ReturnType<typeof markupError>;

/** Reads `<name attr="value" flag>` starting at `start`, and checks the attributes Telegram requires. */
function readStartTag(text: string, start: number): StartTag {
  let j = start + 1;
  while (isNameChar(text[j])) j++;
  const name = text.slice(start + 1, j).toLowerCase();
  if (name === '') return markupError(`unescaped "<" at position ${start} (write &lt;)`, start);
  if (!SUPPORTED_TAGS.has(name)) {
    const supported = [...SUPPORTED_TAGS].join(', ');
    return markupError(`unsupported tag <${echoName(name)}> at position ${start} (Telegram supports only ${supported})`, start);
  }
  const attributes = new Map<string, string>();
  for (;;) {
    const beforeSpace = j;
    while (isSpace(text[j])) j++;
    if (j >= text.length) return markupError(`tag <${name}> at position ${start} is not closed with ">"`, start);
    if (text[j] === '>') break;
    if (j === beforeSpace || !isNameChar(text[j])) {
      return markupError(`malformed attribute in tag <${name}> at position ${j}`, j);
    }
    const nameStart = j;
    while (isNameChar(text[j])) j++;
    const attribute = text.slice(nameStart, j).toLowerCase();
    let k = j;
    while (isSpace(text[k])) k++;
    if (text[k] !== '=') {
      attributes.set(attribute, ''); // a flag such as `expandable`
      continue;
    }
    k++;
    while (isSpace(text[k])) k++;
    const quote = text[k];
    let value = '';
    if (quote === '"' || quote === "'") {
      k++;
      while (k < text.length && text[k] !== quote) {
        if (text[k] === '&') {
          const entity = readEntity(text, k);
          if (!entity.ok) return markupError(`${entity.message} in attribute ${echoName(attribute)} of <${name}>`, k);
          value += entity.parsed;
          k += entity.raw.length;
        } else {
          value += text[k];
          k++;
        }
      }
      if (k >= text.length) {
        return markupError(`attribute ${echoName(attribute)} of <${name}> at position ${nameStart} has no closing ${quote}`, nameStart);
      }
      k++;
    } else {
      const valueStart = k;
      while (k < text.length && /[A-Za-z0-9._-]/.test(text[k] as string)) k++;
      if (k === valueStart) {
        return markupError(`attribute ${echoName(attribute)} of <${name}> at position ${nameStart} has no value`, nameStart);
      }
      value = text.slice(valueStart, k);
    }
    attributes.set(attribute, value);
    j = k;
  }
  const required = requiredAttributeProblem(name, attributes);
  if (required) return markupError(`tag <${name}> at position ${start} ${required}`, start);
  return { ok: true, name, raw: text.slice(start, j + 1) };
}

/** Telegram ignores unknown attributes, but some tags mean nothing (or are refused) without theirs. */
function requiredAttributeProblem(name: string, attributes: ReadonlyMap<string, string>): string | undefined {
  switch (name) {
    case 'span':
      return attributes.get('class') === 'tg-spoiler' ? undefined : 'must have class="tg-spoiler"';
    case 'a':
      return attributes.get('href')?.trim() ? undefined : 'must have a non-empty href';
    case 'tg-emoji':
      return /^[0-9]+$/.test(attributes.get('emoji-id') ?? '') ? undefined : 'must have a numeric emoji-id';
    case 'tg-time':
      return /^[0-9]+$/.test(attributes.get('unix') ?? '') ? undefined : 'must have a numeric unix attribute';
    default:
      return undefined;
  }
}
