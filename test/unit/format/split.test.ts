import type { ParseMode } from '../../../src/api/types.js';
import { checkMarkup, escapeHtml, escapeMarkdownV2, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { InvalidMarkupError, splitMessage } from '../../../src/format/split.js';

function parsedOf(text: string, mode: ParseMode): string {
  const result = parseMarkup(text, mode);
  if (!result.ok) throw new Error(`${result.message} in ${JSON.stringify(text)}`);
  return parsedText(result.pieces);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Splits and checks every promise splitMessage makes; returns the parts for case-specific checks. */
function splitAndVerify(text: string, mode: ParseMode, limit = 4096): string[] {
  const parts = splitMessage(text, mode, limit);
  const bodies = parts.map((part, index) => {
    expect(checkMarkup(part, mode)).toEqual({ ok: true });
    const parsed = parsedOf(part, mode);
    expect(parsed.length).toBeLessThanOrEqual(limit);
    expect(LONE_SURROGATE.test(part)).toBe(false);
    if (parts.length === 1) return parsed;
    const numbering = `(${index + 1}/${parts.length})\n`;
    expect(parsed.startsWith(numbering)).toBe(true);
    return parsed.slice(numbering.length);
  });
  expect(bodies.join('')).toBe(parsedOf(text, mode));
  return parts;
}

/** A realistic long annotation: log-ish lines with punctuation every mode cares about. */
function longAnnotation(length: number): string {
  let text = '';
  for (let line = 0; text.length < length; line++) {
    text += `${line}. pod api-${line} <restarted> & failed: exit=1 (OOMKilled) *retry* in 5.0s [x]\n`;
    if (line % 7 === 6) text += '\n';
  }
  return text.slice(0, length);
}

describe('splitMessage: text that fits', () => {
  test.each(['None', 'HTML', 'MarkdownV2'] as const)('%s: one part, unchanged, no numbering', (mode) => {
    expect(splitMessage('*hi*', mode === 'HTML' ? 'None' : mode)).toEqual(['*hi*']);
    const exact = 'x'.repeat(4096);
    expect(splitMessage(exact, mode)).toEqual([exact]);
  });

  test('HTML tags and entities do not count towards the limit', () => {
    const text = `<b>${'&amp;'.repeat(4096)}</b>`;
    expect(splitMessage(text, 'HTML')).toEqual([text]);
  });

  test('MarkdownV2 markers and escapes do not count towards the limit', () => {
    const text = `*${'\\.'.repeat(4096)}*`;
    expect(splitMessage(text, 'MarkdownV2')).toEqual([text]);
  });
});

describe('splitMessage: a 10,000-character annotation', () => {
  const annotation = longAnnotation(10_000);

  test('None: 3 parts, each <= 4096, nothing lost', () => {
    const parts = splitAndVerify(annotation, 'None');
    expect(parts).toHaveLength(3);
    expect(parts[0]?.startsWith('(1/3)\n0. pod')).toBe(true);
  });

  test('HTML (escaped): valid parts, nothing lost', () => {
    const parts = splitAndVerify(escapeHtml(annotation), 'HTML');
    expect(parts).toHaveLength(3);
    // Raw HTML is longer than the limit (entities), parsed text is not.
    expect(parts.some((part) => part.length > 4096)).toBe(true);
  });

  test('MarkdownV2 (escaped): valid parts, nothing lost, numbering escaped', () => {
    const parts = splitAndVerify(escapeMarkdownV2(annotation), 'MarkdownV2');
    expect(parts).toHaveLength(3);
    expect(parts[0]?.startsWith('\\(1/3\\)\n')).toBe(true);
    expect(parts[2]?.startsWith('\\(3/3\\)\n')).toBe(true);
  });

  test('cuts at line ends, preferring blank lines', () => {
    const parts = splitAndVerify(annotation, 'None');
    for (const part of parts.slice(0, -1)) expect(part.endsWith('\n\n')).toBe(true);
  });
});

describe('splitMessage: where it cuts', () => {
  test('at a newline rather than a space when there is no blank line', () => {
    const text = Array.from({ length: 120 }, (_, i) => `line ${i} ${'word '.repeat(15)}`).join('\n');
    const parts = splitAndVerify(text, 'None');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts.slice(0, -1)) expect(part.endsWith('\n')).toBe(true);
  });

  test('at a space inside a line longer than the limit', () => {
    const text = 'word '.repeat(2000);
    const parts = splitAndVerify(text, 'None');
    expect(parts).toHaveLength(3);
    for (const part of parts.slice(0, -1)) expect(part.endsWith('word ')).toBe(true);
  });

  test('a single 9,000-character line with no spaces is hard-split at the limit', () => {
    const text = 'x'.repeat(9000);
    const parts = splitAndVerify(text, 'None');
    expect(parts.map((part) => part.length)).toEqual([4096, 4096, 9000 - 2 * (4096 - 6) + 6]);
  });

  test('the numbering grows with the part count and stays inside the limit', () => {
    const parts = splitAndVerify('y'.repeat(3000), 'None', 20);
    expect(parts.length).toBeGreaterThan(100);
    expect(parts[0]?.startsWith(`(1/${parts.length})\n`)).toBe(true);
  });

  test('rejects invalid markup instead of cutting it', () => {
    expect(() => splitMessage(`<br>${'x'.repeat(5000)}`, 'HTML')).toThrow(InvalidMarkupError);
    expect(() => splitMessage('a.b', 'MarkdownV2')).toThrow('reserved character "." at position 1');
  });

  test('rejects a limit too small to hold the numbering', () => {
    expect(() => splitMessage('x', 'None', 4)).toThrow(RangeError);
  });
});

describe('splitMessage: never inside a surrogate pair', () => {
  test.each(['None', 'HTML', 'MarkdownV2'] as const)('%s: emoji straddling the limit', (mode) => {
    // 'a' first so that the limit falls in the middle of an emoji's two UTF-16 units.
    const text = `a${'😀'.repeat(3000)}`;
    const parts = splitAndVerify(text, mode);
    expect(parts).toHaveLength(2);
    expect(parsedOf(parts[0] as string, mode).length).toBe(4095); // 4096 would cut an emoji in two
  });
});

describe('splitMessage: HTML', () => {
  test('a <pre> block spanning the boundary is closed and reopened with its language', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(4, '0')} ${'log '.repeat(11)}`);
    const text = `Output:\n<pre><code class="language-log">${escapeHtml(lines.join('\n'))}</code></pre>\nend`;
    const parts = splitAndVerify(text, 'HTML');
    expect(parts).toHaveLength(3);
    expect(parts[0]?.endsWith('\n</code></pre>')).toBe(true);
    expect(parts[1]?.startsWith('(2/3)\n<pre><code class="language-log">')).toBe(true);
    expect(parts[1]?.endsWith('</code></pre>')).toBe(true);
    expect(parts[2]?.startsWith('(3/3)\n<pre><code class="language-log">')).toBe(true);
  });

  test('nested elements are reopened in order, with the same attributes', () => {
    const text = `<b>bold <a href="https://x/?a=1&amp;b=&quot;2&quot;"><i>${'z'.repeat(5000)}</i></a></b>`;
    const parts = splitAndVerify(text, 'HTML');
    expect(parts).toHaveLength(2);
    expect(parts[0]?.endsWith('</i></a></b>')).toBe(true);
    expect(parts[1]?.startsWith('(2/2)\n<b><a href="https://x/?a=1&amp;b=&quot;2&quot;"><i>')).toBe(true);
  });

  test('entities at the boundary stay whole', () => {
    const parts = splitAndVerify(`x${'&amp;&#128512;&lt;'.repeat(2000)}`, 'HTML');
    for (const part of parts) expect(part).not.toMatch(/&[#a-z0-9]*$|^[#a-z0-9]*;/m);
  });

  test('an element that would start right at the cut moves to the next part whole', () => {
    const text = `${'a'.repeat(4090)}<b>${'b'.repeat(20)}</b>`;
    const parts = splitAndVerify(text, 'HTML');
    expect(parts[0]).toBe(`(1/2)\n${'a'.repeat(4090)}`);
    expect(parts[1]).toBe(`(2/2)\n<b>${'b'.repeat(20)}</b>`);
  });

  test("markup-heavy text is also kept under Telegram's 32768-byte limit on the raw text", () => {
    const text = '<span class="tg-spoiler">x</span>'.repeat(2000); // 2,000 characters, 66,000 bytes
    const parts = splitAndVerify(text, 'HTML');
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(32768);
  });

  test('trailing empty markup stays with the last real text', () => {
    const parts = splitAndVerify(`${'c'.repeat(5000)}<b></b>`, 'HTML');
    expect(parts.at(-1)?.endsWith('c<b></b>')).toBe(true);
  });
});

describe('splitMessage: MarkdownV2', () => {
  test('escapes at the boundary stay whole', () => {
    const parts = splitAndVerify(`x${'\\.'.repeat(6000)}`, 'MarkdownV2');
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part.endsWith('\\')).toBe(false);
  });

  test('bold spanning the boundary is closed and reopened', () => {
    const parts = splitAndVerify(`*${'word '.repeat(1000)}*`, 'MarkdownV2');
    expect(parts).toHaveLength(2);
    expect(parts[0]?.endsWith(' *')).toBe(true);
    expect(parts[1]?.startsWith('\\(2/2\\)\n*word')).toBe(true);
  });

  test('a link spanning the boundary keeps its URL in both parts', () => {
    const parts = splitAndVerify(`[${'x '.repeat(3000)}](https://e/a_\\))`, 'MarkdownV2');
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part.endsWith('](https://e/a_\\))')).toBe(true);
  });

  test('pre spanning the boundary is reopened with its language on its own line', () => {
    const code = Array.from({ length: 300 }, (_, i) => `print(${i}) # \\\`tick\\\` \\\\ done`).join('\n');
    const parts = splitAndVerify(`\`\`\`python\n${code}\n\`\`\``, 'MarkdownV2');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[1]?.startsWith(`\\(2/${parts.length}\\)\n\`\`\`python\n`)).toBe(true);
  });

  test('italic inside underline is reopened without the "___" ambiguity', () => {
    const parts = splitAndVerify(`_a __b ${'x'.repeat(5000)}__ c_`, 'MarkdownV2');
    expect(parts[0]?.endsWith('__**_')).toBe(true);
    expect(parts[1]?.startsWith('\\(2/2\\)\n_**__')).toBe(true);
  });

  test('a quote line cut in the middle starts the next part with ">"', () => {
    const parts = splitAndVerify(`>${'q'.repeat(5000)}\nafter`, 'MarkdownV2');
    expect(parts[1]?.startsWith('\\(2/2\\)\n>q')).toBe(true);
  });
});

