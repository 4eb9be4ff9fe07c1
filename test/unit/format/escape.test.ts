import { checkMarkup, escapeHtml, escapeMarkdownV2, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';

const nasty = ['<b>x</b> & "q" \'a\'', 'a_b*c[d](e)~f`g>h#i+j-k=l|m{n}o.p!q\\r', '&amp; &lt;', '🔥 <pre>', '\\', ''];

describe('escapeHtml', () => {
  test('escapes & first, then < > and "', () => {
    expect(escapeHtml('a & <b> "c"')).toBe('a &amp; &lt;b&gt; &quot;c&quot;');
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  test.each(nasty)('escaped %p is valid HTML that shows the input literally', (input) => {
    const escaped = escapeHtml(input);
    expect(checkMarkup(escaped, 'HTML')).toEqual({ ok: true });
    const parsed = parseMarkup(escaped, 'HTML');
    expect(parsed.ok && parsedText(parsed.pieces)).toBe(input);
  });
});

describe('escapeMarkdownV2', () => {
  test('prefixes every reserved character and the backslash', () => {
    expect(escapeMarkdownV2('a.b-c_d\\e')).toBe('a\\.b\\-c\\_d\\\\e');
    expect(escapeMarkdownV2('_*[]()~`>#+-=|{}.!')).toBe('\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!');
  });

  test.each(nasty)('escaped %p is valid MarkdownV2 that shows the input literally', (input) => {
    const escaped = escapeMarkdownV2(input);
    expect(checkMarkup(escaped, 'MarkdownV2')).toEqual({ ok: true });
    const parsed = parseMarkup(escaped, 'MarkdownV2');
    expect(parsed.ok && parsedText(parsed.pieces)).toBe(input);
  });
});
