// Verifier against the emulator's demo scenario: every reason of TokenValid and ChatReachable, the
// transient (Ready Unknown) cases, and one getMe per token per cache window.
import { TelegramClient } from '../../../src/telegram/client.js';
import { classifyFailure } from '../../../src/telegram/errors.js';
import { chatVerdict, Verifier } from '../../../src/telegram/verifier.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';

const TOKEN = DEMO.bot.token;
const C = DEMO.chats;

let emu: TelegramEmulator;
let base: string;
let client: TelegramClient;
let verifier: Verifier;

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario(), { limits: false });
  base = await emu.start();
  client = new TelegramClient(base);
  verifier = new Verifier(client);
});
afterEach(async () => {
  await emu.stop();
});

const count = (method: string) => emu.requests.filter((r) => r.method === method).length;

test('Verified: supergroup where the bot is admin, with bot and chat info', async () => {
  const r = await verifier.verify(TOKEN, String(C.ops));
  expect(r.token).toMatchObject({ status: 'True', reason: 'Verified' });
  expect(r.token.message).toContain('@ops_alerts_bot');
  expect(r.chat).toMatchObject({ status: 'True', reason: 'Verified' });
  expect(r.bot).toEqual({ id: DEMO.bot.id, username: 'ops_alerts_bot' });
  expect(r.chatInfo).toEqual({ id: String(C.ops), type: 'supergroup', title: 'Ops', isForum: false });
  expect(r.retryAfterMs).toBeUndefined();
});

test.each([
  ['healthy basic group (with the sendChatAction probe)', C.group],
  ['channel where the bot may post', C.channel],
  ['channel by @username', '@ops_channel'],
  ['private chat of a user who started the bot', DEMO.users.ann],
])('Verified: %s', async (_what, chat) => {
  const r = await verifier.verify(TOKEN, String(chat));
  expect(r.chat).toMatchObject({ status: 'True', reason: 'Verified' });
});

test('a basic group is probed with sendChatAction; a supergroup is not', async () => {
  await verifier.verify(TOKEN, String(C.group));
  expect(count('sendChatAction')).toBe(1);
  await verifier.verify(TOKEN, String(C.ops));
  expect(count('sendChatAction')).toBe(1);
  expect(emu.messages).toHaveLength(0);
});

test('Unauthorized: unknown token; the chat is not checked', async () => {
  const r = await verifier.verify(DEMO.unknownToken, String(C.ops));
  expect(r.token).toMatchObject({ status: 'False', reason: 'Unauthorized' });
  expect(r.chat).toMatchObject({ status: 'Unknown', reason: 'Unauthorized' });
  expect(count('getChat')).toBe(0);
});

test('Unauthorized: revoked token', async () => {
  emu.revokeToken(TOKEN);
  expect((await verifier.verify(TOKEN, String(C.ops))).token.reason).toBe('Unauthorized');
});

test('ChatNotFound', async () => {
  const r = await verifier.verify(TOKEN, '-1009999999999');
  expect(r.token.status).toBe('True');
  expect(r.chat).toMatchObject({ status: 'False', reason: 'ChatNotFound' });
  expect(r.chat.message).toContain('-1009999999999');
});

test.each([
  ['supergroup id without its minus', String(C.ops).slice(1), String(C.ops)],
  ['basic group id without its minus', String(C.group).slice(1), String(C.group)],
  ['t.me/c/ number without -100', String(C.ops).slice(4), String(C.ops)],
])('ChatIdMissingMinusSign: %s names the id to use', async (_what, given, expected) => {
  const r = await verifier.verify(TOKEN, given);
  expect(r.chat).toMatchObject({ status: 'False', reason: 'ChatIdMissingMinusSign' });
  expect(r.chat.message).toContain(`"${expected}"`);
});

test.each([
  ['supergroup id without its minus (-)', String(C.ops).slice(1), '-'],
  ['t.me/c/ number without -100', String(C.ops).slice(4), '-100'],
  ['basic group upgraded, id without its minus', String(C.legacyGroup).slice(1), undefined],
])('a chat id from a Secret (%s): the advice names the Secret and the prefix, never the number', async (_what, given, prefix) => {
  const source = 'Secret team/chat key "id"';
  const r = await verifier.verify(TOKEN, given, undefined, undefined, source);
  expect(r.chat.status).toBe('False');
  expect(r.chat.message).toContain(source);
  if (prefix) expect(r.chat.message).toContain(`put "${prefix}" in front of the number in ${source}`);
  expect(r.chat.message).not.toContain(given);
});

