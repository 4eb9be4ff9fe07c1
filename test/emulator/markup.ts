// The emulator's own readers of parse_mode text. They follow TDLib's parse_html / parse_markdown_v2 /
// parse_markdown byte by byte (tdlib/td td/telegram/MessageEntity.cpp and its tests), because what
// matters to a client is the exact verdict: which text is accepted, and the exact error detail with
// its UTF-8 byte offset. Entities themselves are not produced: the emulator only needs the plain text.

export type ParseResult = { ok: true; text: string } | { ok: false; error: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const ch = (s: string): number => s.charCodeAt(0);
const LT = ch('<');
const GT = ch('>');
const AMP = ch('&');
const SLASH = ch('/');
const EQ = ch('=');
const BACKSLASH = ch('\\');
const NL = ch('\n');
const CR = ch('\r');
const BACKTICK = ch('`');

/** TDLib's is_space counts NUL, which is how its C-string scanners notice the end of the text. */
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 0 || c === 11;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}

/** Bytes with a NUL past the end, like the std::string TDLib scans. */
class Bytes {
  readonly b: Uint8Array;
  constructor(text: string) {
    this.b = encoder.encode(text);
  }
  get size(): number {
    return this.b.length;
  }
  at(i: number): number {
    return i < this.b.length ? (this.b[i] as number) : 0;
  }
  slice(from: number, to: number): string {
    return decoder.decode(this.b.subarray(from, to));
  }
}

function appendCodePoint(out: number[], code: number): void {
  if (code < 0x80) out.push(code);
  else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
  else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
}

/** `&lt; &gt; &amp; &quot;` and numeric references; anything else stays literal (TDLib's leniency). */
function decodeHtmlEntity(t: Bytes, pos: number): { code: number; next: number } | null {
  let end = pos + 1;
  let code = 0;
  if (t.at(pos + 1) === ch('#')) {
    end++;
    if (t.at(pos + 2) === ch('x')) {
      end++;
      while (isHexDigit(t.at(end))) code = code * 16 + parseInt(String.fromCharCode(t.at(end++)), 16);
    } else {
      while (isDigit(t.at(end))) code = code * 10 + (t.at(end++) - 48);
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return null;
  } else {
    while (isAlpha(t.at(end))) end++;
    const name = t.slice(pos + 1, end);
    const named: Record<string, number> = { lt: LT, gt: GT, amp: AMP, quot: ch('"') };
    const value = named[name];
    if (value === undefined) return null;
    code = value;
  }
  return { code, next: t.at(end) === ch(';') ? end + 1 : end };
}

const HTML_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'tg-time',
  'span',
  'pre',
  'code',
  'blockquote',
]);

function isValidCustomEmojiId(value: string): boolean {
  if (!/^-?\d{1,19}$/.test(value)) return false;
  const n = BigInt(value);
  return n !== 0n && n <= 9223372036854775807n && n >= -9223372036854775808n;
}

