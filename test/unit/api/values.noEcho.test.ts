// Issue 11 item 1: a value that fails validation is never echoed, not even in part. Its messages
// reach status, Events, logs and the webhook's answers, and a chat id may be read from any key of
// any Secret (chatIdSecretRef: {name: db-creds, key: password}).
import { checkChatId, checkToken, describeValue } from '../../../src/api/values.js';

const WHERE = 'Secret ns/s key "k"';
const TOKEN = '7000000001:AATZ1fepnt_C4hBzb8nKisoeXypZcV-GDIh';

/**
 * The product's own words: every message the checks can produce, for values of every shape that
 * share no characters with the values under test. A password containing "user" or "letters" is not
 * echoed when the message says "username" or "has letters".
 */
const PROBES = ['#', '# #', 'bot#', '#'.repeat(300), '@a', '9'.repeat(20), TOKEN, `bot${TOKEN}`, 'https://x', 'x:y:z', '\u0001', 'Ω'];
const BOILERPLATE = PROBES.flatMap((p) => [checkChatId(p, WHERE), checkToken(p, WHERE)])
  .map((r) => (r.ok ? '' : r.message))
  .join('\n');

/** Every substring of 4 characters of the trimmed value that the message contains, other than the product's own words. */
function echoed(message: string, raw: string): string[] {
  const value = raw.trim();
  const found = new Set<string>();
  for (let i = 0; i + 4 <= value.length; i++) {
    const four = value.slice(i, i + 4);
    if (message.includes(four) && !BOILERPLATE.includes(four)) found.add(four);
  }
  return [...found];
}

test("the product's own words are few and plain: none is taken from a value under test", () => {
  expect(BOILERPLATE).not.toContain('Horse');
  expect(BOILERPLATE).not.toMatch(/postgres|admin|PRIVATE|password/);
});

/** A deterministic pseudo-random generator (mulberry32), so a failure is reproducible. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABETS = {
  password: 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+=?^~;,.|',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=',
  unicode: 'пароль密码🔑ÄÖÜßéèñ漢字かなΩΣ',
  mixed: 'Zq9$ \tЖ漢~X7_-:@',
};

function randomValue(next: () => number, alphabet: string, length: number): string {
  const chars = [...alphabet];
  return Array.from({ length }, () => chars[Math.floor(next() * chars.length)]).join('');
}

const shapes: [string, string][] = [
  ['a bot token (token and chatId swapped)', TOKEN],
  ['a bot token with the "bot" prefix', `bot${TOKEN}`],
  ['a token with whitespace inside', `7000000001: AATZ1fepnt_C4hBzb8nKisoeXypZcV-GDIh`],
  ['a database password', 'Tr0ub4dor&3-xK!pQ9#zW'],
  ['a password with spaces', 'correct Horse battery Staple 42'],
  ['a PEM key', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'],
  ['a connection string', 'postgres://admin:S3cr3tPassw0rd@db.internal:5432/prod'],
  ['a JSON blob', '{"user":"admin","pass":"Qx7$wLm2"}'],
  ['a 5000-character value', randomValue(prng(1), ALPHABETS.password, 5000)],
  ['unicode', 'пароль-密码-🔑-Sécurité'],
  ['a 17-digit number', '98765432109876543'],
  ['a username too long', `@${'Abc1_'.repeat(8)}`],
  ['control characters', 'ab\u0000cd\u0007ef\u001bgh'],
  ['whitespace only inside', 'abcd\u00a0efgh\u2003ijkl'],
  ['a link', 'https://t.me/c/9876543210/42'],
];

describe('an invalid value is described, never echoed', () => {
  test.each(shapes)('%s, as a chat id and as a token', (_what, raw) => {
    const results = [checkChatId(raw, WHERE), checkToken(raw, WHERE)];
    expect(results.some((r) => !r.ok)).toBe(true);
    for (const r of results) {
      if (r.ok) continue; // the swapped token is a valid token, and a valid value may be returned
      expect(echoed(r.message, raw)).toEqual([]);
      expect(r.message).toContain(WHERE);
      expect(r.message).toMatch(/\d+ characters?/);
      expect(r.message.length).toBeLessThan(400);
    }
  });

  test('400 random values of many alphabets and lengths, as a chat id and as a token', () => {
    const next = prng(42);
    for (let i = 0; i < 400; i++) {
      const alphabet = Object.values(ALPHABETS)[i % 4]!;
      const raw = randomValue(next, alphabet, 4 + Math.floor(next() * 300));
      for (const r of [checkChatId(raw, WHERE), checkToken(raw, WHERE)]) {
        if (r.ok) continue; // a random string can be a valid chat id only if it is one: then showing it is fine
        expect({ raw, echoed: echoed(r.message, raw) }).toEqual({ raw, echoed: [] });
      }
    }
  });
});

describe('the description names the shape', () => {
  test.each([
    [TOKEN, '46 characters, looks like a bot token'],
    [`bot${TOKEN}`, '49 characters, looks like a bot token with the "bot" URL prefix'],
    ['-1001234567890', '14 characters, looks like a chat id'],
    ['ops-team', '8 characters, has letters and punctuation'],
    ['hunter2', '7 characters, has letters and digits'],
    ['12345678901234567', '17 characters, is a number of 17 digits (at most 16)'],
    ['@abc', '4 characters, starts with @ but is not a username of 5–32 letters, digits or _'],
    ['https://t.me/c/1/2', '18 characters, looks like a link'],
    ['pass word', '9 characters, has letters, contains whitespace'],
    ['密码🔑', '3 characters, has non-ASCII characters'],
    ['a:b:c', '5 characters, has letters and punctuation, has more than one ":"'],
    ['x', '1 character, has letters'],
  ])('%j → %j', (value, description) => {
    expect(describeValue(value)).toBe(description);
  });

  test('a token stored as the chat id says so, which is the hint for a swapped Secret', () => {
    const r = checkChatId(TOKEN, 'Secret ns/bot key "chatId"');
    expect(!r.ok && r.message).toBe(
      'the chat id in Secret ns/bot key "chatId" is not valid (46 characters, looks like a bot token): ' +
        'use a number such as -1001234567890 (groups and channels are negative) or @channelusername',
    );
  });

  test('a chat id stored as the token says so', () => {
    const r = checkToken('-1001234567890', 'Secret ns/bot key "token"');
    expect(!r.ok && r.message).toMatch(/is not a bot token \(14 characters, looks like a chat id\)/);
  });

  test('a valid chat id is returned as is (the minus-sign and migration hints show it)', () => {
    expect(checkChatId('-1001234567890', WHERE)).toEqual({ ok: true, value: '-1001234567890' });
  });
});
