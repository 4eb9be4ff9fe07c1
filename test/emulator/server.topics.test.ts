// Forum topics: createForumTopic, editForumTopic, deleteForumTopic, their errors and their order; a
// topic deleted by a user; the "Manage topics" right taken away; disable_notification on every send.

import { DEMO, ScenarioBuilder, bot, supergroupId } from './scenario.js';
import { expectBadRequest, expectError, resultOf, startEmulator, type Harness, emulatorForTests } from './testkit.js';

const BOT = bot(7100000001, 'topics_bot', 'Topics');
const T = BOT.token;
const OWNER = 200001;
const CHATS = {
  forum: supergroupId(2000000001), // bot administrator with can_manage_topics; a topic 42 someone else made
  forumNoRight: supergroupId(2000000002), // bot administrator without can_manage_topics
  forumMember: supergroupId(2000000003), // bot is a plain member
  forumCreator: supergroupId(2000000004), // the bot created the forum
  forumDeleter: supergroupId(2000000005), // administrator with can_delete_messages, no can_manage_topics
  plain: supergroupId(2000000006), // a supergroup without topics
  group: -500000001,
  notMember: supergroupId(2000000007),
} as const;

function scenario(): ReturnType<ScenarioBuilder['build']> {
  return new ScenarioBuilder()
    .bot(BOT)
    .forum(CHATS.forum, 'Alerts', BOT.id, [42], { status: 'administrator', canManageTopics: true })
    .forum(CHATS.forumNoRight, 'No Right', BOT.id, [42], { status: 'administrator' })
    .forum(CHATS.forumMember, 'Member', BOT.id, [])
    .forum(CHATS.forumCreator, 'Mine', BOT.id, [], { status: 'creator' })
    .forum(CHATS.forumDeleter, 'Deleter', BOT.id, [42], { status: 'administrator', canDeleteMessages: true })
    .supergroup(CHATS.plain, 'Plain', BOT.id)
    .group(CHATS.group, 'Basic', BOT.id)
    .chat({ id: CHATS.notMember, type: 'supergroup', title: 'Elsewhere', isForum: true, topics: [] })
    .user({ id: OWNER, firstName: 'Owner' })
    .member(CHATS.forum, OWNER, 'creator')
    .build();
}

let h: Harness;
emulatorForTests((started) => (h = started), { start: () => startEmulator(scenario()) });

async function createTopic(name = 'DiskFull', chatId: number = CHATS.forum): Promise<number> {
  return resultOf(await h.call(T, 'createForumTopic', { chat_id: chatId, name })).message_thread_id as number;
}