test('a positive id that is really a user who never started the bot is not "missing minus"', async () => {
  const r = await verifier.verify(TOKEN, String(DEMO.users.bob));
  expect(r.chat.reason).not.toBe('ChatIdMissingMinusSign');
  expect(r.chat.status).toBe('False');
});

test('ChatMigrated names migrate_to_chat_id', async () => {
  const r = await verifier.verify(TOKEN, String(C.legacyGroup));
  expect(r.chat).toMatchObject({ status: 'False', reason: 'ChatMigrated' });
  expect(r.chat.message).toContain(`"${C.upgradedTo}"`);
  expect(r.chat.message).toContain('migrate_to_chat_id');
});

test.each([
  ['BotNotMember', 'basic group the bot left', C.leftGroup],
  ['BotNotMember', 'private supergroup without the bot', C.privateNotMember],
  ['BotNotMember', 'private channel without the bot', C.privateChannelNotMember],
  ['BotNotMember', 'public supergroup without the bot', C.publicNotMember],
  ['BotKicked', 'basic group', C.kickedGroup],
  ['BotKicked', 'supergroup', C.kickedSupergroup],
  ['BotKicked', 'channel', C.kickedChannel],
])('%s: %s', async (reason, _what, chat) => {
  expect((await verifier.verify(TOKEN, String(chat))).chat).toMatchObject({ status: 'False', reason });
});

test.each([
  ['restricted in a supergroup', C.restrictedSupergroup, /restricted/],
  ['channel admin without can_post_messages', C.channelNoPost, /can_post_messages/],
  ['channel subscriber', C.subscriberChannel, /subscriber/],
])('CannotPost: %s', async (_what, chat, message) => {
  const r = await verifier.verify(TOKEN, String(chat));
  expect(r.chat).toMatchObject({ status: 'False', reason: 'CannotPost' });
  expect(r.chat.message).toMatch(message);
});

test('ThreadNotFound: a thread on a chat that is not a forum', async () => {
  const r = await verifier.verify(TOKEN, String(C.ops), 42);
  expect(r.chat).toMatchObject({ status: 'False', reason: 'ThreadNotFound' });
});

test('a thread on a forum passes', async () => {
  const r = await verifier.verify(TOKEN, String(C.forum), 42);
  expect(r.chat).toMatchObject({ status: 'True', reason: 'Verified' });
  expect(r.chatInfo?.isForum).toBe(true);
});

