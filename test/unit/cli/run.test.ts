// The whole CLI in-process (run(argv, io)) against the Telegram emulator: real HTTP, no spawning.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runChats, DISCOVERY_PARAMS } from '../../../src/cli/chatsCommand.js';
import { CliFailure } from '../../../src/cli/io.js';
import { run } from '../../../src/cli/run.js';
import { TelegramClient } from '../../../src/telegram/client.js';
import { classifyFailure } from '../../../src/telegram/errors.js';
import { DEMO, demoScenario, type Update } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';
import { fakeIo } from './fakeIo.js';

const TOKEN = DEMO.bot.token;
const SECRET_PART = TOKEN.split(':')[1]!;
const botUser = { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts', username: 'ops_alerts_bot' };
const ann = { id: DEMO.users.ann, is_bot: false, first_name: 'Ann' };

let emu: TelegramEmulator;
let base: string;
let dir: string;
let tokenFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tgc-cli-'));
  tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`); // the trailing newline of `echo` is trimmed
});

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario(), { limits: false, pollingQuirks: false, conflictDelayMs: 0 });
  base = await emu.start();
});
afterEach(async () => {
  await emu.stop();
});

const env = () => ({ TELEGRAM_API_URL: base });
const calls = (method: string) => emu.requests.filter((r) => r.method === method);

function addedTo(chat: object, status = 'member'): Omit<Update, 'update_id'> {
  return {
    my_chat_member: {
      chat,
      from: ann,
      date: 1731694471,
      old_chat_member: { user: botUser, status: 'left' },
      new_chat_member: { user: botUser, status },
    },
  };
}

function seedUpdates(): void {
  emu.addUpdate(TOKEN, addedTo({ id: DEMO.chats.ops, title: 'Ops', type: 'supergroup' }, 'administrator'));
  emu.addUpdate(TOKEN, {
    message: {
      message_id: 1,
      chat: { id: DEMO.chats.legacyGroup, title: 'Legacy Ops', type: 'group' },
      from: ann,
      date: 1,
      migrate_to_chat_id: DEMO.chats.upgradedTo,
    },
  });
  emu.addUpdate(TOKEN, {
    channel_post: {
      message_id: 2,
      chat: { id: DEMO.chats.channel, title: 'Ops Channel', username: 'ops_channel', type: 'channel' },
      date: 2,
      text: 'x',
    },
  });
}

describe('chats', () => {
  test('lists each chat once with its signed id, and leaves every update pending', async () => {
    seedUpdates();
    const before = emu.pendingUpdates(TOKEN);
    const io = fakeIo({ env: env() });
    expect(await run(['chats', '--token-file', tokenFile], io)).toBe(0);
    const out = io.outText();
    expect(out).toMatch(/^-1001000000001\s+supergroup\s+Ops\s+bot added \(administrator\)/m);
    expect(out).toMatch(/^-1001000000004\s+supergroup\s+Legacy Ops\s+migration\s+was basic group -400000001/m);
    expect(out).toMatch(/^-400000001\s+group\s+Legacy Ops.*upgraded to a supergroup: use -1001000000004/m);
    expect(out).toMatch(/^-1001000000007\s+channel\s+Ops Channel \(@ops_channel\)\s+channel post/m);
    expect(out).toContain('7000000001:****');

    // Nothing was confirmed: the user's own bot still gets all three updates.
    expect(emu.pendingUpdates(TOKEN)).toEqual(before);
    const polls = calls('getUpdates');
    expect(polls).toHaveLength(1);
    expect(polls[0]!.params).not.toHaveProperty('offset');
    expect(polls[0]!.params).not.toHaveProperty('allowed_updates');
    expect(polls[0]!.params).toMatchObject({ timeout: 0 });
    expect(io.all()).not.toContain(SECRET_PART);
  });

  test('the discovery call itself carries no offset and no long poll', () => {
    expect(DISCOVERY_PARAMS).toEqual({ limit: 100, timeout: 0 });
  });

  test('-o json, token from standard input', async () => {
    seedUpdates();
    const io = fakeIo({ env: env(), stdin: `  ${TOKEN}\n` });
    expect(await run(['chats', '-o', 'json'], io)).toBe(0);
    const parsed = JSON.parse(io.outText()) as {
      bot: { username: string };
      updates: number;
      truncated: boolean;
      chats: { id: string; upgradedTo?: string }[];
    };
    expect(parsed.bot.username).toBe('ops_alerts_bot');
    expect(parsed.updates).toBe(3);
    expect(parsed.truncated).toBe(false);
    expect(parsed.chats.map((c) => c.id)).toEqual(['-1001000000007', '-1001000000004', '-1001000000001', '-400000001']);
    expect(parsed.chats[3]!.upgradedTo).toBe('-1001000000004');
  });

  test('empty: explains how to make the chat appear (re-add, message, privacy mode, 24 h)', async () => {
    const io = fakeIo({ env: env(), stdin: TOKEN });
    expect(await run(['chats', '-'], io)).toBe(0);
    const out = io.outText();
    expect(out).toMatch(/No chats found/);
    expect(out).toMatch(/remove the bot and add it again/);
    expect(out).toMatch(/post in the channel/);
    expect(out).toMatch(/Privacy mode/);
    expect(out).toMatch(/my_chat_member/);
    expect(out).toMatch(/24 hours/);
    // The operator may be the one consuming this bot's updates: where it records the chats instead.
    expect(out).toMatch(/operator\n?.*consumes them/s);
    expect(out).toContain(`kubectl -n telegram-system get configmap telegram-bot-${TOKEN.split(':')[0]}-chats -o yaml`);
  });

  test('webhook set: 409 explained with the webhook host only, exit 1', async () => {
    emu.setWebhook(TOKEN, `https://hooks.example.com:8443/telegram/${TOKEN}?secret=s3cr3t`);
    const io = fakeIo({ env: env(), stdin: TOKEN });
    expect(await run(['chats', '-'], io)).toBe(1);
    const err = io.errText();
    expect(err).toMatch(/webhook/);
    expect(err).toMatch(/getUpdates/);
    expect(err).toContain('https://hooks.example.com:8443');
    expect(err).not.toContain('s3cr3t');
    expect(err).not.toContain('/telegram/');
    expect(err).toMatch(/operator needs getUpdates only for the buttons/);
    expect(err).toContain(`get configmap telegram-bot-${TOKEN.split(':')[0]}-chats`);
    expect(io.all()).not.toContain(SECRET_PART);
    expect(calls('getWebhookInfo')).toHaveLength(1);
  });

  test('another poller (409 terminated by other getUpdates): said in plain words', async () => {
    class Conflicted extends TelegramClient {
      override getUpdates(): Promise<unknown[]> {
        return Promise.reject(
          classifyFailure({
            method: 'getUpdates',
            httpStatus: 409,
            description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
          }),
        );
      }
    }
    const io = fakeIo({ env: env(), stdin: TOKEN });
    const cmd = { kind: 'chats' as const, token: { stdin: true }, output: 'table' as const, printManifest: false };
    const failure = await runChats(cmd, io, new Conflicted(base)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(CliFailure);
    expect((failure as CliFailure).exitCode).toBe(1);
    expect((failure as CliFailure).message).toMatch(/another program is polling/);
    expect((failure as CliFailure).message).toMatch(/only one poller/);
    expect((failure as CliFailure).message).toMatch(/may be the operator itself.*\n.*consumes them/s);
    expect((failure as CliFailure).message).toContain('-chats -o yaml');
  });

  test.each([
    ['unknown token (401)', DEMO.unknownToken],
    ['revoked token (401)', 'revoked'],
  ])('%s: wrong or revoked, exit 1, token masked', async (_what, which) => {
    let token = which;
    if (which === 'revoked') {
      emu.revokeToken(TOKEN);
      token = TOKEN;
    }
    const io = fakeIo({ env: env(), stdin: token });
    expect(await run(['chats', '-'], io)).toBe(1);
    expect(io.errText()).toMatch(/rejected the token \d+:\*\*\*\* \(401\).*wrong.*revoked/s);
    expect(io.all()).not.toContain(token.split(':')[1]!);
    expect(calls('getUpdates')).toHaveLength(0);
  });

  test('a wrong TELEGRAM_API_URL (404) is named as a possible cause', async () => {
    const io = fakeIo({ env: { TELEGRAM_API_URL: `${base}/not-the-bot-api` }, stdin: TOKEN });
    expect(await run(['chats', '-'], io)).toBe(1);
    expect(io.errText()).toMatch(/\(404\)/);
    expect(io.errText()).toMatch(/TELEGRAM_API_URL is .*not-the-bot-api/);
  });

  test('Telegram down: exit 3 (transient)', async () => {
    emu.setFaults({ status5xx: { count: 5, code: 502 } });
    const io = fakeIo({ env: env(), stdin: TOKEN });
    expect(await run(['chats', '-'], io)).toBe(3);
    expect(io.errText()).toMatch(/not reachable|502/);
  });

  test('--chat prints a Secret (placeholder) + TelegramChannel manifest', async () => {
    seedUpdates();
    const io = fakeIo({ env: env(), stdin: TOKEN });
    expect(await run(['chats', '-', '--chat', '-1001000000007', '-n', 'monitoring'], io)).toBe(0);
    const yaml = io.outText();
    expect(yaml).toContain('kind: Secret');
    expect(yaml).toContain('token: "<paste your token>"');
    expect(yaml).toMatch(/^# .*NOT your token/m);
    expect(yaml).toContain('kind: TelegramChannel');
    expect(yaml).toContain('name: ops-channel');
    expect(yaml).toContain('namespace: monitoring');
    expect(yaml).toContain('chatId: "-1001000000007"');
    expect(yaml).not.toContain(SECRET_PART);
    expect(emu.pendingUpdates(TOKEN)).toHaveLength(3);
  });

  test('--chat with the old id of an upgraded group uses the new id, with a note', async () => {
    seedUpdates();
    const io = fakeIo({ env: env(), stdin: TOKEN });
    expect(await run(['chats', '-', '--chat', String(DEMO.chats.legacyGroup), '--name', 'legacy', '-o', 'json'], io)).toBe(0);
    const list = JSON.parse(io.outText()) as {
      kind: string;
      items: { kind: string; metadata: { name: string }; spec?: { chatId: string } }[];
    };
    expect(list.kind).toBe('List');
    expect(list.items[1]).toMatchObject({ kind: 'TelegramChannel', metadata: { name: 'legacy' }, spec: { chatId: '-1001000000004' } });
    expect(io.errText()).toMatch(/upgraded/);
  });

  test('--print-manifest with several chats asks to choose (exit 2); with none, explains (exit 1)', async () => {
    seedUpdates();
    const io = fakeIo({ env: env(), stdin: TOKEN });
    expect(await run(['chats', '-', '--print-manifest'], io)).toBe(2);
    expect(io.errText()).toMatch(/choose one with --chat/);
    const io2 = fakeIo({ env: env(), stdin: DEMO.otherBot.token });
    expect(await run(['chats', '-', '--print-manifest'], io2)).toBe(1);
    expect(io2.errText()).toMatch(/No chats found/);
  });

  test('token from a Secret: read through the injected reader, manifest references it', async () => {
    seedUpdates();
    const reads: unknown[] = [];
    const io = fakeIo({
      env: env(),
      readSecret: async (namespace, name, key) => {
        reads.push([namespace, name, key]);
        return { namespace: namespace ?? 'default', value: `${TOKEN}\n` };
      },
    });
    expect(await run(['chats', '--secret', 'monitoring/telegram-bot:botToken', '--chat', '-1001000000001'], io)).toBe(0);
    expect(reads).toEqual([['monitoring', 'telegram-bot', 'botToken']]);
    expect(io.outText()).not.toContain('kind: Secret');
    expect(io.outText()).toMatch(/tokenSecretRef:\n\s+name: telegram-bot\n\s+key: botToken/);
    expect(io.outText()).toContain('namespace: monitoring');
  });
});

