// TelegramClient over real HTTP against the emulator: results parsed with zod, failures classified,
// and no failure (network, HTML, dropped socket) ever carries the token.
import net from 'node:net';
import { TelegramClient } from '../../../src/telegram/client.js';
import { TelegramError } from '../../../src/telegram/errors.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';

const TOKEN = DEMO.bot.token;
const SECRET = TOKEN.split(':')[1]!;

let emu: TelegramEmulator;
let base: string;
let observed: [string, string, number][];
let client: TelegramClient;

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario(), { limits: false, pollingQuirks: false, conflictDelayMs: 0 });
  base = await emu.start();
  observed = [];
  client = new TelegramClient(base, (m, o, s) => observed.push([m, o, s]));
});
afterEach(async () => {
  await emu.stop();
});

async function failure(p: Promise<unknown>): Promise<TelegramError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TelegramError);
    return e as TelegramError;
  }
  throw new Error('expected a TelegramError');
}

function expectNoToken(e: TelegramError): void {
  const all = `${e.message} ${e.description ?? ''} ${e.stack ?? ''} ${JSON.stringify(e)}`;
  expect(all).not.toContain(SECRET);
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('results', () => {
  test('getMe', async () => {
    expect(await client.getMe(TOKEN)).toMatchObject({
      id: DEMO.bot.id,
      is_bot: true,
      username: 'ops_alerts_bot',
      first_name: 'Ops Alerts',
    });
    expect(observed).toEqual([['getMe', '200', expect.any(Number)]]);
  });

  test('getChat and getChatMember', async () => {
    expect(await client.getChat(TOKEN, DEMO.chats.forum)).toMatchObject({
      id: DEMO.chats.forum,
      type: 'supergroup',
      title: 'Ops Forum',
      is_forum: true,
    });
    expect(await client.getChat(TOKEN, '@ops_channel')).toMatchObject({ id: DEMO.chats.channel, type: 'channel', username: 'ops_channel' });
    expect(await client.getChatMember(TOKEN, DEMO.chats.channelNoPost, DEMO.bot.id)).toMatchObject({
      status: 'administrator',
      can_post_messages: false,
    });
    expect(await client.getChatMember(TOKEN, DEMO.chats.restrictedSupergroup, DEMO.bot.id)).toMatchObject({
      status: 'restricted',
      can_send_messages: false,
    });
  });

  test('sendMessage and sendChatAction', async () => {
    const m = await client.sendMessage(TOKEN, { chat_id: DEMO.chats.ops, text: 'Disk full' });
    expect(m.chat.id).toBe(DEMO.chats.ops);
    expect(typeof m.message_id).toBe('number');
    expect(emu.messagesTo(DEMO.chats.ops)[0]?.text).toBe('Disk full');
    expect(await client.sendChatAction(TOKEN, DEMO.chats.group)).toBe(true);
  });

  test('getUpdates and getWebhookInfo', async () => {
    emu.addUpdate(TOKEN, { message: { message_id: 1, chat: { id: 1, type: 'private' }, date: 1 } });
    expect(await client.getUpdates(TOKEN, { timeout: 0 })).toHaveLength(1);
    expect(await client.getWebhookInfo(TOKEN)).toMatchObject({ url: '', pending_update_count: 1 });
  });
});

describe('classified failures', () => {
  test('unknown token: Unauthorized (401)', async () => {
    const e = await failure(client.getMe(DEMO.unknownToken));
    expect(e.kind).toBe('Unauthorized');
    expect(e.httpStatus).toBe(401);
    expect(e.method).toBe('getMe');
  });

  test('malformed token: Unauthorized (404)', async () => {
    const e = await failure(client.getMe('not-a-token'));
    expect(e.kind).toBe('Unauthorized');
    expect(e.httpStatus).toBe(404);
  });

  test.each([
    [-1009999999999, 'ChatNotFound'],
    [DEMO.chats.kickedSupergroup, 'BotKicked'],
    [DEMO.chats.privateNotMember, 'BotNotMember'],
  ])('getChat %s → %s', async (chat, kind) => {
    expect((await failure(client.getChat(TOKEN, chat))).kind).toBe(kind);
  });

  test('a migrated group: ChatMigrated with migrate_to_chat_id', async () => {
    const e = await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.legacyGroup, text: 'x' }));
    expect(e.kind).toBe('ChatMigrated');
    expect(e.migrateToChatId).toBe(DEMO.chats.upgradedTo);
  });

  test('restricted / read-only channel / thread / markup', async () => {
    expect((await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.restrictedSupergroup, text: 'x' }))).kind).toBe('CannotPost');
    expect((await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.channelNoPost, text: 'x' }))).kind).toBe('CannotPost');
    expect((await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.forum, text: 'x', message_thread_id: 9 }))).kind).toBe(
      'ThreadNotFound',
    );
    expect((await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.ops, text: '<b>x', parse_mode: 'HTML' }))).kind).toBe(
      'InvalidMarkup',
    );
  });

  test('429 with retry_after and the Retry-After header', async () => {
    emu.setLimits({ enabled: true, perChat: { capacity: 1, refill: 1, intervalMs: 60_000 }, perGroup: null, perBot: null });
    await client.sendMessage(TOKEN, { chat_id: DEMO.chats.ops, text: 'one' });
    const e = await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.ops, text: 'two' }));
    expect(e.kind).toBe('RateLimited');
    expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(e.transient).toBe(true);
  });

  test('a 409 while a webhook is set is a permanent rejection with the description kept', async () => {
    emu.setWebhook(TOKEN, 'https://hooks.example.com/x');
    const e = await failure(client.getUpdates(TOKEN, { timeout: 0 }));
    expect(e.httpStatus).toBe(409);
    expect(e.transient).toBe(false);
    expect(e.description).toMatch(/webhook is active/);
  });

  test('Telegram description text never carries the token back', async () => {
    const e = await failure(client.getChat(TOKEN, -1009999999999));
    expectNoToken(e);
  });
});