describe('transient: Ready Unknown', () => {
  test('TelegramUnavailable on getMe (HTML 502)', async () => {
    emu.setFaults({ status5xx: { count: 1, code: 502 } });
    const r = await verifier.verify(TOKEN, String(C.ops));
    expect(r.token).toMatchObject({ status: 'Unknown', reason: 'TelegramUnavailable' });
    expect(r.chat).toMatchObject({ status: 'Unknown', reason: 'TelegramUnavailable' });
  });

  test('TelegramUnavailable on getChat after a good getMe', async () => {
    await verifier.verify(TOKEN, String(C.ops)); // warms the getMe cache
    emu.setFaults({ status5xx: { count: 1, code: 500 } });
    const r = await verifier.verify(TOKEN, String(C.ops));
    expect(r.token).toMatchObject({ status: 'True' });
    expect(r.chat).toMatchObject({ status: 'Unknown', reason: 'TelegramUnavailable' });
  });

  test('TelegramUnavailable when the connection drops', async () => {
    emu.setFaults({ dropConnections: 1 });
    expect((await verifier.verify(TOKEN, String(C.ops))).token).toMatchObject({ status: 'Unknown', reason: 'TelegramUnavailable' });
  });

  test('a transient getMe failure is not cached: the next verify asks again and succeeds', async () => {
    emu.setFaults({ status5xx: { count: 1, code: 502 } });
    await verifier.verify(TOKEN, String(C.ops));
    const r = await verifier.verify(TOKEN, String(C.ops));
    expect(r.token.status).toBe('True');
    expect(count('getMe')).toBe(2);
  });

  test('RateLimited with retryAfterMs', async () => {
    class Limited extends TelegramClient {
      override getChat(): never {
        throw classifyFailure({ method: 'getChat', httpStatus: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
      }
    }
    const r = await new Verifier(new Limited(base)).verify(TOKEN, String(C.ops));
    expect(r.chat).toMatchObject({ status: 'Unknown', reason: 'RateLimited' });
    expect(r.retryAfterMs).toBe(7000);
  });
});

describe('getMe is shared per token', () => {
  test('a token revoked inside the window is reported at once, and the shared answer dropped', async () => {
    await verifier.verify(TOKEN, String(C.ops));
    emu.revokeToken(TOKEN);
    const r = await verifier.verify(TOKEN, String(C.group));
    expect(r.token).toMatchObject({ status: 'False', reason: 'Unauthorized' });
    expect(r.chat).toMatchObject({ status: 'Unknown', reason: 'Unauthorized' });
    await verifier.verify(TOKEN, String(C.ops));
    expect(count('getMe')).toBe(2); // asked again instead of trusting the cached answer
  });

  test('many verifications within the window cost one getMe', async () => {
    for (const chat of [C.ops, C.group, C.channel, C.forum, C.ops]) await verifier.verify(TOKEN, String(chat));
    expect(count('getMe')).toBe(1);
  });

  test('concurrent verifications share the one request in flight', async () => {
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(TOKEN, String(C.ops))));
    expect(count('getMe')).toBe(1);
  });

  test('after the window getMe is called again; another token has its own', async () => {
    let now = 1_000_000;
    const v = new Verifier(client, () => now);
    await v.verify(TOKEN, String(C.ops));
    now += 599_000; // the window is 10 minutes
    await v.verify(TOKEN, String(C.ops));
    expect(count('getMe')).toBe(1);
    now += 2_000;
    await v.verify(TOKEN, String(C.ops));
    expect(count('getMe')).toBe(2);
    await v.verify(DEMO.otherBot.token, String(C.ops));
    expect(count('getMe')).toBe(3);
  });
});

describe('chatVerdict', () => {
  test('ChatMigrated without migrate_to_chat_id (old "migrated" wording) does not say "undefined"', () => {
    const err = classifyFailure({
      method: 'sendMessage',
      httpStatus: 400,
      description: 'Bad Request: group chat was migrated to a supergroup chat',
    });
    expect(err.kind).toBe('ChatMigrated');
    const v = chatVerdict(err, '-400000001');
    expect(v.reason).toBe('ChatMigrated');
    expect(v.message).not.toContain('undefined');
  });
});

test('a ClusterTelegramBot: verifyToken is one getMe; its channels verify chats with knownBot and never call getMe', async () => {
  let now = 0;
  const clocked = new Verifier(client, () => now);
  expect(await clocked.verifyToken(TOKEN)).toEqual({
    token: { status: 'True', reason: 'Verified', message: `bot @${DEMO.bot.username} (id ${DEMO.bot.id})` },
    bot: { id: DEMO.bot.id, username: DEMO.bot.username },
  });
  expect(count('getMe')).toBe(1);
  const known = { id: DEMO.bot.id, username: DEMO.bot.username };
  for (let i = 0; i < 5; i++) {
    now += 11 * 60_000; // past the shared getMe window every time
    const r = await clocked.verify(TOKEN, String(C.ops), undefined, known);
    expect(r.chat).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(r.bot).toEqual(known);
  }
  expect(count('getMe')).toBe(1);
  expect((await clocked.verifyToken(DEMO.unknownToken)).token).toMatchObject({ status: 'False', reason: 'Unauthorized' });
});

test('topics: is_forum and can_manage_topics come from the getChat and getChatMember answers, with no extra call', async () => {
  const managed = await verifier.verify(TOKEN, String(C.managedForum));
  expect(managed.topics).toEqual({ isForum: true, canManageTopics: true });
  expect((await verifier.verify(TOKEN, String(C.forum))).topics).toEqual({ isForum: true, canManageTopics: false });
  expect((await verifier.verify(TOKEN, String(C.ops))).topics).toEqual({ isForum: false, canManageTopics: false });
  // Losing the right shows at the next verification.
  emu.setCanManageTopics(TOKEN, C.managedForum, false);
  expect((await verifier.verify(TOKEN, String(C.managedForum))).topics).toEqual({ isForum: true, canManageTopics: false });
  expect(count('getChat')).toBe(4);
  expect(count('getChatMember')).toBe(4);
});
