// Rows 1–16 and 33–36 of the behaviour table: paths, tokens, chat resolution and access.

import { DEMO } from './scenario.js';
import { errorOf, resultOf, startEmulator, type Harness, emulatorForTests } from './testkit.js';

const T = DEMO.bot.token;
const C = DEMO.chats;
let h: Harness;
emulatorForTests((started) => (h = started), { perFile: true });

async function expectError(
  method: string,
  params: Record<string, unknown>,
  status: number,
  description: string,
  parameters?: Record<string, unknown>,
): Promise<void> {
  const r = await h.call(T, method, params);
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/json');
  const expected: Record<string, unknown> = { ok: false, error_code: status, description };
  if (parameters) expected.parameters = parameters;
  expect(r.body).toStrictEqual(expected);
}

const send = (chat_id: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ chat_id, text: 'hi', ...extra });

describe('paths and tokens', () => {
  test.each(['/getMe', '/', `/${T}/getMe`, '/api/getMe'])('path %s without /bot is 404 Not Found', async (path) => {
    const r = await h.get(path);
    expect(r.status).toBe(404);
    expect(r.body).toStrictEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  test.each([
    ['empty', '/bot/getMe'],
    ['None', '/botNone/getMe'],
    ['no colon', '/bot7000000001AAFhbjb4riec70dMdNfGzCq3N1nmNU2VQ8/getMe'],
    ['bot prefix twice', `/botbot${T}/getMe`],
    ['two colons', `/bot${T}:123/getMe`],
    ['non-numeric id', '/botabc:AAFhbjb4riec70dMdNfGzCq3N1nmNU2-VQ8/getMe'],
    ['no method', `/bot${T}`],
  ])('malformed token (%s) is 404 Not Found', async (_label, path) => {
    const r = await h.get(path);
    expect(r.status).toBe(404);
    expect(r.body).toStrictEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  test('a well-formed token nobody has is 401 Unauthorized', async () => {
    const r = await h.call(DEMO.unknownToken, 'getMe');
    expect(r.status).toBe(401);
    expect(r.body).toStrictEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  test('the right bot id with a wrong secret is 401 too', async () => {
    const wrong = `${DEMO.bot.id}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    expect((await h.call(wrong, 'getMe')).status).toBe(401);
  });

  test('a revoked token becomes 401', async () => {
    const e = await startEmulator();
    try {
      expect((await e.call(DEMO.otherBot.token, 'getMe')).status).toBe(200);
      e.emu.revokeToken(DEMO.otherBot.token);
      const r = await e.call(DEMO.otherBot.token, 'getMe');
      expect(r.status).toBe(401);
      expect(errorOf(r).description).toBe('Unauthorized');
    } finally {
      await e.emu.stop();
    }
  });

  test('an unknown method with a valid token is 404 Not Found', async () => {
    const r = await h.call(T, 'sendMesage', send(C.ops));
    expect(r.status).toBe(404);
    expect(r.body).toStrictEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  test('method names are case-insensitive', async () => {
    for (const m of ['getme', 'GETME', 'GetMe']) expect(resultOf(await h.call(T, m)).id).toBe(DEMO.bot.id);
  });

  test('the test-environment path /bot<token>/test/<method> is served', async () => {
    const r = await h.get(`/bot${T}/test/getMe`);
    expect(r.status).toBe(200);
  });
});

test('getMe returns the bot with the getMe-only fields', async () => {
  const r = await h.call(T, 'getMe');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/json');
  expect(r.body).toStrictEqual({
    ok: true,
    result: {
      id: DEMO.bot.id,
      is_bot: true,
      first_name: 'Ops Alerts',
      username: 'ops_alerts_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      supports_guest_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
    },
  });
});

describe('chat resolution', () => {
  test.each(['sendMessage', 'getChat', 'getChatMember'])('%s without chat_id: chat_id is empty', async (method) => {
    await expectError(method, { text: 'hi', user_id: DEMO.bot.id }, 400, 'Bad Request: chat_id is empty');
    await expectError(method, { chat_id: '', text: 'hi', user_id: DEMO.bot.id }, 400, 'Bad Request: chat_id is empty');
  });

  test.each([
    ['an unknown group id', -1009999999999],
    ['garbage', 'ops-chat'],
    ['the dropped-minus form of a supergroup id', 1001000000001],
    ['a human @username', '@eve_human'],
    ['an unknown @username', '@no_such_channel'],
    ['zero', 0],
  ])('%s: chat not found', async (_label, chatId) => {
    await expectError('sendMessage', send(chatId), 400, 'Bad Request: chat not found');
    await expectError('getChat', { chat_id: chatId }, 400, 'Bad Request: chat not found');
  });

  test('a user who never started the bot', async () => {
    await expectError('sendMessage', send(DEMO.users.bob), 403, "Forbidden: bot can't initiate conversation with a user");
    await expectError('getChat', { chat_id: DEMO.users.bob }, 400, 'Bad Request: chat not found');
  });

  test('a user who blocked the bot', async () => {
    await expectError('sendMessage', send(DEMO.users.carol), 403, 'Forbidden: bot was blocked by the user');
  });

  test('a deleted account', async () => {
    await expectError('sendMessage', send(DEMO.users.dave), 403, 'Forbidden: user is deactivated');
  });

  test('another bot', async () => {
    await expectError('sendMessage', send(DEMO.otherBot.id), 403, "Forbidden: the bot can't send messages to the bot");
    await expectError('sendMessage', send('@second_helper_bot'), 403, "Forbidden: the bot can't send messages to the bot");
  });

  test.each([
    ['group', C.kickedGroup],
    ['supergroup', C.kickedSupergroup],
    ['channel', C.kickedChannel],
  ])('bot kicked from the %s', async (kind, chatId) => {
    await expectError('sendMessage', send(chatId), 403, `Forbidden: bot was kicked from the ${kind} chat`);
  });

  test.each([
    ['group', C.leftGroup],
    ['supergroup', C.publicNotMember],
    ['supergroup', C.privateNotMember],
    ['channel', C.privateChannelNotMember],
  ])('bot not a member of the %s', async (kind, chatId) => {
    await expectError('sendMessage', send(chatId), 403, `Forbidden: bot is not a member of the ${kind} chat`);
  });

  test('a basic group upgraded to a supergroup answers with migrate_to_chat_id', async () => {
    await expectError('sendMessage', send(C.legacyGroup), 400, 'Bad Request: group chat was upgraded to a supergroup chat', {
      migrate_to_chat_id: C.upgradedTo,
    });
    // Members of a deactivated group can't be read either; reading the chat itself still works.
    await expectError(
      'getChatMember',
      { chat_id: C.legacyGroup, user_id: DEMO.users.ann },
      400,
      'Bad Request: group chat was upgraded to a supergroup chat',
      { migrate_to_chat_id: C.upgradedTo },
    );
    expect(resultOf(await h.call(T, 'getChat', { chat_id: C.legacyGroup })).type).toBe('group');
    expect(resultOf(await h.call(T, 'sendMessage', send(C.upgradedTo))).message_id).toBeGreaterThan(0);
  });

  test('a deleted basic group', async () => {
    await expectError('sendMessage', send(C.deletedGroup), 403, 'Forbidden: the group chat was deleted');
  });

  test('a restricted bot', async () => {
    await expectError('sendMessage', send(C.restrictedSupergroup), 400, 'Bad Request: not enough rights to send text messages to the chat');
  });

  test('a channel where the bot may not post', async () => {
    await expectError('sendMessage', send(C.channelNoPost), 400, 'Bad Request: need administrator rights in the channel chat');
    await expectError('sendMessage', send(C.subscriberChannel), 400, 'Bad Request: need administrator rights in the channel chat');
  });

  test('chat checks come after text checks, as on the real server', async () => {
    await expectError('sendMessage', { chat_id: C.kickedGroup, text: '' }, 400, 'Bad Request: message text is empty');
  });
});

describe('getChat', () => {
  test('a supergroup by id', async () => {
    const r = await h.call(T, 'getChat', { chat_id: C.ops });
    expect(r.body).toStrictEqual({
      ok: true,
      result: { id: C.ops, title: 'Ops', type: 'supergroup', max_reaction_count: 11, accent_color_id: Math.abs(C.ops) % 7 },
    });
  });

  test('a forum says is_forum', async () => {
    expect(resultOf(await h.call(T, 'getChat', { chat_id: C.forum })).is_forum).toBe(true);
  });

  test('a public channel by @username, case-insensitively', async () => {
    const chat = resultOf(await h.call(T, 'getChat', { chat_id: '@OPS_Channel' }));
    expect(chat).toMatchObject({ id: C.channel, title: 'Ops Channel', username: 'ops_channel', type: 'channel' });
  });

  test('a private chat with a user who started the bot', async () => {
    const chat = resultOf(await h.call(T, 'getChat', { chat_id: DEMO.users.ann }));
    expect(chat).toMatchObject({ id: DEMO.users.ann, first_name: 'Ann', type: 'private' });
  });

  test('a public supergroup is readable without membership', async () => {
    expect(resultOf(await h.call(T, 'getChat', { chat_id: '@ops_public' })).id).toBe(C.publicNotMember);
  });

  test.each([
    ['supergroup', C.privateNotMember],
    ['channel', C.privateChannelNotMember],
  ])('a private %s where the bot is not a member is 403', async (kind, chatId) => {
    await expectError('getChat', { chat_id: chatId }, 403, `Forbidden: bot is not a member of the ${kind} chat`);
  });

  test('a supergroup that banned the bot is 403 even for reading', async () => {
    await expectError('getChat', { chat_id: C.kickedSupergroup }, 403, 'Forbidden: bot was kicked from the supergroup chat');
  });

  test('a basic group that kicked the bot is still readable', async () => {
    expect(resultOf(await h.call(T, 'getChat', { chat_id: C.kickedGroup })).title).toBe('Kicked Here');
  });
});

describe('getChatMember', () => {
  const botUser = { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts', username: 'ops_alerts_bot' };

  test('an administrator of a channel has the channel-only rights', async () => {
    const m = resultOf(await h.call(T, 'getChatMember', { chat_id: C.channelNoPost, user_id: DEMO.bot.id }));
    expect(m).toMatchObject({ user: botUser, status: 'administrator', can_post_messages: false, can_edit_messages: false });
    expect(m).toHaveProperty('can_manage_direct_messages');
    expect(m).not.toHaveProperty('can_pin_messages');
    const ok = resultOf(await h.call(T, 'getChatMember', { chat_id: C.channel, user_id: DEMO.bot.id }));
    expect(ok.can_post_messages).toBe(true);
  });

  test('an administrator of a supergroup has no channel-only rights', async () => {
    const m = resultOf(await h.call(T, 'getChatMember', { chat_id: C.ops, user_id: DEMO.bot.id }));
    expect(m.status).toBe('administrator');
    expect(m).not.toHaveProperty('can_post_messages');
    expect(m).toHaveProperty('can_pin_messages', false);
    expect(m).toHaveProperty('can_manage_topics', false);
  });

  test('a restricted member says whether it can send messages', async () => {
    const m = resultOf(await h.call(T, 'getChatMember', { chat_id: C.restrictedSupergroup, user_id: DEMO.bot.id }));
    expect(m).toMatchObject({ status: 'restricted', can_send_messages: false, until_date: 0, is_member: true });
  });

  test('a bot kicked from a basic group reads itself as kicked with until_date', async () => {
    const r = await h.call(T, 'getChatMember', { chat_id: C.kickedGroup, user_id: DEMO.bot.id });
    expect(r.body).toStrictEqual({ ok: true, result: { user: botUser, status: 'kicked', until_date: 0 } });
  });

  test('a plain member', async () => {
    const r = await h.call(T, 'getChatMember', { chat_id: C.group, user_id: DEMO.bot.id });
    expect(r.body).toStrictEqual({ ok: true, result: { user: botUser, status: 'member' } });
  });

  test('a public supergroup where the bot is not a member reads it as left', async () => {
    const m = resultOf(await h.call(T, 'getChatMember', { chat_id: C.publicNotMember, user_id: DEMO.bot.id }));
    expect(m.status).toBe('left');
  });

  test('user_id is required', async () => {
    await expectError('getChatMember', { chat_id: C.ops }, 400, 'Bad Request: invalid user_id specified');
  });

  test('an unknown user', async () => {
    await expectError('getChatMember', { chat_id: C.ops, user_id: 123 }, 400, 'Bad Request: user not found');
  });
});

describe('getChatAdministrators', () => {
  test('a private chat has no administrators', async () => {
    await expectError(
      'getChatAdministrators',
      { chat_id: DEMO.users.ann },
      400,
      'Bad Request: there are no administrators in the private chat',
    );
  });

  test('a supergroup lists its administrators', async () => {
    const admins = resultOf<Array<{ status: string; user: { id: number } }>>(await h.call(T, 'getChatAdministrators', { chat_id: C.ops }));
    expect(admins.map((a) => [a.user.id, a.status])).toEqual([
      [DEMO.bot.id, 'administrator'],
      [DEMO.users.olga, 'administrator'],
    ]);
  });
});
