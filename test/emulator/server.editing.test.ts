// editMessageText, editMessageReplyMarkup and deleteMessage: the documented errors, their order, time
// limits, and the rate limits edits share with sends.

import { DEMO } from './scenario.js';
import { errorOf, resultOf, startEmulator, type CallResult, type Harness, emulatorForTests, NOT_MODIFIED_DESCRIPTION } from './testkit.js';

const T = DEMO.bot.token;
const C = DEMO.chats;
const HOUR = 3_600_000;
let h: Harness;
emulatorForTests((started) => (h = started));

const buttons = { inline_keyboard: [[{ text: 'Silence 1h', callback_data: 's:1:1h' }], [{ text: 'Ack', callback_data: 'a:1' }]] };

async function sendFiring(chatId: number = C.ops, extra: Record<string, unknown> = {}): Promise<number> {
  const r = await h.call(T, 'sendMessage', {
    chat_id: chatId,
    text: '<b>FIRING</b> DiskFull',
    parse_mode: 'HTML',
    reply_markup: buttons,
    ...extra,
  });
  return resultOf(r).message_id as number;
}

function expectError(r: CallResult, code: number, description: string): void {
  expect(r.status).toBe(code);
  expect(errorOf(r)).toMatchObject({ error_code: code, description });
}

describe('editMessageText', () => {
  test('replaces the text, stamps edit_date, and without reply_markup removes the keyboard', async () => {
    const id = await sendFiring();
    h.clock.advance(60_000);
    const r = await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: '<b>RESOLVED</b> DiskFull', parse_mode: 'HTML' });
    const m = resultOf(r);
    expect(m).toMatchObject({ message_id: id, text: 'RESOLVED DiskFull', edit_date: Math.floor(h.clock.now() / 1000) });
    expect(m).not.toHaveProperty('reply_markup');
    expect(h.emu.chatView(C.ops)).toHaveLength(1);
    expect(h.emu.chatView(C.ops)[0]).toMatchObject({ text: 'RESOLVED DiskFull', edits: 1 });
    expect(h.emu.chatView(C.ops)[0]?.replyMarkup).toBeUndefined();
  });

  test('keeps or changes the keyboard when reply_markup is given', async () => {
    const id = await sendFiring();
    const unsilence = { inline_keyboard: [[{ text: 'Unsilence', callback_data: 'u:1' }]] };
    const m = resultOf(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: 'Silenced by @ann', reply_markup: unsilence }),
    );
    expect(m.reply_markup).toStrictEqual(unsilence);
    expect(h.emu.messages[0]?.replyMarkup).toStrictEqual(unsilence);
  });

  test('the same text and keyboard again: message is not modified', async () => {
    const id = await sendFiring();
    const same = { chat_id: C.ops, message_id: id, text: '<b>FIRING</b> DiskFull', parse_mode: 'HTML', reply_markup: buttons };
    expectError(await h.call(T, 'editMessageText', same), 400, NOT_MODIFIED_DESCRIPTION);
    // parse_mode is case-insensitive: "html" is the same mode.
    expectError(await h.call(T, 'editMessageText', { ...same, parse_mode: 'html' }), 400, NOT_MODIFIED_DESCRIPTION);
    // Dropping the keyboard is a change.
    const { reply_markup: _dropped, ...withoutKeyboard } = same;
    expect((await h.call(T, 'editMessageText', withoutKeyboard)).status).toBe(200);
    expect(h.emu.messages[0]?.edits).toBe(1);
  });

  test('message to edit not found: unknown, missing, deleted, or in another chat', async () => {
    const id = await sendFiring();
    const notFound = 'Bad Request: message to edit not found';
    expectError(await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id + 100, text: 'x' }), 400, notFound);
    expectError(await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: -1, text: 'x' }), 400, notFound);
    expectError(await h.call(T, 'editMessageText', { chat_id: C.group, message_id: id, text: 'x' }), 400, notFound);
    h.emu.deleteUserSide(C.ops, id);
    expectError(await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: 'x' }), 400, notFound);
  });

  test('no chat and no message id; a message id without a chat', async () => {
    expectError(await h.call(T, 'editMessageText', { text: 'x' }), 400, 'Bad Request: message identifier is not specified');
    expectError(await h.call(T, 'editMessageText', { message_id: 1, text: 'x' }), 400, 'Bad Request: chat_id is empty');
  });

  test("message can't be edited: a human's message, another bot's, one with a reply keyboard", async () => {
    const cant = "Bad Request: message can't be edited";
    const human = h.emu.postUserMessage(C.ops, DEMO.users.ann, 'ack');
    expectError(await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: human.messageId, text: 'x' }), 400, cant);

    h.emu.setMembership({ chatId: C.ops, botId: DEMO.otherBot.id, status: 'member' });
    const theirs = resultOf(await h.call(DEMO.otherBot.token, 'sendMessage', { chat_id: C.ops, text: 'from the other bot' }));
    expectError(await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: theirs.message_id, text: 'x' }), 400, cant);

    const withReplyKeyboard = await sendFiring(C.ops, { reply_markup: { keyboard: [['ok']] } });
    expectError(await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: withReplyKeyboard, text: 'x' }), 400, cant);
  });

  test('a bot edits its own messages at any age, unless a limit is configured', async () => {
    const id = await sendFiring();
    h.clock.advance(30 * 24 * HOUR);
    expect((await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: 'a month later' })).status).toBe(200);

    const e = await startEmulator(undefined, { editTimeLimitSeconds: 48 * 3600 });
    try {
      const sent = resultOf(await e.call(T, 'sendMessage', { chat_id: C.ops, text: 'FIRING' }));
      e.clock.advance(48 * HOUR - 1000);
      expect((await e.call(T, 'editMessageText', { chat_id: C.ops, message_id: sent.message_id, text: 'still in time' })).status).toBe(200);
      e.clock.advance(1000);
      const late = await e.call(T, 'editMessageText', { chat_id: C.ops, message_id: sent.message_id, text: 'too late' });
      expectError(late, 400, "Bad Request: message can't be edited");
    } finally {
      await e.emu.stop();
    }
  });

  test('order: text checks first, then the chat and message, then the parsed text, then the keyboard', async () => {
    expectError(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: 999, text: '' }),
      400,
      'Bad Request: message text is empty',
    );
    expectError(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: 999, text: '  ' }),
      400,
      'Bad Request: message to edit not found',
    );
    const id = await sendFiring();
    expectError(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: '  ' }),
      400,
      'Bad Request: text must be non-empty',
    );
    const reply = { keyboard: [['ok']] };
    expectError(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: 'x', reply_markup: reply }),
      400,
      'Bad Request: inline keyboard expected',
    );
    const long = { inline_keyboard: [[{ text: 'x', callback_data: 'y'.repeat(65) }]] };
    expectError(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: 'x', reply_markup: long }),
      400,
      'Bad Request: BUTTON_DATA_INVALID',
    );
    expect(h.emu.messages[0]?.edits).toBe(0);
  });

  test('chat access: a bot kicked from the group gets the 403', async () => {
    const id = await sendFiring(C.group);
    h.emu.kickBot(C.group, DEMO.bot.id);
    expectError(
      await h.call(T, 'editMessageText', { chat_id: C.group, message_id: id, text: 'x' }),
      403,
      'Forbidden: bot was kicked from the group chat',
    );
  });

  test('an upgraded group answers with where it went', async () => {
    const e = await startEmulator();
    try {
      const oldId = -400000077;
      const newId = -1001000000077;
      e.emu.setChat({ id: oldId, type: 'group', title: 'Soon upgraded' });
      e.emu.setMembership({ chatId: oldId, botId: DEMO.bot.id, status: 'member' });
      const sent = resultOf(await e.call(T, 'sendMessage', { chat_id: oldId, text: 'FIRING' }));
      e.emu.migrateGroup(oldId, newId);
      const r = await e.call(T, 'editMessageText', { chat_id: oldId, message_id: sent.message_id, text: 'RESOLVED' });
      expect(r.body).toStrictEqual({
        ok: false,
        error_code: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: newId },
      });
    } finally {
      await e.emu.stop();
    }
  });
});

