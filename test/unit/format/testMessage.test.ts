import { checkMarkup, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { renderTestMessage } from '../../../src/format/testMessage.js';

describe('renderTestMessage', () => {
  test.each(['None', 'HTML', 'MarkdownV2'] as const)('%s: valid, and reads the same in every parse mode', (mode) => {
    const message = renderTestMessage('monitoring', 'ops-alerts.v2', mode);
    expect(checkMarkup(message, mode)).toEqual({ ok: true });
    const parsed = parseMarkup(message, mode);
    const text = parsed.ok ? parsedText(parsed.pieces) : '';
    expect(text).toBe(
      '✅ Test message from TelegramChannel monitoring/ops-alerts.v2.\n' +
        `Alerts sent through this channel will arrive here (parse mode: ${mode}).\n` +
        'Sent because the telegram.notify.dev/test annotation changed.',
    );
  });

  test('MarkdownV2 escapes the dots, dashes and parentheses', () => {
    expect(renderTestMessage('ns', 'a-b.c', 'MarkdownV2')).toContain('ns/a\\-b\\.c\\.');
    expect(renderTestMessage('ns', 'a', 'MarkdownV2')).toContain('\\(parse mode: MarkdownV2\\)');
  });

  test('fits in one message', () => {
    expect(renderTestMessage('n'.repeat(63), 'x'.repeat(253), 'None').length).toBeLessThan(4096);
  });
});