describe('token input', () => {
  test('no source and a terminal on stdin: usage error naming the three ways, exit 2', async () => {
    const io = fakeIo({ env: env(), tty: true });
    expect(await run(['chats'], io)).toBe(2);
    expect(io.errText()).toMatch(/--token-file/);
    expect(io.errText()).toMatch(/standard input/);
    expect(io.errText()).toMatch(/--secret/);
    expect(emu.requests).toHaveLength(0);
  });

  test('stdin that is not a terminal is read without "-"', async () => {
    const io = fakeIo({ env: env(), stdin: TOKEN, tty: false });
    expect(await run(['chats'], io)).toBe(0);
  });

  test('a missing token file: exit 1, no Telegram call', async () => {
    const io = fakeIo({ env: env() });
    expect(await run(['chats', '--token-file', path.join(dir, 'nope')], io)).toBe(1);
    expect(io.errText()).toMatch(/does not exist/);
    expect(emu.requests).toHaveLength(0);
  });

  test.each([
    ['bot-prefixed', `bot${TOKEN}`, /starts with "bot"/],
    ['empty', '\n', /empty/],
    ['garbage', 'hello', /not a bot token/],
  ])('an invalid token (%s) is refused before any call, exit 1', async (_what, value, message) => {
    const io = fakeIo({ env: env(), stdin: value });
    expect(await run(['chats', '-'], io)).toBe(1);
    expect(io.errText()).toMatch(message);
    expect(emu.requests).toHaveLength(0);
    expect(io.all()).not.toContain(SECRET_PART);
  });

  test('--token is refused with the reason, exit 2, and the value is not echoed', async () => {
    const io = fakeIo({ env: env() });
    expect(await run(['check', '--token', TOKEN, '--chat', '-1'], io)).toBe(2);
    expect(io.errText()).toMatch(/never accepted as a command-line argument.*shell history/s);
    expect(io.all()).not.toContain(SECRET_PART);
  });
});

