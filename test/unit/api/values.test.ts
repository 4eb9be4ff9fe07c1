import { checkChatId, checkToken } from '../../../src/api/values.js';

const TOKEN = '7000000001:AATZ1fepnt_C4hBzb8nKisoeXypZcV-GDIh';
const SECRET = TOKEN.split(':')[1]!;
const WHERE = 'Secret ns/bot key "token"';

describe('checkToken', () => {
  test('a real-shaped token passes unchanged', () => {
    expect(checkToken(TOKEN, WHERE)).toEqual({ ok: true, value: TOKEN });
  });

  test.each([
    ['trailing newline (echo)', `${TOKEN}\n`],
    ['CRLF', `${TOKEN}\r\n`],
    ['surrounding spaces and tabs', ` \t${TOKEN} \t`],
  ])('%s is trimmed', (_what, raw) => {
    expect(checkToken(raw, WHERE)).toEqual({ ok: true, value: TOKEN });
  });

  test('the doc example (6-digit id, 34-char secret) passes', () => {
    expect(checkToken('123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11', WHERE).ok).toBe(true);
  });

  test('empty', () => {
    expect(checkToken('', WHERE)).toEqual({ ok: false, message: `the bot token in ${WHERE} is empty` });
  });

  test('whitespace only', () => {
    expect(checkToken(' \n\t ', WHERE)).toEqual({ ok: false, message: `the bot token in ${WHERE} is empty (only whitespace)` });
  });

  test('"bot" prefix (copied from a URL)', () => {
    const r = checkToken(`bot${TOKEN}`, WHERE);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/starts with "bot"/);
    expect(checkToken(`Bot${TOKEN}`, WHERE).ok).toBe(false);
  });

  test('a 1 MB value: refused by its length, without echoing it', () => {
    const huge = `${TOKEN}${'A'.repeat(1024 * 1024)}`;
    const r = checkToken(huge, WHERE);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/1048622 characters/);
    expect(!r.ok && r.message.length).toBeLessThan(300);
  });

  test.each([
    ['letters in the bot id', `abc:${SECRET}`],
    ['leading zero', `0123:${SECRET}`],
    ['no colon', `7000000001${SECRET}`],
    ['secret too short (23)', `7000000001:${SECRET.slice(0, 23)}`],
    ['forbidden character', `7000000001:${SECRET.slice(0, 30)}!xyz`],
    ['two colons', `7000000001:123:${SECRET}`],
    ['bot id of 17 digits', `12345678901234567:${SECRET}`],
  ])('%s is not a token', (_what, raw) => {
    const r = checkToken(raw, WHERE);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/not a bot token/);
  });

  test('whitespace inside', () => {
    const r = checkToken(`7000000001: ${SECRET}`, WHERE);
    expect(!r.ok && r.message).toMatch(/whitespace inside/);
  });

  test('no message ever contains the value', () => {
    for (const raw of [`bot${TOKEN}`, `7000000001: ${SECRET}`, `x${SECRET}`, `${TOKEN}${'A'.repeat(300)}`, `abc:${SECRET}`]) {
      const r = checkToken(raw, WHERE);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.message).not.toContain(SECRET.slice(0, 20));
      expect(!r.ok && r.message).toContain(WHERE);
    }
  });
});

describe('checkChatId', () => {
  test.each([
    ['-1001234567890', '-1001234567890'],
    ['-400000001', '-400000001'],
    ['100001', '100001'],
    ['1001234567890', '1001234567890'], // a missing minus is still syntactically valid: Telegram decides
    ['@ops_channel', '@ops_channel'],
    ['  -1001234567890\n', '-1001234567890'],
    ['@abcde', '@abcde'],
    [`@${'a'.repeat(32)}`, `@${'a'.repeat(32)}`],
    ['1234567890123456', '1234567890123456'],
  ])('%j is valid → %j', (raw, value) => {
    expect(checkChatId(raw, 'spec.chatId')).toEqual({ ok: true, value });
  });

  test('empty and whitespace-only', () => {
    expect(checkChatId('', 'spec.chatId')).toEqual({ ok: false, message: 'the chat id in spec.chatId is empty' });
    expect(checkChatId(' \n', 'spec.chatId')).toEqual({ ok: false, message: 'the chat id in spec.chatId is empty' });
  });

  test.each([
    'abc',
    '-',
    '--100',
    '-100 123',
    '@abcd',
    `@${'a'.repeat(33)}`,
    '12345678901234567',
    '+100',
    '1.5',
    'https://t.me/c/123/4',
    '@ops-channel',
  ])('%j is invalid, with a hint', (raw) => {
    const r = checkChatId(raw, 'spec.chatId');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/-1001234567890/);
  });

  test('a 1 MB value is refused by its length and shape, none of it shown', () => {
    const r = checkChatId('x'.repeat(1024 * 1024), 'Secret a/b key "chatId"');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('1048576 characters, has letters');
    expect(!r.ok && r.message).not.toContain('xxxx');
    expect(!r.ok && r.message.length).toBeLessThan(300);
  });
});
