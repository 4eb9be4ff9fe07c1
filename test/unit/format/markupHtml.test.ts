import { checkMarkup, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { acceptsEach, rejectsEach } from './markupCases.js';

const check = (text: string) => checkMarkup(text, 'HTML');

describe('checkMarkup HTML: accepted', () => {
  acceptsEach('HTML', [
    ['plain text', 'hello world'],
    ['every simple tag', '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>'],
    ['spoilers', '<span class="tg-spoiler">x</span> <tg-spoiler>y</tg-spoiler>'],
    ['links', '<a href="https://example.com/?a=1&amp;b=2">x</a> <a href=\'tg://user?id=1\'>me</a>'],
    ['custom emoji', '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'],
    ['time', '<tg-time unix="1647531900" format="wDT">22:45</tg-time>'],
    ['code and pre', '<code>x &lt; y</code>\n<pre>block</pre>\n<pre><code class="language-python">print(1)</code></pre>'],
    ['blockquotes', '<blockquote>q</blockquote><blockquote expandable>long</blockquote>'],
    ['case-insensitive tag names', '<B>x</B> <Strong>y</Strong> <PRE><Code>z</Code></PRE>'],
    ['nesting', '<b>bold <i>italic <u>under</u></i></b>'],
    ['the four named entities', '&lt;&gt;&amp;&quot;'],
    ['numeric entities', '&#60;&#x3C;&#128512;'],
    ['whitespace inside tags', '<a  href = "x" >y</a ><b\n>z</b>'],
    ['unknown attributes are ignored like Telegram does', '<b data-x="1">x</b>'],
    ['emoji', '🔥 fire 👍🏽'],
  ]);

  test('entities decode and tags take no room in the parsed text', () => {
    const parsed = parseMarkup('<b>a &amp; b</b> &lt;&#128512;&gt;', 'HTML');
    expect(parsed.ok && parsedText(parsed.pieces)).toBe('a & b <😀>');
  });
});

describe('checkMarkup HTML: rejected, with the 0-based position', () => {
  rejectsEach('HTML', [
    ['unsupported tag', 'Hello<br>world', 5, 'unsupported tag <br> at position 5'],
    ['unsupported tag, upper case', 'x <DIV>y</DIV>', 2, 'unsupported tag <div> at position 2'],
    ['comments are not tags Telegram knows', 'a <!-- c -->', 2, 'unescaped "<" at position 2'],
    ['bare <', 'a < b', 2, 'unescaped "<" at position 2 (write &lt;)'],
    ['bare > (TDLib tolerates it; we do not)', 'a > b', 2, 'unescaped ">" at position 2 (write &gt;)'],
    ['bare &', 'R&D', 1, 'unescaped "&" at position 1 (write &amp;)'],
    ['& without ;', 'a &amp b', 2, 'unescaped "&" at position 2'],
    ['named entity Telegram does not decode', 'a&nbsp;b', 1, 'unsupported entity &nbsp; at position 1'],
    ['surrogate as a numeric entity', 'x&#xD83D;', 1, 'entity &#xD83D; at position 1 is not a valid Unicode character'],
    ['mismatched end tag', '<b>x</i>', 4, 'end tag </i> at position 4 does not match <b> opened at position 0'],
    ['improper nesting', '<b><i>x</b></i>', 7, 'end tag </b> at position 7 does not match <i> opened at position 3'],
    ['end tag with nothing open', 'x</b>', 1, 'end tag </b> at position 1 has no matching start tag'],
    ['unclosed element', 'a <b>bold', 2, 'tag <b> at position 2 is never closed'],
    ['innermost unclosed element is reported', '<b>x<i>y</b>', 8, 'end tag </b> at position 8 does not match <i>'],
    ['unterminated start tag', 'a <b', 2, 'tag <b> at position 2 is not closed with ">"'],
    ['unterminated end tag', '<b>x</b', 4, 'malformed end tag at position 4'],
    ['span without the spoiler class', '<span class="x">y</span>', 0, 'tag <span> at position 0 must have class="tg-spoiler"'],
    ['a without href', 'see <a>x</a>', 4, 'tag <a> at position 4 must have a non-empty href'],
    ['tg-emoji without id', '<tg-emoji>x</tg-emoji>', 0, 'tag <tg-emoji> at position 0 must have a numeric emoji-id'],
    ['unclosed attribute quote', '<a href="x>y</a>', 3, 'attribute href of <a> at position 3 has no closing "'],
    ['bad & inside an attribute', '<a href="?a=1&b=2">x</a>', 13, 'unescaped "&" at position 13'],
    ['self-closing syntax', '<b/>', 2, 'malformed attribute in tag <b> at position 2'],
  ]);

  test('offsets are UTF-16 positions (an emoji counts 2)', () => {
    expect(check('😀<br>')).toMatchObject({ ok: false, offset: 2, message: expect.stringContaining('at position 2') });
  });
});

describe('checkMarkup None', () => {
  test('anything goes', () => {
    expect(checkMarkup('<br> & *_[ \\', 'None')).toEqual({ ok: true });
  });
});

describe('checkMarkup HTML: names the user wrote are echoed at most 64 characters long', () => {
  const long = 'x'.repeat(5000);
  test.each([
    ['an unsupported start tag', `<${long}>hi`],
    ['an end tag without a start tag', `hi</${long}>`],
    ['an end tag that does not match', `<b>hi</${long}>`],
    ['an attribute without a value', `<a ${long}=>hi</a>`],
    ['an attribute without its closing quote', `<a ${long}="x>hi</a>`],
    ['a bad entity in an attribute', `<a ${long}="&bogus;" href="x">hi</a>`],
  ])('%s', (_what, text) => {
    const r = check(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain(`${'x'.repeat(64)}…`);
    expect(r.message).not.toContain('x'.repeat(65));
    expect(r.message.length).toBeLessThan(300);
  });

  test('a name of 64 characters is shown whole', () => {
    const r = check(`<${'y'.repeat(64)}>`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(`<${'y'.repeat(64)}>`);
  });
});
