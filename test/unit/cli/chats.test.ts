import { chatLabel, describeSeen, discoverChats, findChat, noteFor } from '../../../src/cli/chats.js';

const bot = { id: 777, is_bot: true, first_name: 'Bot', username: 'my_bot' };
const ann = { id: 42, is_bot: false, first_name: 'Ann' };

const added = (update_id: number, chat: object, status = 'member', old = 'left') => ({
  update_id,
  my_chat_member: {
    chat,
    from: ann,
    date: 1731694400 + update_id,
    old_chat_member: { user: bot, status: old },
    new_chat_member: { user: bot, status },
  },
});
const message = (update_id: number, chat: object, extra: object = {}, field = 'message') => ({
  update_id,
  [field]: { message_id: update_id, chat, date: 1731694400 + update_id, ...extra },
});

const OPS = { id: -1001557912345, title: 'Ops', type: 'supergroup' };

describe('discoverChats', () => {
  test('no updates: no chats', () => {
    expect(discoverChats([])).toEqual({ chats: [], updates: 0, withoutChat: 0 });
  });

  test('each chat once, id with its sign as a string, with how it was seen', () => {
    const { chats } = discoverChats([
      added(1, OPS, 'administrator'),
      message(2, OPS, { text: 'hi' }),
      message(3, OPS, {}, 'edited_message'),
    ]);
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({
      id: '-1001557912345',
      type: 'supergroup',
      title: 'Ops',
      botStatus: 'administrator',
      seenVia: ['my_chat_member', 'message', 'edited_message'],
    });
    expect(describeSeen(chats[0]!)).toBe('bot added (administrator), message, edited message');
  });

  test('the latest my_chat_member wins (update order, not array order)', () => {
    const { chats } = discoverChats([added(5, OPS, 'left', 'member'), added(4, OPS, 'member')]);
    expect(chats[0]!.botStatus).toBe('left');
    expect(describeSeen(chats[0]!)).toBe('bot removed');
    expect(noteFor(chats[0]!)).toMatch(/no longer in this chat/);
    const kicked = discoverChats([added(1, OPS, 'kicked', 'member')]).chats[0]!;
    expect(describeSeen(kicked)).toBe('bot banned');
    expect(noteFor(kicked)).toMatch(/banned/);
  });

  test('channel posts, private chats and chat_member updates', () => {
    const channel = { id: -1001000000007, title: 'Ops Channel', username: 'ops_channel', type: 'channel' };
    const priv = { id: 100001, first_name: 'Ann', last_name: 'Lee', username: 'ann', type: 'private' };
    const { chats } = discoverChats([
      message(1, channel, { text: 'x' }, 'channel_post'),
      message(2, priv, { text: '/start' }),
      {
        update_id: 3,
        chat_member: { chat: { id: -400000002, title: 'Small Team', type: 'group' }, date: 1, old_chat_member: {}, new_chat_member: {} },
      },
    ]);
    expect(chats.map((c) => [c.id, c.type, chatLabel(c), describeSeen(c)])).toEqual([
      ['-400000002', 'group', 'Small Team', 'member update'],
      ['100001', 'private', 'Ann Lee (@ann)', 'message'],
      ['-1001000000007', 'channel', 'Ops Channel (@ops_channel)', 'channel post'],
    ]);
    expect(noteFor(chats[1]!)).toMatch(/private chat/);
  });

  test('a subscriber bot in a channel is told it must be an administrator', () => {
    const c = discoverChats([added(1, { id: -1001, title: 'C', type: 'channel' }, 'member')]).chats[0]!;
    expect(noteFor(c)).toMatch(/administrator with "Post messages"/);
  });

  test('migrate_to_chat_id: the new id is listed first, the old one marked as upgraded', () => {
    const old = { id: -400000001, title: 'Legacy Ops', type: 'group' };
    const { chats } = discoverChats([message(1, old, { text: 'hi' }), message(2, old, { migrate_to_chat_id: -1001000000004 })]);
    expect(chats.map((c) => c.id)).toEqual(['-1001000000004', '-400000001']);
    expect(chats[0]).toMatchObject({ type: 'supergroup', title: 'Legacy Ops', upgradedFrom: '-400000001' });
    expect(chats[1]).toMatchObject({ type: 'group', upgradedTo: '-1001000000004' });
    expect(noteFor(chats[1]!)).toBe('upgraded to a supergroup: use -1001000000004');
    expect(noteFor(chats[0]!)).toMatch(/was basic group -400000001/);
  });

  test('migrate_from_chat_id (the service message in the new supergroup) links the same way', () => {
    const fresh = { id: -1001000000004, title: 'Legacy Ops', type: 'supergroup' };
    const { chats } = discoverChats([message(7, fresh, { migrate_from_chat_id: -400000001 })]);
    expect(chats.map((c) => [c.id, c.upgradedTo, c.upgradedFrom])).toEqual([
      ['-1001000000004', undefined, '-400000001'],
      ['-400000001', '-1001000000004', undefined],
    ]);
  });

  test('an upgraded group stays last even when it was seen most recently', () => {
    const old = { id: -400000001, title: 'Legacy', type: 'group' };
    const { chats } = discoverChats([
      message(1, old, { migrate_to_chat_id: -1001000000004 }),
      added(2, OPS),
      message(3, old, { text: 'late' }),
    ]);
    expect(chats.map((c) => c.id)).toEqual(['-1001557912345', '-1001000000004', '-400000001']);
  });

  test('most recently seen first; updates without a chat are counted, garbage ignored', () => {
    const r = discoverChats([
      added(1, OPS),
      added(2, { id: -1002, title: 'B', type: 'supergroup' }),
      { update_id: 3, inline_query: { id: 'x', from: ann, query: 'q' } },
      null,
      'junk',
      { update_id: 4, message: { chat: { id: 'not-a-number' } } },
    ]);
    expect(r.chats.map((c) => c.id)).toEqual(['-1002', '-1001557912345']);
    expect(r.updates).toBe(4);
    expect(r.withoutChat).toBe(2);
  });

  test('a forum is marked, with a hint about messageThreadId', () => {
    const c = discoverChats([added(1, { id: -1003, title: 'F', type: 'supergroup', is_forum: true })]).chats[0]!;
    expect(c.isForum).toBe(true);
    expect(noteFor(c)).toMatch(/messageThreadId/);
  });
});