describe('editMessageReplyMarkup', () => {
  test('changes only the buttons; removing them twice is not modified', async () => {
    const id = await sendFiring();
    const ackOnly = { inline_keyboard: [[{ text: 'Ack', callback_data: 'a:1' }]] };
    const m = resultOf(await h.call(T, 'editMessageReplyMarkup', { chat_id: C.ops, message_id: id, reply_markup: ackOnly }));
    expect(m).toMatchObject({ text: 'FIRING DiskFull', reply_markup: ackOnly });
    expectError(
      await h.call(T, 'editMessageReplyMarkup', { chat_id: C.ops, message_id: id, reply_markup: ackOnly }),
      400,
      NOT_MODIFIED_DESCRIPTION,
    );

    const removed = resultOf(await h.call(T, 'editMessageReplyMarkup', { chat_id: C.ops, message_id: id }));
    expect(removed).not.toHaveProperty('reply_markup');
    expectError(
      await h.call(T, 'editMessageReplyMarkup', { chat_id: C.ops, message_id: id, reply_markup: { inline_keyboard: [] } }),
      400,
      NOT_MODIFIED_DESCRIPTION,
    );
    expect(h.emu.messages[0]).toMatchObject({ text: 'FIRING DiskFull', edits: 2 });
  });

  test('message to edit not found', async () => {
    expectError(
      await h.call(T, 'editMessageReplyMarkup', { chat_id: C.ops, message_id: 4242 }),
      400,
      'Bad Request: message to edit not found',
    );
  });
});