export function parseHtml(text: string): ParseResult {
  const t = new Bytes(text);
  const out: number[] = [];
  const nested: Array<{ tag: string; argument: string; outStart: number }> = [];
  let sawSurrogate = false;
  const err = (error: string): ParseResult => ({ ok: false, error });

  for (let i = 0; i < t.size; i++) {
    const c = t.at(i);
    if (c === AMP) {
      const decoded = decodeHtmlEntity(t, i);
      if (decoded) {
        if (decoded.code >= 0xd800 && decoded.code <= 0xdfff) sawSurrogate = true;
        appendCodePoint(out, decoded.code);
        i = decoded.next - 1;
        continue;
      }
    }
    if (c !== LT) {
      out.push(c);
      continue;
    }

    const begin = i++;
    if (t.at(i) !== SLASH) {
      while (!isSpace(t.at(i)) && t.at(i) !== GT) i++;
      if (i >= t.size) return err(`Unclosed start tag at byte offset ${begin}`);
      const tag = t.slice(begin + 1, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) return err(`Unsupported start tag "${tag}" at byte offset ${begin}`);

      let argument = '';
      while (t.at(i) !== GT) {
        while (i < t.size && isSpace(t.at(i))) i++;
        if (t.at(i) === GT) break;
        if (i >= t.size) return err(`Unclosed start tag at byte offset ${begin}`);
        const nameBegin = i;
        while (!isSpace(t.at(i)) && t.at(i) !== EQ && t.at(i) !== GT) i++;
        const name = t.slice(nameBegin, i);
        if (name === '') return err(`Empty attribute name in the tag "${tag}" at byte offset ${begin}`);
        while (i < t.size && isSpace(t.at(i))) i++;
        let value = '';
        if (t.at(i) !== EQ) {
          // A bare attribute such as <blockquote expandable>.
          if (i >= t.size) return err(`Unclosed start tag at byte offset ${begin}`);
        } else {
          i++;
          while (i < t.size && isSpace(t.at(i))) i++;
          if (i >= t.size) return err(`Unclosed start tag "${tag}" at byte offset ${begin}`);
          const q = t.at(i);
          if (q !== ch("'") && q !== ch('"')) {
            const tokenBegin = i;
            while (isAlnum(t.at(i)) || t.at(i) === ch('.') || t.at(i) === ch('-')) i++;
            value = t.slice(tokenBegin, i).toLowerCase();
            if (!isSpace(t.at(i)) && t.at(i) !== GT) return err(`Unexpected end of name token at byte offset ${tokenBegin}`);
          } else {
            i++;
            const valueBytes: number[] = [];
            while (i < t.size && t.at(i) !== q) {
              if (t.at(i) === AMP) {
                const decoded = decodeHtmlEntity(t, i);
                if (decoded) {
                  appendCodePoint(valueBytes, decoded.code);
                  i = decoded.next;
                  continue;
                }
              }
              valueBytes.push(t.at(i++));
            }
            if (t.at(i) === q) i++;
            value = decoder.decode(Uint8Array.from(valueBytes));
          }
          if (i >= t.size) return err(`Unclosed start tag at byte offset ${begin}`);
        }
        if (tag === 'a' && name === 'href') argument = value;
        else if (tag === 'code' && name === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (tag === 'span' && name === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'tg-emoji' && name === 'emoji-id') argument = value;
      }
      if (tag === 'span' && argument !== 'spoiler') {
        return err(`Tag "span" must have class "tg-spoiler" at byte offset ${begin}`);
      }
      nested.push({ tag, argument, outStart: out.length });
    } else {
      if (nested.length === 0) return err(`Unexpected end tag at byte offset ${begin}`);
      while (!isSpace(t.at(i)) && t.at(i) !== GT) i++;
      const endTag = t.slice(begin + 2, i).toLowerCase();
      while (i < t.size && isSpace(t.at(i))) i++;
      if (t.at(i) !== GT) return err(`Unclosed end tag at byte offset ${begin}`);
      const open = nested[nested.length - 1] as (typeof nested)[number];
      if (endTag !== '' && endTag !== open.tag) {
        return err(`Unmatched end tag at byte offset ${begin}, expected "</${open.tag}>", found "</${endTag}>"`);
      }
      if (open.tag === 'tg-emoji' && out.length > open.outStart && !isValidCustomEmojiId(open.argument)) {
        return err('Invalid custom emoji identifier specified');
      }
      nested.pop();
    }
  }
  const unclosed = nested[nested.length - 1];
  if (unclosed) return err(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  if (sawSurrogate) {
    return err('Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units');
  }
  return { ok: true, text: decoder.decode(Uint8Array.from(out)) };
}

type MdEntity =
  'Bold' | 'Italic' | 'Underline' | 'Strikethrough' | 'Spoiler' | 'Code' | 'Pre' | 'PreCode' | 'TextUrl' | 'CustomEmoji' | 'BlockQuote';

/** Whether the character `c` (then `next`, then `afterNext`) closes the innermost open entity of a type. */
const closesPre = (c: number, next: number, afterNext: number) => c === BACKTICK && next === BACKTICK && afterNext === BACKTICK;
const closesLinkText = (c: number) => c === ch(']');
const CLOSES: Record<MdEntity, (c: number, next: number, afterNext: number) => boolean> = {
  Bold: (c) => c === ch('*'),
  Italic: (c, next) => c === ch('_') && next !== ch('_'),
  Code: (c) => c === BACKTICK,
  Pre: closesPre,
  PreCode: closesPre,
  TextUrl: closesLinkText,
  CustomEmoji: closesLinkText,
  Underline: (c, next) => c === ch('_') && next === ch('_'),
  Strikethrough: (c) => c === ch('~'),
  Spoiler: (c, next) => c === ch('|') && next === ch('|'),
  // A quote ends at a line not starting with '>', which the caller checks.
  BlockQuote: () => false,
};

function reservedError(c: number): ParseResult {
  return { ok: false, error: `Character '${String.fromCharCode(c)}' is reserved and must be escaped with the preceding '\\'` };
}

/** Mirrors LinkManager::get_link_custom_emoji_id's verdicts. */
function checkCustomEmojiUrl(url: string): string | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/)?(.*)$/s.exec(url);
  if (!m || (m[1] ?? '').toLowerCase() !== 'tg') return 'Custom emoji URL must have scheme tg';
  const rest = (m[2] ?? '').split('#')[0] ?? '';
  const q = rest.indexOf('?');
  const hostPath = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);
  if ((hostPath.split('/')[0] ?? '').toLowerCase() !== 'emoji') return 'Custom emoji URL must have host "emoji"';
  const id = query
    .split('&')
    .map((kv) => kv.split('='))
    .find(([k]) => k === 'id')?.[1];
  if (id === undefined || id === '') return 'Custom emoji URL must have an emoji identifier';
  if (!/^[1-9]\d{0,18}$/.test(id) || BigInt(id) > 9223372036854775807n) return 'Invalid custom emoji identifier specified';
  return null;
}

