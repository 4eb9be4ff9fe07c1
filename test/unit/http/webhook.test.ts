// The webhook and leader forwarding in one process, over real HTTP on 127.0.0.1: a leader and a
// follower built from webhookRoutes with fake channels, Secrets and sender (no cluster needed).
// The cluster-level versions of these cases are in test/integration/webhook-forwarding.test.ts.
import http from 'node:http';
import type { TelegramChannel } from '../../../src/api/types.js';
import { ChannelResolver } from '../../../src/credentials/resolver.js';
import { SecretUnavailable, type SecretReader, type SecretValue } from '../../../src/credentials/secrets.js';
import type { OutgoingMessage, Sender } from '../../../src/delivery/sender.js';
import { UNAUTHORIZED_MESSAGE } from '../../../src/http/webhookAuth.js';
import { recordingServer } from '../../harness/recordingServer.js';
import { startReplica } from './webhookReplica.js';

const TOKEN = 'webhook-token-for-unit-tests';
const NS = 'team';
const ready = {
  observedGeneration: 1,
  conditions: [
    { type: 'Ready', status: 'True', reason: 'Verified', message: '', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z' },
  ],
};
const channel = (name: string, spec: Record<string, unknown>, generation = 1) =>
  ({
    metadata: { name, namespace: NS, generation },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-100123', ...spec },
    status: ready,
  }) as unknown as TelegramChannel;
const channels: Record<string, TelegramChannel> = {
  am: channel('am', { alertmanager: { tokenSecretRef: { name: 'am' } } }),
  off: channel('off', {}),
  nosecret: channel('nosecret', { alertmanager: { tokenSecretRef: { name: 'missing' } } }),
  nokey: channel('nokey', { alertmanager: { tokenSecretRef: { name: 'am', key: 'other' } } }),
  busy: channel('busy', { alertmanager: { tokenSecretRef: { name: 'busy' } } }),
  // Ready was written for generation 1; the spec has changed since (generation 2) and is not verified yet.
  changed: channel('changed', { alertmanager: { tokenSecretRef: { name: 'am' } } }, 2),
  // Ready, but its bot token Secret was deleted since.
  botgone: channel('botgone', { tokenSecretRef: { name: 'deleted' }, alertmanager: { tokenSecretRef: { name: 'am' } } }),
};
/** A second team, with a channel of the same name and the same token, for the budget's shares. */
const NS_B = 'team-b';
const channelOfB: TelegramChannel = { ...channels.am!, metadata: { ...channels.am!.metadata, namespace: NS_B } };
const BOT_TOKEN = '123456789:AAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
let secretReads = 0;
const secrets = {
  read: async (_ns: string, name: string, key: string): Promise<SecretValue> => {
    secretReads++;
    if (name === 'busy') throw new SecretUnavailable('reading Secret ns/busy: 500 etcdserver: request timed out');
    if (name === 'bot' && key === 'token') return { ok: true, value: ` ${BOT_TOKEN}\n` };
    if (name !== 'am') return { ok: false, reason: 'SecretNotFound', message: 'not found' };
    if (key !== 'token') return { ok: false, reason: 'SecretKeyNotFound', message: 'no key' };
    return { ok: true, value: `${TOKEN}\n` };
  },
} as unknown as SecretReader;

const sent: OutgoingMessage[] = [];
let sendDelayMs = 0;
const sender = {
  send: async (m: OutgoingMessage) => {
    if (sendDelayMs) await new Promise((r) => setTimeout(r, sendDelayMs));
    sent.push(m);
    return { messageIds: m.parts.map((_, i) => 100 + i) };
  },
} as unknown as Sender;

const servers: http.Server[] = [];
type ReplicaOptions = Omit<Parameters<typeof startReplica>[0], 'sender' | 'secrets' | 'getChannel'>;
async function replica(opts: ReplicaOptions) {
  const { url, server } = await startReplica({
    sender,
    secrets,
    getChannel: (ns, name) => (ns === NS ? channels[name] : ns === NS_B && name === 'am' ? channelOfB : undefined),
    resolver: {
      resolve: async (_namespace, spec) => ({
        ok: true,
        channel: { spec: { ...spec, parseMode: 'None', linkPreview: false }, token: '1:bot', chatId: '-100123' },
      }),
    },
    ...opts,
  });
  servers.push(server);
  return url;
}

/** A plain HTTP server that records what reaches it and answers as `answer` says. */
async function recorder(answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const recording = await recordingServer(answer);
  servers.push(recording.server);
  return recording;
}

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
beforeEach(() => {
  sent.length = 0;
  sendDelayMs = 0;
});

const payload = (alertname: string) =>
  JSON.stringify({
    version: '4',
    groupKey: `g-${alertname}`,
    status: 'firing',
    receiver: 'r',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts: [
      { status: 'firing', labels: { alertname }, annotations: {}, startsAt: '2026-01-01T00:00:00Z', endsAt: '', fingerprint: alertname },
    ],
  });
const post = (base: string, name: string, body: string, token: string | null = TOKEN, namespace = NS) =>
  fetch(`${base}/webhooks/alertmanager/${namespace}/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
    body,
  });
const delivered = (alertname: string) => sent.filter((m) => m.parts.join('').includes(alertname)).length;

describe('before any body is read', () => {
  test('unknown channel, not opted in, Secret missing, key missing, wrong or no token: one byte-identical 401', async () => {
    const leader = await replica({ leader: true });
    const answers = await Promise.all([
      post(leader, 'nope', payload('A')),
      post(leader, 'off', payload('A')),
      post(leader, 'nosecret', payload('A')),
      post(leader, 'nokey', payload('A')),
      post(leader, 'am', payload('A'), 'wrong'),
      post(leader, 'am', payload('A'), null),
    ]);
    const shapes = await Promise.all(
      answers.map(async (r) => ({
        status: r.status,
        body: await r.text(),
        type: r.headers.get('content-type'),
        auth: r.headers.get('www-authenticate'),
        length: r.headers.get('content-length'),
      })),
    );
    const body = JSON.stringify({ error: UNAUTHORIZED_MESSAGE });
    expect(shapes[0]).toEqual({ status: 401, body, type: 'application/json', auth: 'Bearer', length: expect.any(String) });
    for (const s of shapes) expect(s).toEqual(shapes[0]);
    expect(sent).toHaveLength(0);
  });

  test('without a bearer token the request is refused before the Secret is read: an anonymous flood costs no API read', async () => {
    const leader = await replica({ leader: true });
    secretReads = 0;
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(leader, 'nosecret', payload('A'), null)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(secretReads).toBe(0);
  });

  test('a Secret that cannot be read now (apiserver busy) is a 503 that asks for a retry, not a 401', async () => {
    const leader = await replica({ leader: true });
    const r = await post(leader, 'busy', payload('A'));
    expect([r.status, r.headers.get('retry-after'), await r.json()]).toEqual([
      503,
      '5',
      { error: 'cannot check the token right now; retry' },
    ]);
    expect(sent).toHaveLength(0);
  });

  test('a large unauthenticated upload is answered 401 before its body is sent', async () => {
    const leader = await replica({ leader: true });
    const { port } = new URL(leader);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/webhooks/alertmanager/${NS}/am`,
        headers: { 'Content-Length': 4 * 1024 * 1024, Authorization: 'Bearer wrong' },
      });
      req.on('response', (res) => resolve(res.statusCode!));
      req.on('error', reject);
      req.write('x'.repeat(1024)); // 1 KiB of 4 MiB: the rest never comes
    });
    expect(status).toBe(401);
  });

  test('a declared body over the limit is 413 without authentication or reading', async () => {
    const leader = await replica({ leader: true, maxBodyBytes: 2048 });
    const r = await post(leader, 'am', 'x'.repeat(4096), 'wrong');
    expect(r.status).toBe(413);
  });

  test('beyond the body budget: 503 + Retry-After without reading; the budget comes back after the answer', async () => {
    const leader = await replica({ leader: true, maxConcurrent: 1, maxBodyBytes: 64 * 1024 });
    const { port } = new URL(leader);
    // One authenticated request of the maximum size holds the whole budget once it has sent all but a few bytes.
    const holder = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/webhooks/alertmanager/${NS}/am`,
      headers: { 'Content-Length': 64 * 1024, Authorization: `Bearer ${TOKEN}` },
    });
    const holderAnswer = new Promise<number>((resolve) => holder.on('response', (res) => resolve(res.statusCode!)));
    holder.on('error', () => undefined);
    holder.write('{' + ' '.repeat(64 * 1024 - 2));
    await new Promise((r) => setTimeout(r, 200));
    const refused = await post(leader, 'am', payload('Busy'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    holder.end(' ');
    expect(await holderAnswer).toBe(400); // "{" and spaces: not JSON, but it was read
    const ok = await post(leader, 'am', payload('AfterBusy'));
    expect(ok.status).toBe(200);
    expect(delivered('AfterBusy')).toBe(1);
  });

  test("one namespace's trickling uploads hold only what they sent, and never more than its share: another namespace still delivers", async () => {
    // 4 maximum bodies of 64 KiB: 256 KiB in all, 64 KiB for one namespace.
    const leader = await replica({ leader: true, maxConcurrent: 4, maxBodyBytes: 64 * 1024 });
    const { port } = new URL(leader);
    const upload = (first: string) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/webhooks/alertmanager/${NS}/am`,
        headers: { 'Transfer-Encoding': 'chunked', Authorization: `Bearer ${TOKEN}` },
      });
      const answered = new Promise<number>((resolve) => req.on('response', (res) => resolve(res.statusCode!)));
      req.on('error', () => undefined);
      req.write(first);
      return { req, answered };
    };
    // Four chunked uploads that have sent one byte each: they hold 4 bytes, not 4 maximum bodies.
    const trickles = [1, 2, 3, 4].map(() => upload('{'));
    await new Promise((r) => setTimeout(r, 200));
    const b = await post(leader, 'am', payload('TeamB'), TOKEN, NS_B);
    expect(b.status).toBe(200);
    expect(delivered('TeamB')).toBe(1);
    // The same namespace sending fast: past its share of 64 KiB the read stops with 503, body dropped.
    const big = upload(' '.repeat(40 * 1024));
    const bigger = upload(' '.repeat(40 * 1024));
    const refused = await Promise.race([big.answered, bigger.answered]);
    expect(refused).toBe(503);
    // And the other namespace is not touched by it.
    expect((await post(leader, 'am', payload('TeamBAgain'), TOKEN, NS_B)).status).toBe(200);
    for (const t of [...trickles, big, bigger]) t.req.destroy();
  });

  test('small requests count by their size: 40 small notifications at once all go through a budget of one maximum body', async () => {
    const leader = await replica({ leader: true, maxConcurrent: 1 });
    sendDelayMs = 200;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(leader, 'am', payload(`Small${i}`))));
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
  });
});

