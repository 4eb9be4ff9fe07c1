// Button presses (the pressButton hook → callback_query updates), answerCallbackQuery, and the bot being
// added to or removed from a chat (changeBotMembership → my_chat_member), with getChatMember agreeing.

import { QUERY_TOO_OLD } from './callbacks.js';
import { DEMO, type Update } from './scenario.js';
import { errorOf, resultOf, startEmulator, type CallResult, type Harness, emulatorForTests } from './testkit.js';

const T = DEMO.bot.token;
const C = DEMO.chats;
const users = {
  admin: { id: 200001, firstName: 'Ada', username: 'ada_oncall' },
  member: { id: 200002, firstName: 'Max' },
  stranger: { id: 200003, firstName: 'Sam', username: 'sam_elsewhere' },
};
const buttons = {
  inline_keyboard: [[{ text: 'Silence 1h', callback_data: 's:7:1h' }], [{ text: 'Ack', callback_data: 'a:7' }]],
};
let h: Harness;

emulatorForTests((started) => {
  h = started;
  h.emu.setChatMember(C.ops, users.admin, 'administrator');
  h.emu.setChatMember(C.ops, users.member, 'member');
  h.emu.setUser(users.stranger); // known to Telegram, not in the chat
});

async function sendFiring(): Promise<number> {
  return resultOf(await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'FIRING DiskFull', reply_markup: buttons })).message_id as number;
}

const updates = async (params: Record<string, unknown> = {}): Promise<Update[]> =>
  resultOf<Update[]>(await h.call(T, 'getUpdates', params));

function expectTooOld(r: CallResult): void {
  expect(r.status).toBe(400);
  expect(r.body).toStrictEqual({ ok: false, error_code: 400, description: `Bad Request: ${QUERY_TOO_OLD}` });
}