export function parseMarkdownV2(text: string): ParseResult {
  const t = new Bytes(text);
  const n = t.size;
  const out: number[] = [];
  const nested: Array<{ type: MdEntity; byteOffset: number }> = [];
  let haveBlockquote = false;
  const top = (): MdEntity | undefined => nested[nested.length - 1]?.type;
  const cantFindEnd = (): ParseResult => {
    const e = nested[nested.length - 1] as (typeof nested)[number];
    return { ok: false, error: `Can't find end of ${e.type} entity at byte offset ${e.byteOffset}` };
  };

  for (let i = 0; i < n; i++) {
    const c = t.at(i);
    const next = t.at(i + 1);
    if (c === BACKSLASH && next > 0 && next <= 126) {
      out.push(next);
      i++;
      continue;
    }

    const inCode = top() === 'Code' || top() === 'Pre' || top() === 'PreCode';
    // `**>` at a line start opens an expandable quote (Bot API 7.4); newer TDLib than the port base.
    if (!inCode && !haveBlockquote && (i === 0 || t.at(i - 1) === NL) && c === ch('*') && next === ch('*') && t.at(i + 2) === GT) {
      nested.push({ type: 'BlockQuote', byteOffset: i });
      haveBlockquote = true;
      i += 2;
      continue;
    }

    const reserved = inCode ? '`' : '_*[]()~`>#+-=|{}.!\n';
    if (!reserved.includes(String.fromCharCode(c))) {
      out.push(c);
      continue;
    }

    let isEnd = false;
    const current = top();
    if (current !== undefined) {
      if (haveBlockquote && c === NL && (i + 1 === n || next !== GT)) isEnd = true;
      else isEnd = CLOSES[current](c, next, t.at(i + 2));
    }

    if (!isEnd) {
      const byteOffset = i;
      let type: MdEntity | null = null;
      switch (String.fromCharCode(c)) {
        case '_':
          if (next === ch('_')) {
            type = 'Underline';
            i++;
          } else type = 'Italic';
          break;
        case '*':
          type = 'Bold';
          break;
        case '~':
          type = 'Strikethrough';
          break;
        case '|': {
          if (next !== ch('|')) return reservedError(c);
          const after = t.at(i + 2);
          const endsLine = i + 2 >= n || after === NL || (after === CR && t.at(i + 3) === NL);
          if (haveBlockquote && top() === 'BlockQuote' && endsLine) {
            // `||` closing a quote's last line marks it expandable; it is not a spoiler.
            i++;
            continue;
          }
          i++;
          type = 'Spoiler';
          break;
        }
        case '[':
          type = 'TextUrl';
          break;
        case '`':
          if (next === BACKTICK && t.at(i + 2) === BACKTICK) {
            i += 3;
            type = 'Pre';
            let languageEnd = i;
            while (!isSpace(t.at(languageEnd)) && t.at(languageEnd) !== BACKTICK) languageEnd++;
            if (i !== languageEnd && languageEnd < n && t.at(languageEnd) !== BACKTICK) {
              type = 'PreCode';
              i = languageEnd;
            }
            if (t.at(i) === NL || t.at(i) === CR) {
              const a = t.at(i);
              const b = t.at(i + 1);
              i += (b === NL || b === CR) && a !== b ? 2 : 1;
            }
            i--;
          } else type = 'Code';
          break;
        case '!':
          if (next !== ch('[')) return reservedError(c);
          i++;
          type = 'CustomEmoji';
          break;
        case '\n':
          out.push(NL);
          if (i + 1 < n && next === GT) {
            i++;
            if (!haveBlockquote) {
              type = 'BlockQuote';
              haveBlockquote = true;
            }
          }
          break;
        case '>':
          if (i !== 0) return reservedError(c);
          type = 'BlockQuote';
          haveBlockquote = true;
          break;
        default:
          return reservedError(c);
      }
      if (type !== null) nested.push({ type, byteOffset });
      continue;
    }

    const type = current as MdEntity;
    if (c === NL && type !== 'BlockQuote') return cantFindEnd();
    switch (type) {
      case 'Underline':
      case 'Spoiler':
        i++;
        break;
      case 'Pre':
      case 'PreCode':
        i += 2;
        break;
      case 'TextUrl':
        if (next === ch('(')) {
          i += 2;
          const urlBegin = i;
          while (i < n && t.at(i) !== ch(')')) {
            const e = t.at(i + 1);
            i += t.at(i) === BACKSLASH && e > 0 && e <= 126 ? 2 : 1;
          }
          if (t.at(i) !== ch(')')) return { ok: false, error: `Can't find end of a URL at byte offset ${urlBegin}` };
        }
        break;
      case 'CustomEmoji': {
        if (next !== ch('(')) return { ok: false, error: 'Custom emoji entity must contain a tg://emoji URL' };
        i += 2;
        const urlBegin = i;
        const url: number[] = [];
        while (i < n && t.at(i) !== ch(')')) {
          const e = t.at(i + 1);
          if (t.at(i) === BACKSLASH && e > 0 && e <= 126) {
            url.push(e);
            i += 2;
          } else url.push(t.at(i++));
        }
        if (t.at(i) !== ch(')')) {
          return { ok: false, error: `Can't find end of a custom emoji URL at byte offset ${urlBegin}` };
        }
        const problem = checkCustomEmojiUrl(decoder.decode(Uint8Array.from(url)));
        if (problem) return { ok: false, error: problem };
        break;
      }
      case 'BlockQuote':
        haveBlockquote = false;
        out.push(c);
        break;
      default:
        break;
    }
    nested.pop();
  }
  if (haveBlockquote && top() === 'BlockQuote') nested.pop();
  if (nested.length > 0) return cantFindEnd();
  return { ok: true, text: decoder.decode(Uint8Array.from(out)) };
}