describe('unavailable', () => {
  test('an HTML 502 from the edge: Unavailable, not a parse crash', async () => {
    emu.setFaults({ status5xx: { count: 1, code: 502 } });
    const e = await failure(client.getMe(TOKEN));
    expect(e.kind).toBe('Unavailable');
    expect(e.httpStatus).toBe(502);
    expect(e.transient).toBe(true);
    expect(e.message).toMatch(/not JSON/);
    expectNoToken(e);
    expect(observed[0]?.[1]).toBe('502');
  });

  test('the JSON 500 "restart": Unavailable', async () => {
    emu.setFaults({ status5xx: { count: 1, code: 500 } });
    const e = await failure(client.getChat(TOKEN, DEMO.chats.ops));
    expect(e.kind).toBe('Unavailable');
    expect(e.httpStatus).toBe(500);
  });

  test('connection refused (a closed port): Unavailable without the token', async () => {
    const port = await closedPort();
    const c = new TelegramClient(`http://127.0.0.1:${port}`, (m, o, s) => observed.push([m, o, s]));
    const e = await failure(c.getMe(TOKEN));
    expect(e.kind).toBe('Unavailable');
    expect(e.message).toMatch(/ECONNREFUSED/);
    expectNoToken(e);
    expect(observed).toEqual([['getMe', 'network', expect.any(Number)]]);
  });

  test('a dropped connection: Unavailable without the token', async () => {
    emu.setFaults({ dropConnections: 1 });
    const e = await failure(client.getChat(TOKEN, DEMO.chats.ops));
    expect(e.kind).toBe('Unavailable');
    expectNoToken(e);
    // The next request goes through.
    expect((await client.getChat(TOKEN, DEMO.chats.ops)).id).toBe(DEMO.chats.ops);
  });

  test('a timeout: Unavailable, said as "timeout"', async () => {
    emu.setFaults({ latencyMs: 500 });
    const c = new TelegramClient(base, () => {}, 100);
    const e = await failure(c.getMe(TOKEN));
    expect(e.kind).toBe('Unavailable');
    expect(e.message).toMatch(/timeout/);
    expectNoToken(e);
    emu.clearFaults();
  });

  /** A server that answers 200 and then writes `chunk` every `everyMs` until the client hangs up. */
  async function streamingServer(chunk: Buffer, everyMs: number) {
    const http = await import('node:http');
    let written = 0;
    let hungUp!: () => void;
    const closed = new Promise<void>((r) => (hungUp = r));
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const t = setInterval(() => {
        res.write(chunk);
        written += chunk.length;
      }, everyMs);
      res.on('close', () => {
        clearInterval(t);
        hungUp();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      written: () => written,
      closed,
      close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    };
  }

  test('the deadline is wall-clock: an answer trickling a byte at a time ends the call as "timeout"', async () => {
    const slow = await streamingServer(Buffer.from(' '), 20);
    try {
      const e = await failure(new TelegramClient(slow.url, () => {}, 300).getMe(TOKEN));
      expect(e.kind).toBe('Unavailable');
      expect(e.message).toBe('cannot reach Telegram for getMe: timeout');
      expectNoToken(e);
      await slow.closed;
    } finally {
      await slow.close();
    }
  });

  test('an answer over the byte cap is not read further: the socket is dropped', async () => {
    const big = await streamingServer(Buffer.alloc(64 * 1024, 0x20), 1);
    try {
      const e = await failure(new TelegramClient(big.url, () => {}, 10_000, 256 * 1024).getMe(TOKEN));
      expect(e.message).toBe('cannot reach Telegram for getMe: answer too large');
      await big.closed;
      expect(big.written()).toBeLessThan(4 * 1024 * 1024);
    } finally {
      await big.close();
    }
  });
});

describe('through an HTTP proxy (HTTP_PROXY / NO_PROXY)', () => {
  /** A forwarding proxy that records the absolute URLs it is asked for (tokens redacted by the test). */
  async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
    const http = await import('node:http');
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const target = new URL(req.url ?? '');
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
  }

  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[k];
    Object.assign(process.env, saved);
  });

  test('a plain http:// Bot API with HTTP_PROXY is refused up front: the token would cross the proxy in clear', async () => {
    const proxy = await startProxy();
    try {
      process.env.HTTP_PROXY = 'http://proxyuser:proxypass@127.0.0.1:' + new URL(proxy.url).port;
      let error: Error | undefined;
      try {
        new TelegramClient(base.replace('http://', 'http://apiuser:apipass@'));
      } catch (e) {
        error = e as Error;
      }
      expect(error?.name).toBe('PlainHttpProxyError');
      expect(error?.message).toMatch(/plain http:\/\/.*Use an https:\/\/ URL, or add 127\.0\.0\.1 to NO_PROXY/);
      expect(error?.message).not.toMatch(/proxypass|apipass/);
      expect(proxy.seen).toHaveLength(0);
    } finally {
      await proxy.close();
    }
  });

  test('an https:// Bot API goes through a CONNECT tunnel: the proxy never sees the token', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const tls = await import('node:tls');
    // TLS in front of the emulator, with a throwaway self-signed certificate.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    // (localhost too: the proxy agent checks the certificate against "localhost" when the host is an IP.)
    const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];
    const files = ['-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', ...subject, '-days', '1', ...files], { stdio: 'ignore' });
    const emuPort = Number(new URL(base).port);
    const certificate = { key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) };
    const front = tls.createServer(certificate, (s) => s.pipe(net.connect(emuPort, '127.0.0.1')).pipe(s));
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const tlsPort = (front.address() as net.AddressInfo).port;
    // A CONNECT proxy that records every byte the client sends it.
    const received: Buffer[] = [];
    const sockets: net.Socket[] = [];
    const proxy = net.createServer((client) => {
      sockets.push(client);
      client.once('data', (head: Buffer) => {
        received.push(head);
        const [, target] = /^CONNECT (\S+) HTTP/.exec(head.toString()) ?? [];
        const [host, port] = (target ?? '').split(':');
        const upstream = net.connect(Number(port), host, () => client.write('HTTP/1.1 200 Connection established\r\n\r\n'));
        sockets.push(upstream);
        client.on('data', (d: Buffer) => received.push(d));
        client.pipe(upstream).pipe(client);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const defaultCAs = tls.getCACertificates('default');
    try {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
      tls.setDefaultCACertificates([...defaultCAs, readFileSync(`${dir}/cert.pem`, 'utf8')]); // trust the throwaway certificate
      const viaProxy = new TelegramClient(`https://127.0.0.1:${tlsPort}`);
      expect((await viaProxy.getMe(TOKEN)).username).toBe(DEMO.bot.username);
      const seen = Buffer.concat(received).toString('latin1');
      expect(seen.startsWith(`CONNECT 127.0.0.1:${tlsPort} HTTP/1.1`)).toBe(true);
      expect(seen).not.toContain(SECRET);
      expect(seen).not.toContain('getMe');
    } finally {
      tls.setDefaultCACertificates(defaultCAs);
      delete process.env.HTTPS_PROXY;
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => proxy.close(r));
      await new Promise((r) => front.close(r));
    }
  });

  test('NO_PROXY keeps the Bot API off the proxy', async () => {
    const proxy = await startProxy();
    try {
      process.env.HTTP_PROXY = proxy.url;
      process.env.NO_PROXY = '127.0.0.1';
      const direct = new TelegramClient(base);
      await direct.getMe(TOKEN);
      expect(proxy.seen).toHaveLength(0);
    } finally {
      await proxy.close();
    }
  });
});