describe('pressButton', () => {
  test('a press by an admin, a member and a stranger: one callback_query each, getChatMember tells them apart', async () => {
    const id = await sendFiring();
    const presses = [users.admin, users.member, users.stranger].map((u) =>
      h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: u.id, button: 's:7:1h' }),
    );
    expect(new Set(presses.map((p) => p.id)).size).toBe(3);

    const got = await updates();
    expect(got).toHaveLength(3);
    const first = got[0]!.callback_query as Record<string, any>;
    expect(first).toStrictEqual({
      id: presses[0]!.id,
      from: { id: users.admin.id, is_bot: false, first_name: 'Ada', username: 'ada_oncall' },
      message: {
        message_id: id,
        from: { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts', username: 'ops_alerts_bot' },
        chat: { id: C.ops, title: 'Ops', type: 'supergroup' },
        date: Math.floor(h.clock.now() / 1000),
        text: 'FIRING DiskFull',
        reply_markup: buttons,
      },
      chat_instance: expect.stringMatching(/^-?\d+$/),
      data: 's:7:1h',
    });
    expect(typeof first.id).toBe('string');
    expect(got.map((u) => (u.callback_query as any).from.id)).toEqual([users.admin.id, users.member.id, users.stranger.id]);
    expect((got[2]!.callback_query as any).chat_instance).toBe(first.chat_instance);

    const status = async (userId: number): Promise<unknown> =>
      resultOf(await h.call(T, 'getChatMember', { chat_id: C.ops, user_id: userId })).status;
    expect(await status(users.admin.id)).toBe('administrator');
    expect(await status(users.member.id)).toBe('member');
    expect(await status(users.stranger.id)).toBe('left');
  });

  test('the demo scenario names its people: Olga (admin), Max (member), Sam (not in Ops)', async () => {
    const id = await sendFiring();
    const status = async (userId: number): Promise<unknown> =>
      resultOf(await h.call(T, 'getChatMember', { chat_id: C.ops, user_id: userId })).status;
    expect([await status(DEMO.users.olga), await status(DEMO.users.max), await status(DEMO.users.sam)]).toEqual([
      'administrator',
      'member',
      'left',
    ]);
    h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: DEMO.users.sam, button: 'Ack' });
    expect(((await updates())[0]!.callback_query as any).from).toStrictEqual({
      id: DEMO.users.sam,
      is_bot: false,
      first_name: 'Sam',
      username: 'sam_elsewhere',
    });
  });

  test('a button by its label; the message as it is now (after an edit)', async () => {
    const id = await sendFiring();
    const acked = { inline_keyboard: [[{ text: 'Silence 1h', callback_data: 's:7:1h' }]] };
    await h.call(T, 'editMessageText', {
      chat_id: C.ops,
      message_id: id,
      text: 'FIRING DiskFull\nTaken by @ada_oncall',
      reply_markup: acked,
    });
    h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.member.id, button: 'Silence 1h' });
    const q = (await updates())[0]!.callback_query as Record<string, any>;
    expect(q.data).toBe('s:7:1h');
    expect(q.message).toMatchObject({ text: 'FIRING DiskFull\nTaken by @ada_oncall', reply_markup: acked, edit_date: expect.any(Number) });
  });

  test('no such button, a removed button, a deleted message, an unknown user: the hook throws', async () => {
    const id = await sendFiring();
    expect(() => h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Reboot' })).toThrow(
      /no button "Reboot"/,
    );
    expect(() => h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: 999, button: 'Ack' })).toThrow(/user 999/);
    await h.call(T, 'editMessageReplyMarkup', { chat_id: C.ops, message_id: id });
    expect(() => h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Ack' })).toThrow(/no button/);
    await h.call(T, 'deleteMessage', { chat_id: C.ops, message_id: id });
    expect(() => h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Ack' })).toThrow(/no message/);
    expect(await updates()).toEqual([]);
  });

  test('a modified client can send any callback_data', async () => {
    const id = await sendFiring();
    h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.stranger.id, forgedData: 's:1:9999h' });
    expect(((await updates())[0]!.callback_query as any).data).toBe('s:1:9999h');
  });

  test('a press wakes a pending long poll', async () => {
    const id = await sendFiring();
    const poll = h.call(T, 'getUpdates', { timeout: 30, allowed_updates: ['callback_query'] });
    await new Promise((r) => setTimeout(r, 100));
    h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Ack' });
    // Woken by the press: the 30 s timeout would have answered with no update at all.
    const got = resultOf<Update[]>(await poll);
    expect(got.map((u) => (u.callback_query as any).data)).toEqual(['a:7']);
  });

  test('an unread press leaves the queue after 150 s, as on the server', async () => {
    const id = await sendFiring();
    h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Ack' });
    h.clock.advance(149_000);
    expect(resultOf(await h.call(T, 'getWebhookInfo')).pending_update_count).toBe(1);
    h.clock.advance(1_000);
    expect(await updates()).toEqual([]);
    expect(resultOf(await h.call(T, 'getWebhookInfo')).pending_update_count).toBe(0);
  });
});

