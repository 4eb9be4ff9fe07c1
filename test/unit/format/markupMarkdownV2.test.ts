import { checkMarkup, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { acceptsEach, rejectsEach } from './markupCases.js';

const check = (text: string) => checkMarkup(text, 'MarkdownV2');
const parsed = (text: string) => {
  const result = parseMarkup(text, 'MarkdownV2');
  if (!result.ok) throw new Error(result.message);
  return parsedText(result.pieces);
};

describe('checkMarkup MarkdownV2: accepted', () => {
  acceptsEach('MarkdownV2', [
    ['plain words', 'hello world'],
    ['every reserved character escaped', '\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\'],
    ['any ASCII character may be escaped', '\\a\\1\\ '],
    ['bold, italic, underline, strike, spoiler', '*b* _i_ __u__ ~s~ ||p||'],
    ['nesting', '*bold _italic ~strike~_*'],
    ['underline with italic inside, using the empty-bold separator', '___italic underline_**__'],
    ['code: only ` and \\ are special', '`a.b*c_[x](y) \\` \\\\`'],
    ['pre with a language', '```python\nprint("a.b")\n```'],
    ['pre without a language', '```\nx = 1 + 2\n```'],
    ['link', '[docs](https://example.com/a_(b\\)?x=1.2)'],
    ['link text with markup', '[*bold* link](http://x)'],
    ['custom emoji', '![👍](tg://emoji?id=5368324170671202286)'],
    ['quote lines', '>quoted line\n>second *bold*\nnormal'],
    ['empty entity', 'a**b'],
  ]);

  test('markers and escaping backslashes are not part of the parsed text', () => {
    expect(parsed('*a\\.b* \\\\ `c\\`d`')).toBe('a.b \\ c`d');
  });

  test('pre: language and the first line break are markup', () => {
    expect(parsed('```go\nx := 1\n```')).toBe('x := 1\n');
    expect(parsed('```\nx```')).toBe('x');
  });

  test('link URL is markup, link text is text', () => {
    expect(parsed('[docs](http://x/\\))')).toBe('docs');
  });
});

describe('checkMarkup MarkdownV2: rejected, with the 0-based position', () => {
  test.each('_*[]()~`#+-=|{}.!'.split(''))('unescaped %s outside entities', (char) => {
    // Each of these either is reserved on its own or opens an entity that is never closed.
    const result = check(`ab${char}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.offset).toBe(2);
  });

  rejectsEach('MarkdownV2', [
    ['reserved dot', 'Disk 95.5%', 7, 'reserved character "." at position 7 must be escaped as "\\."'],
    ['reserved dash', 'a-b', 1, 'reserved character "-" at position 1'],
    ['reserved ! without [', 'hi!', 2, 'reserved character "!" at position 2'],
    ['> not at the start of a line', 'a > b', 2, 'reserved character ">" at position 2'],
    ['single |', 'a | b', 2, 'reserved character "|" at position 2'],
    ['closing ] without a link', 'a]', 1, 'reserved character "]" at position 1'],
    ['backslash at the end', 'path\\', 4, 'unescaped "\\" at position 4'],
    ['backslash before a non-ASCII character', 'a\\é', 1, 'unescaped "\\" at position 1'],
    ['unclosed bold', 'x *bold', 2, 'bold "*" opened at position 2 is never closed'],
    ['unclosed italic', '_it', 0, 'italic "_" opened at position 0 is never closed'],
    ['unclosed underline', 'a __u', 2, 'underline "__" opened at position 2 is never closed'],
    ['unclosed strike', '~s', 0, 'strikethrough "~" opened at position 0'],
    ['unclosed spoiler', '||s', 0, 'spoiler "||" opened at position 0'],
    ['unclosed code', 'run `ls', 4, 'code "`" opened at position 4'],
    ['unclosed pre', '```\ncode', 0, 'pre "```" opened at position 0'],
    ['improper nesting leaves the inner entity open', '*a _b* c_', 8, 'italic "_" opened at position 8'],
    ['a single ` inside pre', '```\na`b\n```', 5, 'unescaped "`" inside pre at position 5'],
    ['link without (url)', '[text] more', 5, 'link text opened at position 0 must be followed by "(url)"'],
    ['link URL without )', '[t](http://x', 4, 'URL starting at position 4 has no closing ")"'],
    ['reserved char in link text', '[a.b](http://x)', 2, 'reserved character "." at position 2'],
    ['custom emoji with a web URL', '![x](http://x)', 5, 'custom emoji at position 0 needs a tg://emoji'],
    ['expandable quote', 'a\n**>hidden||', 2, 'expandable quote "**>" at position 2 is not supported'],
  ]);
});
