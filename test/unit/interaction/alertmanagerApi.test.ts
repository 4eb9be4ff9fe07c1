// The Alertmanager client against a small local HTTP server: what it sends, and how failures read
// (the Bearer token never appears in them).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertmanagerApi, AlertmanagerError, checkBearer, sanitizeDetail } from '../../../src/interaction/alertmanagerApi.js';

const BEARER = 'am-api-token.SECRET_9f8e7d';
let server: http.Server;
let url: string;
const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
let reply: (res: http.ServerResponse) => void = (res) => res.end('{}');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      reply(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/am/`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => (seen.length = 0));

test('POST /api/v2/silences under the URL path, exact matchers, the Bearer token', async () => {
  reply = (res) => res.end(JSON.stringify({ silenceID: 'abc-123' }));
  const api = new AlertmanagerApi(url, BEARER);
  const id = await api.createSilence({
    matchers: { alertname: 'Disk.*', severity: 'page' },
    startsAt: new Date('2025-01-01T00:00:00Z'),
    endsAt: new Date('2025-01-01T01:00:00Z'),
    createdBy: 'telegram:@olga',
    comment: 'c',
  });
  expect(id).toBe('abc-123');
  expect(seen[0]).toMatchObject({ method: 'POST', url: '/am/api/v2/silences', auth: `Bearer ${BEARER}` });
  expect(JSON.parse(seen[0]!.body)).toEqual({
    matchers: [
      { name: 'alertname', value: 'Disk.*', isRegex: false, isEqual: true },
      { name: 'severity', value: 'page', isRegex: false, isEqual: true },
    ],
    startsAt: '2025-01-01T00:00:00.000Z',
    endsAt: '2025-01-01T01:00:00.000Z',
    createdBy: 'telegram:@olga',
    comment: 'c',
  });
});

test("a 4xx keeps Alertmanager's words, cut and cleaned, never the token", async () => {
  reply = (res) => {
    res.statusCode = 400;
    res.end(JSON.stringify(`bad matcher\u0007\n${BEARER} ${'x'.repeat(400)}`));
  };
  const listed = new AlertmanagerApi(url, BEARER, undefined, undefined, true);
  const err = (await listed.expireSilence('s1').catch((e: unknown) => e)) as AlertmanagerError;
  expect(err).toBeInstanceOf(AlertmanagerError);
  expect(err.kind).toBe('Rejected');
  expect(err.message).toMatch(/^Alertmanager at 127\.0\.0\.1:\d+ refused to expire the silence \(400: bad matcher \*\*\* x+…\)$/);
  expect(err.message).not.toContain(BEARER);
  expect(err.message.length).toBeLessThan(260);
});

test('401 says to check authorizationSecretRef; an expired or unknown silence is NotFound; 5xx and no answer are Unreachable', async () => {
  reply = (res) => ((res.statusCode = 401), res.end('Unauthorized'));
  expect(await new AlertmanagerApi(url).status().catch((e: AlertmanagerError) => [e.kind, e.message])).toEqual([
    'Unauthorized',
    expect.stringContaining('check authorizationSecretRef'),
  ]);
  reply = (res) => ((res.statusCode = 500), res.end(JSON.stringify('silence abc already expired')));
  expect(await new AlertmanagerApi(url).expireSilence('abc').catch((e: AlertmanagerError) => e.kind)).toBe('NotFound');
  reply = (res) => ((res.statusCode = 502), res.end('<html>bad gateway</html>'));
  expect(await new AlertmanagerApi(url).status().catch((e: AlertmanagerError) => [e.kind, e.message])).toEqual([
    'Unreachable',
    expect.stringMatching(/^127\.0\.0\.1:\d+ is not reachable as an Alertmanager to read its status$/),
  ]);
  reply = (res) => res.end('not an alertmanager');
  expect(await new AlertmanagerApi(url).status().catch((e: AlertmanagerError) => e.message)).toMatch(/not as an Alertmanager/);
  const dead = new AlertmanagerApi('http://127.0.0.1:1', BEARER);
  const e = (await dead.status().catch((x: unknown) => x)) as AlertmanagerError;
  expect([e.kind, e.message]).toEqual(['Unreachable', 'cannot reach Alertmanager at 127.0.0.1:1 to read its status']);
  // The network's words are for the operator's log, not for whoever wrote the URL.
  expect(e.code).toBe('ECONNREFUSED');
});

test("an internal endpoint's error page is not repeated: only the log gets it", async () => {
  const internal = 'db password=hunter2 at 10.3.4.5:5432 (internal-billing)';
  for (const body of [internal, `<html>${internal}</html>`, JSON.stringify({ error: internal })]) {
    reply = (res) => ((res.statusCode = 500), res.end(body));
    const e = (await new AlertmanagerApi(url).status().catch((x: unknown) => x)) as AlertmanagerError;
    expect([e.kind, e.httpStatus]).toEqual(['Unreachable', 500]);
    expect(e.message).toMatch(/^127\.0\.0\.1:\d+ is not reachable as an Alertmanager to read its status$/);
    expect((e.cause as Error).message).toContain('hunter2');
  }
  // Alertmanager's own shape of an error (a JSON string) is its words: shown for a host the platform listed.
  reply = (res) => ((res.statusCode = 500), res.end(JSON.stringify('silences: storage full')));
  const e = (await new AlertmanagerApi(url, undefined, undefined, undefined, true).status().catch((x: unknown) => x)) as AlertmanagerError;
  expect(e.message).toMatch(/answered 500 when asked to read its status: silences: storage full$/);
});

test("a host nobody listed: an error in Alertmanager's shape decides the outcome, but its words go to the log only", async () => {
  // The API server's Status, most REST services' errors: {"message": …}, as Alertmanager's look.
  const internal = 'forbidden: User "system:anonymous" cannot get path "/api/v2/status"';
  reply = (res) => ((res.statusCode = 403), res.end(JSON.stringify({ message: internal })));
  const refused = (await new AlertmanagerApi(url).status().catch((x: unknown) => x)) as AlertmanagerError;
  expect([refused.kind, refused.message]).toEqual([
    'Unauthorized',
    expect.stringMatching(/^Alertmanager at 127\.0\.0\.1:\d+ refused to read its status \(403\); check authorizationSecretRef$/),
  ]);
  expect((refused.cause as Error).message).toContain('system:anonymous');
  reply = (res) => ((res.statusCode = 400), res.end(JSON.stringify({ message: internal })));
  const rejected = (await new AlertmanagerApi(url).expireSilence('s1').catch((x: unknown) => x)) as AlertmanagerError;
  expect([rejected.kind, rejected.message]).toEqual(['Rejected', expect.stringMatching(/refused to expire the silence \(400\)$/)]);
  // An expired silence is still recognised as gone.
  reply = (res) => ((res.statusCode = 500), res.end(JSON.stringify('silence abc already expired')));
  expect(await new AlertmanagerApi(url).expireSilence('abc').catch((x: AlertmanagerError) => [x.kind, x.message])).toEqual([
    'NotFound',
    'the silence is gone from Alertmanager already',
  ]);
});

test('an answer over the byte cap is not read: the socket is dropped and the call fails', async () => {
  let sent = 0;
  let closed!: () => void;
  const gone = new Promise<void>((r) => (closed = r));
  reply = (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    // Streams without end; stops once the client hangs up.
    const push = () => {
      while (res.write(chunk)) {
        sent += chunk.length;
        if (sent > 64 * 1024 * 1024) return res.end();
      }
      res.once('drain', push);
    };
    res.on('close', closed);
    push();
  };
  const e = (await new AlertmanagerApi(url, undefined, 10_000, 64 * 1024).status().catch((x: unknown) => x)) as AlertmanagerError;
  expect([e.kind, e.code]).toEqual(['Unreachable', 'tooLarge']);
  expect(e.message).toMatch(/^cannot reach Alertmanager at 127\.0\.0\.1:\d+ to read its status$/);
  await gone;
  expect(sent).toBeLessThan(8 * 1024 * 1024);
});

test('the deadline is wall-clock: an answer trickling a byte at a time still ends the call', async () => {
  const timers: NodeJS.Timeout[] = [];
  reply = (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // One byte every 20 ms keeps an idle timer from ever firing.
    const t = setInterval(() => res.write(' '), 20);
    timers.push(t);
    res.on('close', () => clearInterval(t));
  };
  const e = (await new AlertmanagerApi(url, undefined, 300).status().catch((x: unknown) => x)) as AlertmanagerError;
  timers.forEach(clearInterval);
  expect([e.kind, e.code]).toEqual(['Unreachable', 'timeout']);
  expect(e.message).not.toMatch(/timeout|ECONN/);
});

test('a Bearer token from a Secret is checked, and a bad one is described without its value', () => {
  expect(checkBearer('  tok.en-1~+/==\n', 'Secret ns/am key "token"')).toEqual({ ok: true, value: 'tok.en-1~+/==' });
  for (const bad of ['', 'has space inside', 'line1\nline2', 'é'.repeat(5), 'x'.repeat(5000)]) {
    const r = checkBearer(bad, 'Secret ns/am key "token"');
    expect(r.ok).toBe(false);
    if (!r.ok && bad.trim()) expect(r.message).not.toContain(bad.trim().slice(0, 8));
  }
  expect(sanitizeDetail('a\u202eb\r\nc\t d')).toBe('a b c d');
});