describe('answerCallbackQuery', () => {
  test('answers once, with text and show_alert recorded', async () => {
    const id = await sendFiring();
    const press = h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.member.id, button: 'Ack' });
    const text = 'Only chat administrators can silence alerts here.';
    const r = await h.call(T, 'answerCallbackQuery', { callback_query_id: press.id, text, show_alert: true });
    expect(r.body).toStrictEqual({ ok: true, result: true });
    expect(h.emu.callbackQueries[0]?.answer).toMatchObject({ text, showAlert: true, cacheTime: 0 });
    expectTooOld(await h.call(T, 'answerCallbackQuery', { callback_query_id: press.id, text: 'again' }));
  });

  test('too late (15 s of emulator time), unknown, or another bot’s query', async () => {
    const id = await sendFiring();
    const late = h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Ack' });
    h.clock.advance(15_001);
    expectTooOld(await h.call(T, 'answerCallbackQuery', { callback_query_id: late.id }));
    expectTooOld(await h.call(T, 'answerCallbackQuery', { callback_query_id: '123456789' }));
    expectTooOld(await h.call(T, 'answerCallbackQuery', {}));
    const fresh = h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Ack' });
    expectTooOld(await h.call(DEMO.otherBot.token, 'answerCallbackQuery', { callback_query_id: fresh.id }));
    expect((await h.call(T, 'answerCallbackQuery', { callback_query_id: fresh.id })).status).toBe(200);
  });

  test('text: 200 characters at most', async () => {
    const id = await sendFiring();
    const a = h.emu.pressButton(T, { chatId: C.ops, messageId: id, userId: users.admin.id, button: 'Ack' });
    const tooLong = await h.call(T, 'answerCallbackQuery', { callback_query_id: a.id, text: 'x'.repeat(201) });
    expect(errorOf(tooLong)).toMatchObject({ error_code: 400, description: 'Bad Request: MESSAGE_TOO_LONG' });
    // Refused, not answered: the same query can still be answered.
    expect((await h.call(T, 'answerCallbackQuery', { callback_query_id: a.id, text: '✓'.repeat(200) })).status).toBe(200);
  });

  test('the answer window is configurable', async () => {
    const e = await startEmulator(undefined, { callbackAnswerTimeoutMs: 60_000 });
    try {
      e.emu.setUser(users.admin);
      const sent = resultOf(await e.call(T, 'sendMessage', { chat_id: C.ops, text: 'x', reply_markup: buttons }));
      const press = e.emu.pressButton(T, { chatId: C.ops, messageId: sent.message_id as number, userId: users.admin.id, button: 'Ack' });
      e.clock.advance(30_000);
      expect((await e.call(T, 'answerCallbackQuery', { callback_query_id: press.id })).status).toBe(200);
    } finally {
      await e.emu.stop();
    }
  });
});

describe('changeBotMembership (my_chat_member)', () => {
  test('added as administrator, then removed: updates, getChatMember and sends agree', async () => {
    h.emu.setChat({ id: -1001000000500, type: 'supergroup', title: 'New Team' });
    const added = h.emu.changeBotMembership(T, -1001000000500, 'administrator', users.admin.id);
    expect(added).toBeDefined();
    const bot = { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts', username: 'ops_alerts_bot' };
    expect((await updates())[0]).toStrictEqual({
      update_id: added!.update_id,
      my_chat_member: {
        chat: { id: -1001000000500, title: 'New Team', type: 'supergroup' },
        from: { id: users.admin.id, is_bot: false, first_name: 'Ada', username: 'ada_oncall' },
        date: Math.floor(h.clock.now() / 1000),
        old_chat_member: { user: bot, status: 'left' },
        new_chat_member: expect.objectContaining({ user: bot, status: 'administrator', can_manage_chat: true }),
      },
    });
    expect(resultOf(await h.call(T, 'getChatMember', { chat_id: -1001000000500, user_id: DEMO.bot.id })).status).toBe('administrator');
    expect((await h.call(T, 'sendMessage', { chat_id: -1001000000500, text: 'hello' })).status).toBe(200);

    const removed = h.emu.changeBotMembership(T, -1001000000500, 'kicked', users.admin.id);
    const last = (await updates({ offset: removed!.update_id }))[0]!.my_chat_member as Record<string, any>;
    expect(last.old_chat_member.status).toBe('administrator');
    expect(last.new_chat_member).toMatchObject({ status: 'kicked', until_date: 0 });
    const refused = await h.call(T, 'sendMessage', { chat_id: -1001000000500, text: 'still there?' });
    expect(errorOf(refused)).toMatchObject({ error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat' });
  });

  test('an unknown chat or user is a test mistake', () => {
    expect(() => h.emu.changeBotMembership(T, -1009999, 'member', users.admin.id)).toThrow(/no group/);
    expect(() => h.emu.changeBotMembership(T, C.ops, 'member', 4242)).toThrow(/user 4242/);
  });
});
