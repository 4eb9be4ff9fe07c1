import { checkMarkup, escapeHtml, escapeMarkdownV2, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';

const nasty = ['<b>x</b> & "q" \'a\'', 'a_b*c[d](e)~f`g>h#i+j-k=l|m{n}o.p!q\\r', '&amp; &lt;', '🔥 <pre>', '\\', ''];

describe.each([
  ['HTML', escapeHtml],
  ['MarkdownV2', escapeMarkdownV2],
] as const)('escaped for %s', (mode, escape) => {
  test.each(nasty)('%p is valid markup that shows the input literally', (input) => {
    const escaped = escape(input);
    expect(checkMarkup(escaped, mode)).toEqual({ ok: true });
    const parsed = parseMarkup(escaped, mode);
    expect(parsed.ok && parsedText(parsed.pieces)).toBe(input);
  });
});

describe('escapeHtml', () => {
  test('escapes & first, then < > and "', () => {
    expect(escapeHtml('a & <b> "c"')).toBe('a &amp; &lt;b&gt; &quot;c&quot;');
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('escapeMarkdownV2', () => {
  test('prefixes every reserved character and the backslash', () => {
    expect(escapeMarkdownV2('a.b-c_d\\e')).toBe('a\\.b\\-c\\_d\\\\e');
    expect(escapeMarkdownV2('_*[]()~`>#+-=|{}.!')).toBe('\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!');
  });
});