describe('createForumTopic', () => {
  test('answers a ForumTopic with the default colour, and the topic takes sends', async () => {
    const topic = resultOf(await h.call(T, 'createForumTopic', { chat_id: CHATS.forum, name: 'payments: DiskFull' }));
    expect(topic).toStrictEqual({ message_thread_id: expect.any(Number) as number, name: 'payments: DiskFull', icon_color: 0x6fb9f0 });
    const sent = resultOf(
      await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'firing', message_thread_id: topic.message_thread_id }),
    );
    expect(sent).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    expect(h.emu.forumTopics).toEqual([
      { chatId: CHATS.forum, threadId: topic.message_thread_id, name: 'payments: DiskFull', iconColor: 0x6fb9f0, createdByBotId: BOT.id },
    ]);
  });

  test("the topic's id is a message id of the chat, as on Telegram", async () => {
    const first = resultOf(await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'one' })).message_id as number;
    const thread = await createTopic();
    const next = resultOf(await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'two' })).message_id as number;
    expect([first, thread, next]).toStrictEqual([first, first + 1, first + 2]);
  });

  test.each([0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f])('accepts icon_color %i', async (color) => {
    const topic = resultOf(await h.call(T, 'createForumTopic', { chat_id: CHATS.forum, name: 'x', icon_color: color }));
    expect(topic.icon_color).toBe(color);
  });

  test.each([123, -1, 0x1000000])('refuses icon_color %i', async (color) => {
    expectBadRequest(
      await h.call(T, 'createForumTopic', { chat_id: CHATS.forum, name: 'x', icon_color: color }),
      'invalid icon color specified',
    );
  });

  test('keeps icon_custom_emoji_id', async () => {
    const topic = resultOf(
      await h.call(T, 'createForumTopic', { chat_id: CHATS.forum, name: 'x', icon_custom_emoji_id: '5312536423851630001' }),
    );
    expect(topic.icon_custom_emoji_id).toBe('5312536423851630001');
  });

  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['only spaces', '   '],
  ])('a %s name: title must be non-empty', async (_label, name) => {
    const params = name === undefined ? { chat_id: CHATS.forum } : { chat_id: CHATS.forum, name };
    expectBadRequest(await h.call(T, 'createForumTopic', params), 'title must be non-empty');
    expect(h.emu.forumTopics).toHaveLength(0);
  });

  test('a name over 128 characters is cut to 128, counted in characters', async () => {
    const long = `${'🔥'.repeat(100)}${'a'.repeat(100)}`;
    const topic = resultOf(await h.call(T, 'createForumTopic', { chat_id: CHATS.forum, name: long }));
    expect([...(topic.name as string)]).toHaveLength(128);
    expect(topic.name).toBe(`${'🔥'.repeat(100)}${'a'.repeat(28)}`);
    const exact = resultOf(await h.call(T, 'createForumTopic', { chat_id: CHATS.forum, name: 'b'.repeat(128) }));
    expect(exact.name).toBe('b'.repeat(128));
  });

  test.each([
    ['a supergroup without topics', CHATS.plain],
    ['a basic group', CHATS.group],
    ['a private chat', DEMO.users.ann],
  ])('%s: the chat is not a forum', async (_label, chatId) => {
    const e = await startEmulator({ ...scenario(), users: [{ id: DEMO.users.ann, firstName: 'Ann', started: true }] });
    try {
      expectError(await e.call(T, 'createForumTopic', { chat_id: chatId, name: 'x' }), 400, 'Bad Request: the chat is not a forum');
    } finally {
      await e.emu.stop();
    }
  });

  test.each([
    ['a plain member', CHATS.forumMember],
    ['an administrator without can_manage_topics', CHATS.forumNoRight],
  ])('%s: not enough rights to create a topic', async (_label, chatId) => {
    expectBadRequest(await h.call(T, 'createForumTopic', { chat_id: chatId, name: 'x' }), 'not enough rights to create a topic');
  });

  test('the creator of the forum may create topics', async () => {
    expect(await createTopic('x', CHATS.forumCreator)).toBeGreaterThan(0);
  });

  test('the chat is checked before the forum and the name', async () => {
    expectError(
      await h.call(T, 'createForumTopic', { chat_id: CHATS.notMember, name: '' }),
      403,
      'Forbidden: bot is not a member of the supergroup chat',
    );
    expectBadRequest(await h.call(T, 'createForumTopic', { name: 'x' }), 'chat_id is empty');
    expectBadRequest(await h.call(T, 'createForumTopic', { chat_id: CHATS.plain, name: '' }), 'the chat is not a forum');
  });
});

