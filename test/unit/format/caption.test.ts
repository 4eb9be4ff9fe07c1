// splitCaption: a caption of at most 1,024 parsed characters, the rest as reply messages; every part
// valid HTML, nothing lost, never a cut inside a tag, an entity or a surrogate pair.
import { splitCaption, TELEGRAM_CAPTION_LIMIT } from '../../../src/format/caption.js';
import { escapeHtml } from '../../../src/format/html.js';
import { checkMarkup, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { InvalidMarkupError, TELEGRAM_TEXT_LIMIT } from '../../../src/format/split.js';

function shown(html: string): string {
  const result = parseMarkup(html, 'HTML');
  if (!result.ok) throw new Error(`${result.message} in ${html.slice(0, 200)}`);
  return parsedText(result.pieces);
}

const withoutNumbering = (text: string) => text.replace(/^\(\d+\/\d+\)\n/, '');

/** Every part valid, within its limit, and together exactly the original text. */
function expectWhole(html: string, split: { caption: string; rest: string[] }): void {
  expect(checkMarkup(split.caption, 'HTML')).toEqual({ ok: true });
  expect(shown(split.caption).length).toBeLessThanOrEqual(TELEGRAM_CAPTION_LIMIT);
  for (const part of split.rest) {
    expect(checkMarkup(part, 'HTML')).toEqual({ ok: true });
    expect(shown(part).length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  }
  expect(shown(split.caption) + split.rest.map((part) => withoutNumbering(shown(part))).join('')).toBe(shown(html));
}

test('a caption that fits is returned unchanged, with nothing after it', () => {
  const html = `<b>High CPU</b>\n${escapeHtml('a < b & c')}`;
  expect(splitCaption(html)).toEqual({ caption: html, rest: [] });
});

test('exactly 1,024 parsed characters fit, though the raw HTML is longer', () => {
  const html = `<b>${'&amp;'.repeat(TELEGRAM_CAPTION_LIMIT)}</b>`;
  expect(splitCaption(html)).toEqual({ caption: html, rest: [] });
  const over = `<b>${'&amp;'.repeat(TELEGRAM_CAPTION_LIMIT + 1)}</b>`;
  const split = splitCaption(over);
  expect(split.rest).toHaveLength(1);
  expectWhole(over, split);
});

test('a long alert: the caption ends at a blank line, the rest follows in one reply', () => {
  const blocks = Array.from({ length: 12 }, (_, i) => `<b>Alert ${i}</b>\n${'detail '.repeat(20)}`);
  const html = blocks.join('\n\n');
  const split = splitCaption(html);
  expectWhole(html, split);
  expect(shown(split.caption)).toMatch(/\n\n$/);
  expect(split.rest).toHaveLength(1);
  expect(shown(split.rest[0]!)).toMatch(/^Alert \d+/);
});

test('a cut inside a tag closes it in the caption and reopens it in the reply', () => {
  const html = `<b>${'bold words '.repeat(150)}</b><a href="https://grafana.example.com/d/x?a=1&amp;b=2">${'link '.repeat(50)}</a>`;
  const split = splitCaption(html);
  expectWhole(html, split);
  expect(split.caption.endsWith('</b>')).toBe(true);
  expect(split.rest[0]!.startsWith('<b>')).toBe(true);
  expect(split.rest.join('')).toContain('<a href="https://grafana.example.com/d/x?a=1&amp;b=2">');
});

test('never inside an entity or a surrogate pair, even without any space to cut at', () => {
  for (const unit of ['&amp;', '&#128293;', '🔥', '&lt;x&gt;']) {
    const html = unit.repeat(1500);
    const split = splitCaption(html);
    expectWhole(html, split);
    expect(split.caption.isWellFormed()).toBe(true);
    expect(split.rest.every((part) => part.isWellFormed())).toBe(true);
  }
});

test('a very long text becomes a caption and several numbered replies, nothing lost', () => {
  const html = Array.from({ length: 400 }, (_, i) => `<i>line ${i}</i> ${escapeHtml('<value> & more')}`).join('\n');
  const split = splitCaption(html);
  expectWhole(html, split);
  expect(split.rest.length).toBeGreaterThan(1);
  expect(shown(split.rest[0]!)).toMatch(/^\(1\/\d+\)\n/);
});

test('invalid markup is an InvalidMarkupError, not a broken caption', () => {
  expect(() => splitCaption('<b>unclosed')).toThrow(InvalidMarkupError);
});