describe('which channels the leader sends to', () => {
  test('the token and chat id come from the Secrets through the resolver: no reconcile by this replica needed', async () => {
    const leader = await replica({ leader: true, resolver: new ChannelResolver(secrets) });
    const r = await post(leader, 'am', payload('FromSecrets'));
    expect(r.status).toBe(200);
    expect(sent.map((m) => [m.token, m.chatId])).toEqual([[BOT_TOKEN, '-100123']]);
  });

  test('Ready written for an older generation (a spec change not verified yet): 503, nothing sent', async () => {
    const leader = await replica({ leader: true, resolver: new ChannelResolver(secrets) });
    const r = await post(leader, 'changed', payload('Changed'));
    expect([r.status, r.headers.get('retry-after')]).toEqual([503, '60']);
    expect(await r.json()).toEqual({
      error: 'channel is not Ready (its spec changed (generation 2) and is not verified yet); Alertmanager will retry',
    });
    expect(sent).toHaveLength(0);
  });

  test('Ready, but the bot token Secret is gone since: 503 naming the reason, nothing sent', async () => {
    const leader = await replica({ leader: true, resolver: new ChannelResolver(secrets) });
    const r = await post(leader, 'botgone', payload('Gone'));
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toBe('channel is not Ready (SecretNotFound: not found); Alertmanager will retry');
    expect(sent).toHaveLength(0);
  });
});