describe('editForumTopic', () => {
  test('renames the topic and answers true; sends to it keep working', async () => {
    const thread = await createTopic('DiskFull');
    const r = await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: thread, name: 'DiskFull (resolved)' });
    expect(resultOf<boolean>(r)).toBe(true);
    expect(h.emu.forumTopics[0]?.name).toBe('DiskFull (resolved)');
    expect(
      resultOf(await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'ok', message_thread_id: thread })).message_thread_id,
    ).toBe(thread);
  });

  test('changes the custom emoji icon', async () => {
    const thread = await createTopic();
    const r = await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: thread, icon_custom_emoji_id: '777' });
    expect(resultOf<boolean>(r)).toBe(true);
    expect(h.emu.forumTopics[0]?.iconCustomEmojiId).toBe('777');
  });

  test('the same name again: TOPIC_NOT_MODIFIED', async () => {
    const thread = await createTopic('DiskFull');
    expectBadRequest(
      await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: thread, name: 'DiskFull' }),
      'TOPIC_NOT_MODIFIED',
    );
  });

  test('nothing to change answers true without changing anything, even for an unknown topic', async () => {
    const thread = await createTopic('DiskFull');
    expect(resultOf<boolean>(await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: thread }))).toBe(true);
    expect(h.emu.forumTopics[0]?.name).toBe('DiskFull');
    expect(resultOf<boolean>(await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: 999 }))).toBe(true);
  });

  test("the name is TDLib's check, so it comes before the server's TOPIC_ID_INVALID", async () => {
    expectBadRequest(
      await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: 999, name: ' ' }),
      'title must be non-empty',
    );
  });

  test('a name of only spaces: title must be non-empty', async () => {
    const thread = await createTopic();
    expectBadRequest(
      await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: thread, name: '  ' }),
      'title must be non-empty',
    );
  });

  test.each([undefined, 0, -5, 'abc'])('message_thread_id %s: invalid message thread identifier specified', async (thread) => {
    const params =
      thread === undefined ? { chat_id: CHATS.forum, name: 'x' } : { chat_id: CHATS.forum, message_thread_id: thread, name: 'x' };
    expectBadRequest(await h.call(T, 'editForumTopic', params), 'invalid message thread identifier specified');
  });

  test('an unknown or deleted topic: TOPIC_ID_INVALID', async () => {
    expectBadRequest(await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: 999, name: 'x' }), 'TOPIC_ID_INVALID');
    const thread = await createTopic();
    h.emu.deleteTopicAsUser(CHATS.forum, thread);
    expectBadRequest(await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: thread, name: 'x' }), 'TOPIC_ID_INVALID');
  });

  test("someone else's topic needs can_manage_topics; the bot's own does not", async () => {
    expectBadRequest(
      await h.call(T, 'editForumTopic', { chat_id: CHATS.forumNoRight, message_thread_id: 42, name: 'x' }),
      'not enough rights to edit the topic',
    );
    expect(resultOf<boolean>(await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: 42, name: 'x' }))).toBe(true);
    const own = await createTopic('mine');
    h.emu.setCanManageTopics(T, CHATS.forum, false);
    expect(resultOf<boolean>(await h.call(T, 'editForumTopic', { chat_id: CHATS.forum, message_thread_id: own, name: 'still mine' }))).toBe(
      true,
    );
  });

  test('a chat without topics', async () => {
    expectBadRequest(
      await h.call(T, 'editForumTopic', { chat_id: CHATS.plain, message_thread_id: 5, name: 'x' }),
      'the chat is not a forum',
    );
  });
});

describe('deleteForumTopic', () => {
  test('deletes the topic and its messages: sends to it find no thread, edits find no message', async () => {
    const thread = await createTopic();
    const inTopic = resultOf(await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'firing', message_thread_id: thread }));
    const outside = resultOf(await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'general' }));
    expect(resultOf<boolean>(await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forum, message_thread_id: thread }))).toBe(true);

    expectBadRequest(
      await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'again', message_thread_id: thread }),
      'message thread not found',
    );
    expectBadRequest(
      await h.call(T, 'editMessageText', { chat_id: CHATS.forum, message_id: inTopic.message_id, text: 'resolved' }),
      'message to edit not found',
    );
    expect(h.emu.chatView(CHATS.forum).map((m) => m.messageId)).toStrictEqual([outside.message_id]);
    expect(h.emu.forumTopics[0]).toMatchObject({ threadId: thread, deleted: true });
  });

  test('a second delete, or an unknown topic: TOPIC_ID_INVALID', async () => {
    const thread = await createTopic();
    await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forum, message_thread_id: thread });
    expectBadRequest(await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forum, message_thread_id: thread }), 'TOPIC_ID_INVALID');
    expectBadRequest(await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forum, message_thread_id: 555 }), 'TOPIC_ID_INVALID');
  });

  test("someone else's topic needs can_delete_messages", async () => {
    expectBadRequest(
      await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forum, message_thread_id: 42 }),
      'not enough rights to delete the topic',
    );
    expect(resultOf<boolean>(await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forumDeleter, message_thread_id: 42 }))).toBe(true);
  });

  test('the bot deletes a topic it created without can_delete_messages', async () => {
    const thread = await createTopic();
    expect(resultOf<boolean>(await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forum, message_thread_id: thread }))).toBe(true);
  });

  test('the chat comes first, then the forum, then the thread id', async () => {
    expectError(
      await h.call(T, 'deleteForumTopic', { chat_id: CHATS.notMember, message_thread_id: 0 }),
      403,
      'Forbidden: bot is not a member of the supergroup chat',
    );
    expectBadRequest(await h.call(T, 'deleteForumTopic', { chat_id: CHATS.group, message_thread_id: 0 }), 'the chat is not a forum');
    expectBadRequest(await h.call(T, 'deleteForumTopic', { chat_id: CHATS.forum }), 'invalid message thread identifier specified');
  });
});