describe('splitMessage: generated markup, small limits', () => {
  // A deterministic pseudo-random generator, so failures reproduce.
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
  }
  const WORDS = ['alpha', 'beta.', 'x-y', '😀', 'a_b', '<&>', '(1)', '\n', '\n\n', ' ', 'long_word_without_spaces'];

  function words(next: () => number, count: number): string {
    return Array.from({ length: count }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
  }

  function html(next: () => number, depth: number): string {
    const wrap = [
      (s: string) => `<b>${s}</b>`,
      (s: string) => `<i>${s}</i>`,
      (s: string) => `<a href="https://x/?q=1&amp;r=2">${s}</a>`,
      (s: string) => `<span class="tg-spoiler">${s}</span>`,
      (s: string) => `<blockquote>${s}</blockquote>`,
    ];
    let out = '';
    for (let i = 0; i < 4; i++) {
      const inner = depth > 0 && next() < 0.6 ? html(next, depth - 1) : escapeHtml(words(next, 6));
      out +=
        next() < 0.3
          ? `<pre><code class="language-sh">${escapeHtml(words(next, 8))}</code></pre>`
          : (wrap[Math.floor(next() * wrap.length)] as (s: string) => string)(inner);
      out += escapeHtml(words(next, 3));
    }
    return out;
  }

  // Markers that must not be nested directly in themselves ("_" and "__" count as one family, and the
  // "___" they would produce together is ambiguous).
  const MARKDOWN_WRAPPERS = ['*', '_', '__', '~', '||'];
  const family = (marker: string) => (marker.startsWith('_') ? '_' : marker);

  function markdown(next: () => number, depth: number, outer: ReadonlySet<string> = new Set()): string {
    let out = '';
    for (let i = 0; i < 4; i++) {
      const roll = next();
      if (roll < 0.15) out += `\`\`\`sh\n${words(next, 8).replace(/[`\\]/g, '\\$&')}\`\`\``;
      else if (roll < 0.3) out += `[${escapeMarkdownV2(words(next, 5))}](https://x/\\)?a=1)`;
      else if (roll < 0.4) out += `\n>${escapeMarkdownV2(words(next, 6).replace(/\n/g, ' '))}\n`;
      else {
        const allowed = MARKDOWN_WRAPPERS.filter((marker) => !outer.has(family(marker)));
        const marker = allowed[Math.floor(next() * allowed.length)] ?? '';
        const inner =
          depth > 0 && next() < 0.6 ? markdown(next, depth - 1, new Set([...outer, family(marker)])) : escapeMarkdownV2(words(next, 6));
        out += `${marker}${inner}${marker}`;
      }
      out += escapeMarkdownV2(words(next, 3));
    }
    return out;
  }

  test.each([20, 33, 57, 128])('HTML, limit %i', (limit) => {
    const next = random(limit);
    for (let round = 0; round < 15; round++) {
      const text = html(next, 2);
      expect(checkMarkup(text, 'HTML')).toEqual({ ok: true });
      splitAndVerify(text, 'HTML', limit);
    }
  });

  test.each([20, 33, 57, 128])('MarkdownV2, limit %i', (limit) => {
    const next = random(limit + 1);
    for (let round = 0; round < 15; round++) {
      const text = markdown(next, 2);
      const check = checkMarkup(text, 'MarkdownV2');
      if (!check.ok) throw new Error(`${check.message} in ${JSON.stringify(text)}`);
      splitAndVerify(text, 'MarkdownV2', limit);
    }
  });
});