describe('leader forwarding', () => {
  test('a follower hands the notification to the genuine leader: delivered once, the answer relayed', async () => {
    const leader = await replica({ leader: true });
    const follower = await replica({ leader: false, leaderEndpoint: () => leader });
    const r = await post(follower, 'am', payload('ViaFollower'));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'delivered', messages: 1 });
    expect(delivered('ViaFollower')).toBe(1);
    // The follower authenticates too: a wrong token never reaches the leader.
    expect((await post(follower, 'am', payload('WrongToken'), 'wrong')).status).toBe(401);
    expect(delivered('WrongToken')).toBe(0);
  });

  test('a forged endpoint receives a challenge only: no bearer, no alert; the follower answers 503', async () => {
    const fake = await recorder((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"delivered"}'));
    const follower = await replica({ leader: false, leaderEndpoint: () => fake.url });
    const r = await post(follower, 'am', payload('ForgedLease'));
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(fake.seen.map((s) => s.url)).toEqual([`/forward/v1/alertmanager/${NS}/am/challenge`]);
    const everything = JSON.stringify(fake.seen);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('ForgedLease');
    expect(fake.seen[0]!.headers.authorization).toBeUndefined();
  });

  test('a man in the middle relaying to the genuine leader fails the challenge: nothing reaches it but the challenge', async () => {
    const leader = await replica({ leader: true });
    const mitm = await recorder((req, res, body) => {
      const headers = req.headers as Record<string, string>;
      const relayed = fetch(`${leader}${req.url}`, { method: 'POST', headers, body: body || undefined });
      void relayed.then(async (a) => {
        const hopByHop = ['content-length', 'transfer-encoding', 'connection'];
        res.writeHead(a.status, Object.fromEntries([...a.headers].filter(([k]) => !hopByHop.includes(k)))).end(await a.text());
      });
    });
    const follower = await replica({ leader: false, leaderEndpoint: () => mitm.url });
    const r = await post(follower, 'am', payload('RelayedByMitm'));
    expect(r.status).toBe(503);
    expect(mitm.seen.map((s) => s.url)).toEqual([`/forward/v1/alertmanager/${NS}/am/challenge`]);
    expect(delivered('RelayedByMitm')).toBe(0);
  });

  test('data:, file: and other non-http endpoints are never used', async () => {
    const schemes = ['data:application/json,', 'file:///etc/passwd', 'https://127.0.0.1:1'];
    const notBare = ['http://user:pw@127.0.0.1:1', 'http://127.0.0.1:1/path', 'http://127.0.0.1:1/?q', 'not a url', ''];
    for (const endpoint of [...schemes, ...notBare]) {
      const follower = await replica({ leader: false, leaderEndpoint: () => endpoint });
      const r = await post(follower, 'am', payload('BadEndpoint'));
      expect([endpoint, r.status]).toEqual([endpoint, 503]);
    }
    expect(delivered('BadEndpoint')).toBe(0);
  });

  test('a redirect is not followed', async () => {
    const leader = await replica({ leader: true });
    const redirector = await recorder((req, res) => res.writeHead(307, { Location: `${leader}${req.url}` }).end());
    const follower = await replica({ leader: false, leaderEndpoint: () => redirector.url });
    const r = await post(follower, 'am', payload('Redirected'));
    expect(r.status).toBe(503);
    expect(redirector.seen).toHaveLength(1);
    expect(delivered('Redirected')).toBe(0);
  });

  test("the forwarding endpoints refuse requests without this leader's nonce before reading a body", async () => {
    const leader = await replica({ leader: true });
    const forged = { 'x-telegram-operator-nonce': 'a'.repeat(64), 'x-telegram-operator-proof': 'b'.repeat(64) };
    const r = await fetch(`${leader}/forward/v1/alertmanager/${NS}/am/notification`, {
      method: 'POST',
      headers: forged,
      body: payload('NoNonce'),
    });
    expect(r.status).toBe(401);
    const c = await fetch(`${leader}/forward/v1/alertmanager/${NS}/am/challenge`, { method: 'POST', headers: forged });
    expect(c.status).toBe(401);
    expect(await c.text()).toBe(JSON.stringify({ error: UNAUTHORIZED_MESSAGE }));
    expect(delivered('NoNonce')).toBe(0);
  });
});

test('a slow upload (slow loris) is cut after the request timeout', async () => {
  const leader = await replica({ leader: true, requestTimeoutMs: 1_000 });
  const { port } = new URL(leader);
  // The drip alone would go on forever: only the server's request timeout can end this exchange.
  const ended = await new Promise<string>((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/webhooks/alertmanager/${NS}/am`,
      headers: { 'Content-Length': 10_000, Authorization: `Bearer ${TOKEN}` },
    });
    const drip = setInterval(() => req.write('x'), 200);
    req.on('response', (res) => {
      clearInterval(drip);
      resolve(`status ${res.statusCode}`);
    });
    req.on('error', () => {
      clearInterval(drip);
      resolve('connection closed');
    });
  });
  expect(['status 408', 'connection closed']).toContain(ended);
});