describe('findChat', () => {
  const { chats } = discoverChats([
    added(1, { id: -1001000000007, title: 'Ops Channel', username: 'Ops_Channel', type: 'channel' }),
    message(2, { id: -400000001, title: 'Legacy', type: 'group' }, { migrate_to_chat_id: -1001000000004 }),
    added(3, { id: -400000002, title: 'Small', type: 'group' }),
  ]);

  test('exact id and @username (case-insensitive)', () => {
    expect(findChat(chats, '-1001000000007')?.chat.id).toBe('-1001000000007');
    expect(findChat(chats, '@ops_channel')?.chat.id).toBe('-1001000000007');
  });
  test('a missing minus sign is found and explained', () => {
    expect(findChat(chats, '1001000000007')).toMatchObject({
      chat: { id: '-1001000000007' },
      note: expect.stringMatching(/no minus sign/),
    });
    expect(findChat(chats, '400000002')?.chat.id).toBe('-400000002');
    expect(findChat(chats, '1000000007')?.chat.id).toBe('-1001000000007');
  });
  test('an upgraded group resolves to its supergroup', () => {
    expect(findChat(chats, '-400000001')).toMatchObject({ chat: { id: '-1001000000004' }, note: expect.stringMatching(/upgraded/) });
  });
  test('unknown: undefined', () => {
    expect(findChat(chats, '-999')).toBeUndefined();
  });
});