describe('check', () => {
  const check = async (chat: string | number, ...extra: string[]) => {
    const io = fakeIo({ env: env() });
    const code = await run(['check', '--token-file', tokenFile, '--chat', String(chat), ...extra], io);
    return { code, io, out: io.outText() };
  };

  test('Verified: exit 0 with ✔ lines', async () => {
    const r = await check(DEMO.chats.ops);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^✔ Token\s+Verified: bot @ops_alerts_bot/m);
    expect(r.out).toMatch(/^✔ Chat\s+Verified/m);
    expect(r.out).toMatch(/^✔ Ready: .*can post to supergroup "Ops"/m);
    expect(r.io.all()).not.toContain(SECRET_PART);
  });

  test('missing minus sign: exit 1, names the id to use and the fix', async () => {
    const r = await check(String(DEMO.chats.ops).slice(1));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✘ Chat\s+ChatIdMissingMinusSign: .*"-1001000000001"/m);
    expect(r.out).toMatch(/^✘ Not ready \(Ready would be False\): ChatIdMissingMinusSign$/m);
    expect(r.out).toMatch(/^ {2}fix: /m);
  });

  test.each([
    [DEMO.chats.legacyGroup, 'ChatMigrated'],
    [DEMO.chats.kickedSupergroup, 'BotKicked'],
    [DEMO.chats.leftGroup, 'BotNotMember'],
    [DEMO.chats.channelNoPost, 'CannotPost'],
    [-1009999999999, 'ChatNotFound'],
  ])('chat %s → %s, exit 1', async (chat, reason) => {
    const r = await check(chat);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`Not ready (Ready would be False): ${reason}`);
  });

  test('thread on a chat without topics: ThreadNotFound; on a forum: ok', async () => {
    expect((await check(DEMO.chats.ops, '--thread', '42')).out).toMatch(/ThreadNotFound/);
    const forum = await check(DEMO.chats.forum, '--thread', '42');
    expect(forum.code).toBe(0);
    expect(forum.out).toMatch(/✔ Topic\s+42/);
  });

  test('invalid chat id: InvalidChatId, exit 1, no Telegram call', async () => {
    const r = await check('not-a-chat');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✘ Chat\s+InvalidChatId/);
    expect(emu.requests).toHaveLength(0);
  });

  test('unknown token: Unauthorized, exit 1', async () => {
    const io = fakeIo({ env: env(), stdin: DEMO.unknownToken });
    expect(await run(['check', '-', '--chat', String(DEMO.chats.ops)], io)).toBe(1);
    expect(io.outText()).toMatch(/✘ Token\s+Unauthorized/);
  });

  test('Telegram unavailable: Unknown, exit 3', async () => {
    emu.setFaults({ status5xx: { count: 10, code: 503 } });
    const down = await check(DEMO.chats.ops);
    expect(down.code).toBe(3);
    expect(down.out).toMatch(/^\? Not verified \(Ready would be Unknown\): TelegramUnavailable/m);
  });

  test('connection refused: exit 3, and the token is not in the output', async () => {
    const io = fakeIo({ env: { TELEGRAM_API_URL: 'http://127.0.0.1:1' } });
    expect(await run(['check', '--token-file', tokenFile, '--chat', '-1001'], io)).toBe(3);
    expect(io.outText()).toMatch(/TelegramUnavailable/);
    expect(io.all()).not.toContain(SECRET_PART);
  });

  test('-o json carries the three verdicts, bot, chat and fix', async () => {
    const r = await check(DEMO.chats.legacyGroup, '-o', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as {
      ready: { status: string; message: string };
      tokenValid: object;
      chatReachable: object;
      fix: string;
      bot: { username: string };
    };
    expect(report.ready).toMatchObject({ status: 'False', reason: 'ChatMigrated' });
    expect(report.ready.message).toContain(String(DEMO.chats.upgradedTo));
    expect(report.tokenValid).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(report.chatReachable).toMatchObject({ status: 'False', reason: 'ChatMigrated' });
    expect(report.bot.username).toBe('ops_alerts_bot');
    expect(report.fix).toMatch(/migrate_to_chat_id/);
  });

  test('a Secret that does not exist gives SecretNotFound, exit 1', async () => {
    const io = fakeIo({
      env: env(),
      readSecret: async (ns, name) => {
        throw new CliFailure(`Secret ${ns}/${name} not found`, 1, 'SecretNotFound');
      },
    });
    expect(await run(['check', '--secret', 'mon/missing', '--chat', '-1001', '-o', 'json'], io)).toBe(1);
    expect(JSON.parse(io.outText())).toMatchObject({
      ready: { status: 'False', reason: 'SecretNotFound' },
      tokenValid: { reason: 'SecretNotFound' },
    });
  });
});

describe('general', () => {
  test('--help exits 0 with usage; unknown command exits 2', async () => {
    const io = fakeIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.outText()).toMatch(/Usage:/);
    const io2 = fakeIo();
    expect(await run(['frob'], io2)).toBe(2);
    expect(io2.errText()).toMatch(/unknown command/);
  });

  test('TELEGRAM_API_URL that is not an http(s) URL is a usage error', async () => {
    const io = fakeIo({ env: { TELEGRAM_API_URL: 'api.telegram.org' }, stdin: TOKEN });
    expect(await run(['chats', '-'], io)).toBe(2);
    expect(io.errText()).toMatch(/TELEGRAM_API_URL/);
  });
});
