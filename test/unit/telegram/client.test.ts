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
    expect(await client.getMe(TOKEN)).toMatchObject({ id: DEMO.bot.id, is_bot: true, username: 'ops_alerts_bot', first_name: 'Ops Alerts' });
    expect(observed).toEqual([['getMe', '200', expect.any(Number)]]);
  });

  test('getChat and getChatMember', async () => {
    expect(await client.getChat(TOKEN, DEMO.chats.forum)).toMatchObject({ id: DEMO.chats.forum, type: 'supergroup', title: 'Ops Forum', is_forum: true });
    expect(await client.getChat(TOKEN, '@ops_channel')).toMatchObject({ id: DEMO.chats.channel, type: 'channel', username: 'ops_channel' });
    expect(await client.getChatMember(TOKEN, DEMO.chats.channelNoPost, DEMO.bot.id)).toMatchObject({ status: 'administrator', can_post_messages: false });
    expect(await client.getChatMember(TOKEN, DEMO.chats.restrictedSupergroup, DEMO.bot.id)).toMatchObject({ status: 'restricted', can_send_messages: false });
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
    expect((await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.forum, text: 'x', message_thread_id: 9 }))).kind).toBe('ThreadNotFound');
    expect((await failure(client.sendMessage(TOKEN, { chat_id: DEMO.chats.ops, text: '<b>x', parse_mode: 'HTML' }))).kind).toBe('InvalidMarkup');
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
});

describe('through an HTTP proxy (HTTP_PROXY / NO_PROXY)', () => {
  /** A forwarding proxy that records the absolute URLs it is asked for (tokens redacted by the test). */
  async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
    const http = await import('node:http');
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const target = new URL(req.url ?? '');
      const upstream = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
  }

  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[k];
    Object.assign(process.env, saved);
  });

  test('Bot API calls go through the proxy named in HTTP_PROXY', async () => {
    const proxy = await startProxy();
    try {
      process.env.HTTP_PROXY = proxy.url;
      const viaProxy = new TelegramClient(base);
      const me = await viaProxy.getMe(TOKEN);
      expect(me.username).toBe(DEMO.bot.username);
      expect(proxy.seen).toHaveLength(1);
      expect(proxy.seen[0]).toBe(`${base}/bot${TOKEN}/getMe`);
    } finally {
      await proxy.close();
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