describe('a topic deleted by a user', () => {
  test('sends, photos and chat actions to it answer message thread not found', async () => {
    const thread = await createTopic();
    h.emu.deleteTopicAsUser(CHATS.forum, thread);
    const notFound = 'Bad Request: message thread not found';
    expectError(await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'x', message_thread_id: thread }), 400, notFound);
    expectError(
      await h.call(T, 'sendPhoto', { chat_id: CHATS.forum, photo: 'https://grafana.example.com/x.png', message_thread_id: thread }),
      400,
      notFound,
    );
    expectError(await h.call(T, 'sendChatAction', { chat_id: CHATS.forum, action: 'typing', message_thread_id: thread }), 400, notFound);
  });

  test('works on topics of the scenario too, and throws for a topic that is not open', () => {
    h.emu.deleteTopicAsUser(CHATS.forum, 42);
    expect(h.emu.scenario.chats.find((c) => c.id === CHATS.forum)?.topics).toStrictEqual([]);
    expect(() => h.emu.deleteTopicAsUser(CHATS.forum, 42)).toThrow('has no open topic 42');
    expect(() => h.emu.deleteTopicAsUser(CHATS.plain, 1)).toThrow('no forum supergroup');
  });
});

describe('taking can_manage_topics away', () => {
  test('creating then fails, and getChatMember shows the right gone', async () => {
    await createTopic();
    h.emu.setCanManageTopics(T, CHATS.forum, false);
    expectBadRequest(await h.call(T, 'createForumTopic', { chat_id: CHATS.forum, name: 'x' }), 'not enough rights to create a topic');
    const me = resultOf(await h.call(T, 'getChatMember', { chat_id: CHATS.forum, user_id: BOT.id }));
    expect(me).toMatchObject({ status: 'administrator', can_manage_topics: false });
    h.emu.setCanManageTopics(T, CHATS.forum, true);
    expect(await createTopic()).toBeGreaterThan(0);
  });

  test('by a user: the bot gets the my_chat_member update Telegram sends', async () => {
    h.emu.setCanManageTopics(T, CHATS.forum, false, OWNER);
    const [update] = h.emu.pendingUpdates(T);
    expect(update?.my_chat_member).toMatchObject({
      from: { id: OWNER },
      old_chat_member: { status: 'administrator', can_manage_topics: true },
      new_chat_member: { status: 'administrator', can_manage_topics: false },
    });
  });

  test('the bot must be an administrator there', () => {
    expect(() => h.emu.setCanManageTopics(T, CHATS.forumMember, false)).toThrow('is not an administrator');
  });
});

test('the demo scenario has a forum where the bot may create and delete topics', async () => {
  const demo = await startEmulator();
  try {
    const created = await demo.call(DEMO.bot.token, 'createForumTopic', { chat_id: DEMO.chats.managedForum, name: 'DiskFull' });
    const thread = resultOf(created).message_thread_id;
    const deleted = await demo.call(DEMO.bot.token, 'deleteForumTopic', { chat_id: DEMO.chats.managedForum, message_thread_id: thread });
    expect(resultOf<boolean>(deleted)).toBe(true);
  } finally {
    await demo.emu.stop();
  }
});

describe('disable_notification', () => {
  test('is recorded on every sent message and shown in the transcript', async () => {
    const thread = await createTopic();
    await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'loud', message_thread_id: thread });
    await h.call(T, 'sendMessage', { chat_id: CHATS.forum, text: 'quiet', message_thread_id: thread, disable_notification: true });
    await h.call(T, 'sendPhoto', { chat_id: CHATS.forum, photo: 'https://grafana.example.com/p.png', disable_notification: true });
    expect(h.emu.messages.map((m) => m.options.disableNotification)).toStrictEqual([false, true, true]);
    expect(h.emu.chatTranscript(CHATS.forum)).toStrictEqual([
      `#${thread + 1} [topic ${thread}] loud`,
      `#${thread + 2} [topic ${thread}] (silent) quiet`,
      `#${thread + 3} (silent) [photo https://grafana.example.com/p.png 800x600]`,
    ]);
  });
});
