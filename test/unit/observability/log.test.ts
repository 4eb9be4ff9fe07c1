import { AxiosError, AxiosHeaders } from 'axios';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/observability/log.js';

const TOKEN = '7000000001:AATZ1fepnt_C4hBzb8nKisoeXypZcV-GDIh';
const SECRET = TOKEN.split(':')[1]!;

/** A logger writing into an array of parsed records (pino's destination stream). */
type Capture = { log: ReturnType<typeof createLogger>; lines: () => string[]; records: () => Record<string, any>[] };

function capture(): Capture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('debug', stream);
  const lines = () => chunks.join('').split('\n').filter(Boolean);
  return { log, lines, records: () => lines().map((l) => JSON.parse(l) as Record<string, any>) };
}

function refused(): Error {
  const details = { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port: 1 };
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), details);
  return new TypeError('fetch failed', { cause });
}

describe('log: errors keep their reason', () => {
  test('a start-up failure logged as { err } shows its message, not [object Object]', () => {
    const { log, records } = capture();
    log.fatal({ err: new Error('Invalid kubeconfig: no current context') }, 'operator failed to start');
    const [r] = records();
    expect(r!.msg).toBe('operator failed to start');
    expect(r!.err).toMatchObject({ type: 'Error', message: 'Invalid kubeconfig: no current context' });
    expect(JSON.stringify(r)).not.toContain('[object Object]');
  });

  test('"fetch failed" carries its cause: code, syscall, address', () => {
    const { log, records } = capture();
    log.warn({ err: refused() }, 'watch failed; retrying');
    expect(records()[0]!.err).toEqual({
      type: 'TypeError',
      message: 'fetch failed',
      cause: {
        type: 'Error',
        message: 'connect ECONNREFUSED 127.0.0.1:1',
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
        address: '127.0.0.1',
        port: 1,
      },
    });
  });

  test("an AggregateError's errors are listed (Node's connect to several addresses)", () => {
    const { log, records } = capture();
    const attempts = [new Error('connect ECONNREFUSED ::1:6443'), new Error('connect ECONNREFUSED 127.0.0.1:6443')];
    const agg = Object.assign(new AggregateError(attempts, ''), { code: 'ECONNREFUSED' });
    log.error({ err: new TypeError('fetch failed', { cause: agg }) }, 'list failed');
    const err = records()[0]!.err;
    expect(err.cause.code).toBe('ECONNREFUSED');
    expect(err.cause.errors.map((e: { message: string }) => e.message)).toEqual(attempts.map((e) => e.message));
  });

  test('a cause chain that loops ends, and a very deep one is cut', () => {
    const { log, records } = capture();
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    let deep: Error = new Error('bottom');
    for (let i = 0; i < 100; i++) deep = new Error(`level ${i}`, { cause: deep });
    log.error({ err: a }, 'loop');
    log.error({ err: deep }, 'deep');
    const [loop, cut] = records();
    expect(loop!.err.cause.cause).toBe('[circular]');
    expect(JSON.stringify(cut).length).toBeLessThan(2000);
    expect(JSON.stringify(cut)).toContain('[more causes]');
  });

  test('an error whose message is not a string says what it holds', () => {
    const { log, records } = capture();
    const err = new Error('x');
    (err as { message: unknown }).message = { reason: 'Forbidden', token: TOKEN };
    log.error({ err }, 'odd error');
    const r = records()[0]!;
    expect(r.err.message).toContain('Forbidden');
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });
});

describe('log: the token never appears', () => {
  const shapes: [string, (log: ReturnType<typeof createLogger>) => void][] = [
    ['log.error(err) without a message string', (log) => log.error(new Error(`POST /bot${TOKEN}/sendMessage failed`))],
    ['log.error({ err }) without a message string', (log) => log.error({ err: new Error(`token ${TOKEN} refused`) })],
    ['a token inside a cause', (log) => log.error({ err: new Error('send failed', { cause: new Error(`bad /bot${TOKEN}/getMe`) }) }, 'x')],
    ['a token in a URL property', (log) => log.error({ err: Object.assign(new Error('failed'), { url: `http://x/bot${TOKEN}` }) }, 'x')],
    [
      'a token in an axios error config (URL and a header)',
      (log) => {
        const headers = new AxiosHeaders({ Authorization: `Bearer ${TOKEN}` });
        const config = { url: `/bot${TOKEN}/getMe`, baseURL: 'https://api.telegram.org', headers };
        log.error({ err: new AxiosError('Request failed with status code 502', 'ERR_BAD_RESPONSE', config as never) }, 'x');
        log.error(new AxiosError(`timeout of /bot${TOKEN}/getMe`, 'ECONNABORTED', config as never));
      },
    ],
    [
      'an error-like object that is not an Error',
      (log) => log.error({ error: { name: 'ApiException', message: `Body: ${TOKEN}`, stack: '' } }),
    ],
    ['printf-style arguments', (log) => log.info('token %s and %j', TOKEN, { t: TOKEN })],
    ['an Error as a printf argument', (log) => log.info({}, 'failed: %o', new Error(TOKEN))],
    ['a token in the message key of a plain object', (log) => log.warn({ msg: `x ${TOKEN}` })],
  ];

  test.each(shapes)('%s', (_what, write) => {
    const { log, lines } = capture();
    write(log);
    expect(lines().length).toBeGreaterThan(0);
    for (const line of lines()) expect(line).not.toContain(SECRET);
  });

  test('log.error(err) takes the redacted message as the line message', () => {
    const { log, records } = capture();
    log.error(new Error(`POST /bot${TOKEN}/sendMessage failed`));
    const r = records()[0]!;
    expect(r.msg).toBe('POST /bot<redacted>/sendMessage failed');
    expect(r.err.type).toBe('Error');
  });
});
