import { loggable } from '../../../src/observability/log.js';
import { REDACTED, redact, redactUrl } from '../../../src/observability/redact.js';

const TOKEN = '7000000001:AATZ1fepnt_C4hBzb8nKisoeXypZcV-GDIh';
const SECRET = TOKEN.split(':')[1]!;

describe('redact', () => {
  test('a token in a full URL', () => {
    const out = redact(`POST https://api.telegram.org/bot${TOKEN}/sendMessage failed`);
    expect(out).not.toContain(SECRET);
    expect(out).toBe(`POST https://api.telegram.org/bot${REDACTED}/sendMessage failed`);
  });

  test('a token in /bot<token>/getMe', () => {
    expect(redact(`/bot${TOKEN}/getMe`)).toBe(`/bot${REDACTED}/getMe`);
  });

  test('a bare token anywhere in text', () => {
    const out = redact(`token is ${TOKEN}.`);
    expect(out).not.toContain(SECRET);
    expect(out).toBe(`token is ${REDACTED}.`);
  });

  test('a token glued to "bot" or after punctuation is redacted; a ServiceAccount name is left alone', () => {
    expect(redact(`bot${TOKEN}`)).toBe(`bot${REDACTED}`);
    expect(redact(`token=${TOKEN}`)).toBe(`token=${REDACTED}`);
    expect(redact(`"${TOKEN}"`)).toBe(`"${REDACTED}"`);
    // A namespace ending in digits, then ':' and a long name: the shape of a ServiceAccount, not of a token.
    const user = 'system:serviceaccount:getonly-d946b5:telegram-channel-operator';
    expect(redact(`forbidden: User "${user}" cannot list secrets`)).toContain(user);
  });

  test.each([
    ['no colon', '/botAATZ1fepnt_C4hBzb8nKisoeXypZcV/getMe'],
    ['short secret', '/bot123:abc/getMe'],
    ['"bot" twice', `/botbot${TOKEN}/getMe`],
    ['stray character', '/bot7000000001:AATZ1fep!nt_C4hBzb8nK/getMe'],
    ['at the end of a URL with a query', '/bot12345:xyz?x=1'],
  ])('a malformed token after /bot is redacted too (%s)', (_what, text) => {
    const out = redact(text);
    expect(out.startsWith(`/bot${REDACTED}`)).toBe(true);
    expect(out).not.toMatch(/AATZ|abc|xyz|fep/);
  });

  test('explicit secrets are removed wherever they appear', () => {
    expect(redact('Authorization: Bearer s3cr3t-value, again s3cr3t-value', 's3cr3t-value')).toBe(
      `Authorization: Bearer ${REDACTED}, again ${REDACTED}`,
    );
  });

  test('explicit secrets shorter than 4 characters and undefined are ignored', () => {
    expect(redact('a b c', 'a', undefined, '')).toBe('a b c');
  });

  test('text without secrets is unchanged', () => {
    expect(redact('Bad Request: chat not found')).toBe('Bad Request: chat not found');
    expect(redact('chat -1001234567890 at 12:30')).toBe('chat -1001234567890 at 12:30');
  });

  test('a URL-encoded token (":" as %3A, e.g. in a query string) is redacted', () => {
    const out = redact(`https://proxy.example/log?u=https%3A%2F%2Fapi.telegram.org%2Fbot7000000001%3A${SECRET}%2FgetMe`);
    expect(out).not.toContain(SECRET);
  });
});

describe('loggable: the walk every log record takes', () => {
  test('every string in nested objects and arrays', () => {
    const value = {
      msg: `failed /bot${TOKEN}/getMe`,
      n: 3,
      ok: true,
      nil: null,
      nested: { list: [`x ${TOKEN}`, 1, { url: `https://api.telegram.org/bot${TOKEN}/getChat` }] },
    };
    const out = loggable(value);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(out).toEqual({
      msg: `failed /bot${REDACTED}/getMe`,
      n: 3,
      ok: true,
      nil: null,
      nested: { list: [`x ${REDACTED}`, 1, { url: `https://api.telegram.org/bot${REDACTED}/getChat` }] },
    });
    // The input is not modified.
    expect(value.msg).toContain(SECRET);
  });

  test('a top-level string', () => {
    expect(loggable(TOKEN)).toBe(REDACTED);
  });

  test('a token nested deeper than the depth limit does not leak', () => {
    let deep: Record<string, unknown> = { url: `/bot${TOKEN}/getMe` };
    for (let i = 0; i < 12; i++) deep = { inner: deep };
    expect(JSON.stringify(loggable(deep))).not.toContain(SECRET);
  });
});

describe('redactUrl', () => {
  test.each([
    ['user and password', 'https://alice:s3cret@bot-api.internal:8443', `https://${REDACTED}@bot-api.internal:8443`],
    ['only a user', 'https://alice@bot-api.internal', `https://${REDACTED}@bot-api.internal`],
    ['no userinfo: unchanged', 'https://api.telegram.org', 'https://api.telegram.org'],
    ['a trailing slash is kept as written', 'https://api.telegram.org/', 'https://api.telegram.org/'],
    ['a token in the path', `https://api.telegram.org/bot${TOKEN}`, `https://api.telegram.org/bot${REDACTED}`],
    ['not a URL, userinfo-like part still goes', 'http://bob:pw@', `http://${REDACTED}@`],
  ])('%s', (_what, url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
