import { parseSpec } from '../../../src/api/types.js';

// Watch events are JSON.parse'd: a YAML number reaches the operator as a double.
const specWith = (chatIdJson: string) => JSON.parse(`{"tokenSecretRef": {"name": "bot"}, "chatId": ${chatIdJson}}`) as unknown;

describe('chatId written as a number', () => {
  test.each(['-1001234567890', '-4503599627370495', '4503599627370495', '-1009999999999999', '123456789'])(
    '%s reads as the same digits',
    (id) => {
      const parsed = parseSpec(specWith(id));
      expect(parsed).toMatchObject({ ok: true, spec: { chatId: id } });
    },
  );

  test('a number that a double cannot hold exactly is refused with a hint to quote it, never rounded', () => {
    expect(parseSpec(specWith('-10000000000000001'))).toEqual({ ok: false, message: expect.stringMatching(/chatId.*quote it/) });
  });

  test('a fraction is refused', () => {
    expect(parseSpec(specWith('-100.5'))).toMatchObject({ ok: false });
  });

  test('a string is read as before', () => {
    expect(parseSpec(specWith('"@ops_channel"'))).toMatchObject({ ok: true, spec: { chatId: '@ops_channel' } });
  });
});