describe('deleteMessage', () => {
  test('deletes once; after that, deleting or editing finds nothing', async () => {
    const id = await sendFiring();
    expect((await h.call(T, 'deleteMessage', { chat_id: C.ops, message_id: id })).body).toStrictEqual({ ok: true, result: true });
    expect(h.emu.chatView(C.ops)).toHaveLength(0);
    expect(h.emu.messages[0]?.deleted).toBe(true);
    expectError(await h.call(T, 'deleteMessage', { chat_id: C.ops, message_id: id }), 400, 'Bad Request: message to delete not found');
    expectError(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: 'x' }),
      400,
      'Bad Request: message to edit not found',
    );
  });

  test('missing parameters', async () => {
    expectError(await h.call(T, 'deleteMessage', { message_id: 1 }), 400, 'Bad Request: chat identifier is not specified');
    expectError(await h.call(T, 'deleteMessage', { chat_id: C.ops }), 400, 'Bad Request: message identifier is not specified');
  });

  test("older than 48 h: can't be deleted (supergroup) / can't be deleted for everyone (basic group)", async () => {
    const inSupergroup = await sendFiring(C.ops);
    const inGroup = await sendFiring(C.group);
    h.clock.advance(48 * HOUR + 1000);
    expectError(
      await h.call(T, 'deleteMessage', { chat_id: C.ops, message_id: inSupergroup }),
      400,
      "Bad Request: message can't be deleted",
    );
    expectError(
      await h.call(T, 'deleteMessage', { chat_id: C.group, message_id: inGroup }),
      400,
      "Bad Request: message can't be deleted for everyone",
    );
    expect(h.emu.chatView(C.ops)).toHaveLength(1);
  });

  test("a human's message needs the can_delete_messages right", async () => {
    const human = h.emu.postUserMessage(C.ops, DEMO.users.ann, 'noise');
    expectError(
      await h.call(T, 'deleteMessage', { chat_id: C.ops, message_id: human.messageId }),
      400,
      "Bad Request: message can't be deleted",
    );
    h.emu.setMembership({ chatId: C.ops, botId: DEMO.bot.id, status: 'administrator', canDeleteMessages: true });
    expect((await h.call(T, 'deleteMessage', { chat_id: C.ops, message_id: human.messageId })).status).toBe(200);
    expect(resultOf(await h.call(T, 'getChatMember', { chat_id: C.ops, user_id: DEMO.bot.id })).can_delete_messages).toBe(true);
  });
});

describe('rate limits', () => {
  test('edits and deletions count like sends; a refused edit costs nothing', async () => {
    const e = await startEmulator(undefined, {
      limits: { perChat: { capacity: 3, refill: 1, intervalMs: 1000 }, perGroup: null, perBot: null },
    });
    try {
      const sent = resultOf(await e.call(T, 'sendMessage', { chat_id: C.ops, text: 'v1' }));
      const edit = (text: string): Promise<CallResult> =>
        e.call(T, 'editMessageText', { chat_id: C.ops, message_id: sent.message_id, text });
      expect((await edit('v2')).status).toBe(200);
      expectError(await edit('v2'), 400, NOT_MODIFIED_DESCRIPTION); // refused before the limiter: free
      expect((await edit('v3')).status).toBe(200);
      const limited = await edit('v4');
      expect(limited.status).toBe(429);
      expect(limited.body).toStrictEqual({
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 1',
        parameters: { retry_after: 1 },
      });
      expect((await e.call(T, 'deleteMessage', { chat_id: C.ops, message_id: sent.message_id })).status).toBe(429);
      e.clock.advance(1000);
      expect((await edit('v4')).status).toBe(200);
    } finally {
      await e.emu.stop();
    }
  });
});