/** Legacy `Markdown`: `*bold* _italic_ `code` ```pre``` [text](url)`, no nesting, `\` escapes only `_*`[`. */
export function parseMarkdownLegacy(text: string): ParseResult {
  const t = new Bytes(text);
  const n = t.size;
  const out: number[] = [];
  const special = (c: number): boolean => c === ch('_') || c === ch('*') || c === BACKTICK || c === ch('[');
  for (let i = 0; i < n; i++) {
    const c = t.at(i);
    if (c === BACKSLASH && special(t.at(i + 1))) {
      out.push(t.at(++i));
      continue;
    }
    if (!special(c)) {
      out.push(c);
      continue;
    }
    const begin = i;
    const endChar = c === ch('[') ? ch(']') : c;
    let isPre = false;
    i++;
    if (c === BACKTICK && t.at(i) === BACKTICK && t.at(i + 1) === BACKTICK) {
      i += 2;
      isPre = true;
      let languageEnd = i;
      while (!isSpace(t.at(languageEnd)) && t.at(languageEnd) !== BACKTICK) languageEnd++;
      if (i !== languageEnd && languageEnd < n && t.at(languageEnd) !== BACKTICK) i = languageEnd;
      if (t.at(i) === NL || t.at(i) === CR) {
        const a = t.at(i);
        const b = t.at(i + 1);
        i += (b === NL || b === CR) && a !== b ? 2 : 1;
      }
    }
    while (i < n && (t.at(i) !== endChar || (isPre && !(t.at(i + 1) === BACKTICK && t.at(i + 2) === BACKTICK)))) {
      out.push(t.at(i++));
    }
    if (i === n) return { ok: false, error: `Can't find end of the entity starting at byte offset ${begin}` };
    if (c === ch('[') && t.at(i + 1) === ch('(')) {
      i += 2;
      while (i < n && t.at(i) !== ch(')')) i++;
    }
    if (isPre) i += 2;
  }
  return { ok: true, text: decoder.decode(Uint8Array.from(out)) };
}

export type ParseModeName = 'none' | 'html' | 'markdownv2' | 'markdown';

/** Bot API parse_mode is case-insensitive; empty means none. Returns null for an unsupported value. */
export function normaliseParseMode(raw: string): ParseModeName | null {
  const mode = raw.toLowerCase();
  if (mode === '' || mode === 'none') return 'none';
  if (mode === 'html' || mode === 'markdownv2' || mode === 'markdown') return mode;
  return null;
}

export function parseText(text: string, mode: ParseModeName): ParseResult {
  switch (mode) {
    case 'html':
      return parseHtml(text);
    case 'markdownv2':
      return parseMarkdownV2(text);
    case 'markdown':
      return parseMarkdownLegacy(text);
    case 'none':
      return { ok: true, text };
  }
}

/** UTF-8 size of the raw parameter, which the server caps at 32768 bytes before parsing. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
