// Expectations taken from TDLib's own parser tests (test/message_entities.cpp) and from error texts
// observed on api.telegram.org; byte offsets count UTF-8 bytes (🏟 is 4 bytes, ➡️ is 6).

import { normaliseParseMode, parseHtml, parseMarkdownLegacy, parseMarkdownV2, utf8Length, type ParseResult } from './markup.js';

type Parser = (s: string) => ParseResult;

/** What a parser makes of `s`, as one string: `ok:` and the text, or `error:` and TDLib's message. */
const outcome = (parse: Parser, s: string): string => {
  const r = parse(s);
  return r.ok ? `ok:${r.text}` : `error:${r.error}`;
};

/** One test per [input, error] case: the parser refuses the input with exactly that error. */
function rejects(parse: Parser, cases: [input: string, error: string][]): void {
  test.each(cases)('%j is rejected with %j', (input, error) => {
    expect(outcome(parse, input)).toBe(`error:${error}`);
  });
}

/** One test per [input, text] case: the parser accepts the input and leaves that text. */
function parses(parse: Parser, cases: [input: string, text: string][]): void {
  test.each(cases)('%j parses to %j', (input, text) => {
    expect(outcome(parse, input)).toBe(`ok:${text}`);
  });
}

describe('HTML', () => {
  rejects(parseHtml, [
    ['a<br>b', 'Unsupported start tag "br" at byte offset 1'],
    ['Hello<br>', 'Unsupported start tag "br" at byte offset 5'],
    ['a < b', 'Unsupported start tag "" at byte offset 2'],
    ['x<</b>', 'Unsupported start tag "</b" at byte offset 1'],
    ['<!-- c -->', 'Unsupported start tag "!--" at byte offset 0'],
    ['<B>bold', 'Can\'t find end tag corresponding to start tag "b"'],
    ['<b>bold', 'Can\'t find end tag corresponding to start tag "b"'],
    ['<pre><code>x</code>', 'Can\'t find end tag corresponding to start tag "pre"'],
    ['<b><i>x</b></i>', 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'],
    ['<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ['x</b>', 'Unexpected end tag at byte offset 1'],
    ['🏟 🏟&lt;<abacaba', 'Unclosed start tag at byte offset 13'],
    ['🏟 🏟&lt;<abac aba>', 'Unsupported start tag "abac" at byte offset 13'],
    ['🏟 🏟&lt;<i   =aba>', 'Empty attribute name in the tag "i" at byte offset 13'],
    ['🏟 🏟&lt;<i    aba>', 'Can\'t find end tag corresponding to start tag "i"'],
    ['🏟 🏟&lt;<i    aba  =  ', 'Unclosed start tag "i" at byte offset 13'],
    ['🏟 🏟&lt;<i    aba  =  190azAz-.,', 'Unexpected end of name token at byte offset 27'],
    ['🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', 'Unclosed start tag at byte offset 13'],
    ['🏟 🏟&lt;</', 'Unexpected end tag at byte offset 13'],
    ['🏟 🏟&lt;<b></b></', 'Unexpected end tag at byte offset 20'],
    ['🏟 🏟&lt;<i>a</i   ', 'Unclosed end tag at byte offset 17'],
    ['🏟 🏟&lt;<i>a</em   >', 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'],
    ['<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ['<tg-emoji emoji-id="abc">👍</tg-emoji>', 'Invalid custom emoji identifier specified'],
    ['&#57311;', 'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units'],
    ['&#xDFDF', 'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units'],
  ]);

  parses(parseHtml, [
    ['', ''],
    ['<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>sp</tg-spoiler>', 'bold it u s sp'],
    ['<STRONG>x</strong><em>y</EM><ins>z</ins><strike>w</strike><del>v</del>', 'xyzwv'],
    ['<a href="https://example.com/?a=1&amp;b=2">link</a>', 'link'],
    ['<pre><code class="language-go">x := 1</code></pre>', 'x := 1'],
    ['<blockquote expandable>quote</blockquote>', 'quote'],
    ['<blockquote   cite="" askdlbas nasjdbaj nj12b3>a&lt;<pre  >b;</></>', 'a<b;'],
    ['<span class="tg-spoiler">s</span>', 's'],
    ['<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', '👍'],
    ['<tg-time unix="1647531900" format="wDT">22:45 tomorrow</tg-time>', '22:45 tomorrow'],
    ['&ge;&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;', '&ge;<>&"&laquo;&raquo;&#12345678;'],
    ['🏟 🏟<i>🏟 &lt🏟</i>', '🏟 🏟🏟 <🏟'],
    ['&#x41;&#66;&#x1F600;', 'AB😀'],
    ['a > b', 'a > b'],
    ['<i>a</    >', 'a'],
  ]);
});

describe('MarkdownV2', () => {
  test.each(['.', '-', '!', '>', '#', '+', '=', '{', '}', '(', ')', ']', '|'])('unescaped %j is reserved', (c) => {
    expect(outcome(parseMarkdownV2, `a${c}`)).toBe(`error:Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    expect(outcome(parseMarkdownV2, `a\\${c}`)).toBe(`ok:a${c}`);
  });

  rejects(parseMarkdownV2, [
    ['🏟 🏟_abacaba', "Can't find end of Italic entity at byte offset 9"],
    ['🏟 🏟_abac * asd ', "Can't find end of Bold entity at byte offset 15"],
    ['*bold', "Can't find end of Bold entity at byte offset 0"],
    ['🏟 🏟`', "Can't find end of Code entity at byte offset 9"],
    ['🏟 🏟```', "Can't find end of Pre entity at byte offset 9"],
    ['🏟 🏟```a ', "Can't find end of PreCode entity at byte offset 9"],
    ['🏟 🏟__', "Can't find end of Underline entity at byte offset 9"],
    ['🏟 🏟||test\\|', "Can't find end of Spoiler entity at byte offset 9"],
    ['[telegram\\.org](asd\\)', "Can't find end of a URL at byte offset 16"],
    ['🏟 🏟![👍]', 'Custom emoji entity must contain a tg://emoji URL'],
    ['🏟 🏟![👍](t://emoji?id=1234)', 'Custom emoji URL must have scheme tg'],
    ['🏟 🏟![👍](tg:emojis?id=1234)', 'Custom emoji URL must have host "emoji"'],
    ['🏟 🏟![👍](tg://emoji#test)', 'Custom emoji URL must have an emoji identifier'],
    ['🏟 🏟![👍](tg://emoji?test=1231&id=025)', 'Invalid custom emoji identifier specified'],
    ['>*b\n>ld \n>bo\nld*\nasd\ndef', "Can't find end of Bold entity at byte offset 1"],
    ['>\n*a*>2', "Character '>' is reserved and must be escaped with the preceding '\\'"],
    ['>asd\n>q||e||w||\n||asdad', "Can't find end of Spoiler entity at byte offset 16"],
    ['>asd\n>q||ew\n||asdad', "Can't find end of Spoiler entity at byte offset 7"],
    ['Disk 95.3% full', "Character '.' is reserved and must be escaped with the preceding '\\'"],
  ]);

  parses(parseMarkdownV2, [
    ['*bold* _it_ __u__ ~s~ ||sp||', 'bold it u s sp'],
    ['\\\\\\a\\b\\➡️\\', '\\ab\\➡️\\'],
    ['🏟 🏟```🏟\n🏟```', '🏟 🏟🏟'],
    ['`code with \\` tick`', 'code with ` tick'],
    ['[text](https://example.com/a\\)b)', 'text'],
    ['🏟 🏟![👍](TG://EMoJI/?test=1231&id=25#id=32)a', '🏟 🏟👍a'],
    ['>quote\n>more\nafter', 'quote\nmore\nafter'],
    ['>asd\n>q||e||w||\nasdad', 'asd\nqew\nasdad'],
    ['**>expandable\n>quote||', 'expandable\nquote'],
    ['>\n**>2', '\n2'],
    ['>||', ''],
    ['___italic underline_\\r__', 'italic underliner'],
  ]);
});

describe('legacy Markdown', () => {
  test('entities are parsed without escapes inside them', () => {
    expect(parseMarkdownLegacy('*bold* _it_ `a_b` [x](http://e.com) 1.5!')).toEqual({ ok: true, text: 'bold it a_b x 1.5!' });
  });
  test('an unclosed entity reports its byte offset', () => {
    expect(parseMarkdownLegacy('ok *bold')).toEqual({ ok: false, error: "Can't find end of the entity starting at byte offset 3" });
  });
});

test('parse_mode names are case-insensitive and unknown ones are refused', () => {
  expect(normaliseParseMode('HTML')).toBe('html');
  expect(normaliseParseMode('MarkdownV2')).toBe('markdownv2');
  expect(normaliseParseMode('')).toBe('none');
  expect(normaliseParseMode('None')).toBe('none');
  expect(normaliseParseMode('markdown2')).toBeNull();
});

test('utf8Length counts bytes, not characters', () => {
  expect(utf8Length('a🏟é')).toBe(1 + 4 + 2);
});
