// Callback data is never trusted: only the three shapes of the contract name a press.
import { callbackData, parseCallbackData } from '../../../src/interaction/callbackData.js';

test('the three buttons parse', () => {
  expect(parseCallbackData('s:ab_C-9:1')).toEqual({ action: 'silence', episodeId: 'ab_C-9', durationIndex: 1 });
  expect(parseCallbackData('u:ep1')).toEqual({ action: 'unsilence', episodeId: 'ep1' });
  expect(parseCallbackData('a:ep1')).toEqual({ action: 'ack', episodeId: 'ep1' });
});

test.each([
  ['', 'empty'],
  ['s:ep1', 'silence without an index'],
  ['s:ep1:4', 'index beyond the 4 durations'],
  ['s:ep1:-1', 'negative index'],
  ['u:ep1:0', 'unsilence with an index'],
  ['a:', 'no id'],
  ['x:ep1', 'unknown action'],
  ['a:ep1/../x', 'path characters'],
  ['a:12345678901234567', 'id over 16 characters'],
  ['a:ep1\n', 'trailing newline'],
  ['s:ép1:0', 'non-ASCII id'],
  ['a:' + 'x'.repeat(70), 'over 64 bytes'],
])('%j (%s) is not a button', (data) => {
  expect(parseCallbackData(data)).toBeUndefined();
});

test('non-strings are not buttons', () => {
  expect(parseCallbackData(undefined)).toBeUndefined();
  expect(parseCallbackData(42)).toBeUndefined();
});

test('what is built parses back to the same press', () => {
  for (const p of [
    { action: 'silence', episodeId: 'Zz-_09abcdefghij', durationIndex: 3 },
    { action: 'unsilence', episodeId: 'e' },
    { action: 'ack', episodeId: 'e' },
  ] as const) {
    expect(Buffer.byteLength(callbackData(p))).toBeLessThanOrEqual(64);
    expect(parseCallbackData(callbackData(p))).toEqual(p);
  }
});
