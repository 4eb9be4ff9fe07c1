// sendMessage with reply_markup (inline keyboards) and reply_parameters: what is kept, what is refused,
// and in which order the checks run.

import { DEMO } from './scenario.js';
import { errorOf, resultOf, type Harness, emulatorForTests } from './testkit.js';

const T = DEMO.bot.token;
const C = DEMO.chats;
let h: Harness;
emulatorForTests((started) => (h = started), { perFile: true });

const keyboard = (...rows: Array<Array<Record<string, unknown>>>): Record<string, unknown> => ({ inline_keyboard: rows });
const silence = { text: 'Silence 1h', callback_data: 's:1:1h' };
const ack = { text: 'Ack', callback_data: 'a:1' };

async function send(params: Record<string, unknown>, chatId: number = C.ops): Promise<Awaited<ReturnType<Harness['call']>>> {
  return h.call(T, 'sendMessage', { chat_id: chatId, text: 'Disk full', ...params });
}

async function expect400(params: Record<string, unknown>, description: string, chatId: number = C.ops): Promise<void> {
  const r = await send(params, chatId);
  expect(r.status).toBe(400);
  expect(r.body).toStrictEqual({ ok: false, error_code: 400, description });
  expect(h.emu.messages).toHaveLength(0);
}

describe('inline keyboards', () => {
  test('are returned and stored with the message', async () => {
    const markup = keyboard([silence, { text: 'Silence 24h', callback_data: 's:1:24h' }], [ack]);
    const m = resultOf(await send({ reply_markup: markup }));
    expect(m.reply_markup).toStrictEqual(markup);
    expect(h.emu.messages[0]?.replyMarkup).toStrictEqual(markup);
    expect(h.emu.chatView(C.ops)[0]?.replyMarkup).toStrictEqual(markup);
  });

  test('a JSON string in a form body works the same', async () => {
    const r = await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'x', reply_markup: JSON.stringify(keyboard([ack])) }, 'form');
    expect(resultOf(r).reply_markup).toStrictEqual(keyboard([ack]));
  });

  test('url buttons and numeric callback_data (read as text) are kept', async () => {
    const m = resultOf(
      await send({
        reply_markup: keyboard([
          { text: 'Runbook', url: 'https://runbooks.example/disk' },
          { text: 'n', callback_data: 42 },
        ]),
      }),
    );
    expect(m.reply_markup).toStrictEqual(
      keyboard([
        { text: 'Runbook', url: 'https://runbooks.example/disk' },
        { text: 'n', callback_data: '42' },
      ]),
    );
  });

  test('callback_data: 64 bytes pass, 65 do not, counted in UTF-8 bytes', async () => {
    expect((await send({ reply_markup: keyboard([{ text: 'ok', callback_data: 'x'.repeat(64) }]) })).status).toBe(200);
    h.emu.clear();
    await expect400({ reply_markup: keyboard([{ text: 'long', callback_data: 'x'.repeat(65) }]) }, 'Bad Request: BUTTON_DATA_INVALID');
    // 33 × "é" is 33 characters but 66 bytes.
    await expect400({ reply_markup: keyboard([{ text: 'accents', callback_data: 'é'.repeat(33) }]) }, 'Bad Request: BUTTON_DATA_INVALID');
  });

  test('a button with neither callback_data nor url', async () => {
    const unallowed = "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
    await expect400({ reply_markup: keyboard([{ text: 'bare' }]) }, unallowed);
    await expect400({ reply_markup: keyboard([{ text: 'empty data', callback_data: '' }]) }, unallowed);
  });

  test('button text: missing, wrong type, only spaces', async () => {
    await expect400(
      { reply_markup: keyboard([{ callback_data: 'x' }]) },
      'Bad Request: can\'t parse inline keyboard button: Can\'t find field "text"',
    );
    await expect400(
      { reply_markup: keyboard([{ text: true, callback_data: 'x' }]) },
      'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
    );
    await expect400({ reply_markup: keyboard([{ text: '   ', callback_data: 'x' }]) }, 'Bad Request: BUTTON_TEXT_INVALID');
  });

  test('a button with empty text is dropped, as TDLib does; a keyboard left empty is no keyboard', async () => {
    const m = resultOf(
      await send({ reply_markup: keyboard([{ text: '', callback_data: 'gone' }, ack], [{ text: '', callback_data: 'gone' }]) }),
    );
    expect(m.reply_markup).toStrictEqual(keyboard([ack]));
    const none = resultOf(await send({ reply_markup: keyboard([{ text: '', callback_data: 'gone' }]) }));
    expect(none).not.toHaveProperty('reply_markup');
    expect(resultOf(await send({ reply_markup: { inline_keyboard: [] } }))).not.toHaveProperty('reply_markup');
  });

  test('at most 12 buttons a row are kept', async () => {
    const row = Array.from({ length: 15 }, (_, i) => ({ text: `b${i}`, callback_data: `d${i}` }));
    const m = resultOf(await send({ reply_markup: keyboard(row) }));
    expect((m.reply_markup as { inline_keyboard: unknown[][] }).inline_keyboard[0]).toHaveLength(12);
  });

  test.each([
    ['{not json', "Bad Request: can't parse reply keyboard markup JSON object"],
    ['[]', 'Bad Request: object expected as reply markup'],
    ['"text"', 'Bad Request: object expected as reply markup'],
    ['{"inline_keyboard":{}}', 'Bad Request: field "inline_keyboard" must be of type Array'],
    [
      '{"inline_keyboard":[{"text":"a","callback_data":"b"}]}',
      'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
    ],
    ['{"inline_keyboard":[["a"]]}', "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object"],
  ])('keyboard shape %s', async (raw, description) => {
    await expect400({ reply_markup: raw }, description);
  });

  test('shape errors come before the chat is looked at; BUTTON_DATA_INVALID only after', async () => {
    await expect400({ reply_markup: '[]' }, 'Bad Request: object expected as reply markup', C.privateNotMember);
    const r = await send({ reply_markup: keyboard([{ text: 'long', callback_data: 'x'.repeat(65) }]) }, C.privateNotMember);
    expect(errorOf(r)).toStrictEqual({ error_code: 403, description: 'Forbidden: bot is not a member of the supergroup chat', ok: false });
    // …and the text's own checks come first of all.
    await expect400({ text: '', reply_markup: '[]' }, 'Bad Request: message text is empty');
  });

  test('a reply keyboard is kept as sent but is not an inline keyboard', async () => {
    const m = resultOf(await send({ reply_markup: { keyboard: [['Yes', 'No']], one_time_keyboard: true } }));
    expect(m).not.toHaveProperty('reply_markup');
    expect(h.emu.messages[0]?.otherMarkup).toStrictEqual({ keyboard: [['Yes', 'No']], one_time_keyboard: true });
  });
});

describe('reply_parameters', () => {
  test('a reply carries the message it replies to', async () => {
    const first = resultOf(await send({ text: 'FIRING' }));
    const reply = resultOf(await send({ text: 'RESOLVED', reply_parameters: { message_id: first.message_id } }));
    expect(reply.reply_to_message).toStrictEqual(first);
    expect(h.emu.messages[1]?.replyToMessageId).toBe(first.message_id);
  });

  test('the older reply_to_message_id works too', async () => {
    const first = resultOf(await send({ text: 'FIRING' }));
    const reply = resultOf(await send({ text: 'RESOLVED', reply_to_message_id: first.message_id }, C.ops));
    expect((reply.reply_to_message as { message_id: number }).message_id).toBe(first.message_id);
  });

  test('a missing message: refused, unless sending without the reply is allowed', async () => {
    await expect400({ reply_parameters: { message_id: 999_999 } }, 'Bad Request: message to be replied not found');
    const sent = resultOf(await send({ reply_parameters: { message_id: 999_999, allow_sending_without_reply: true } }));
    expect(sent).not.toHaveProperty('reply_to_message');
  });

  test('a deleted message can no longer be replied to', async () => {
    const first = resultOf(await send({ text: 'FIRING' }));
    h.emu.deleteUserSide(C.ops, first.message_id as number);
    h.emu.messages.length = 0;
    await expect400({ reply_parameters: { message_id: first.message_id } }, 'Bad Request: message to be replied not found');
  });

  test('a reply to a human message in the chat', async () => {
    const question = h.emu.postUserMessage(C.ops, DEMO.users.ann, 'is prod down?');
    const reply = resultOf(await send({ text: 'yes', reply_parameters: { message_id: question.messageId } }));
    expect(reply.reply_to_message).toMatchObject({ message_id: question.messageId, text: 'is prod down?', from: { id: DEMO.users.ann } });
  });

  test.each([
    ['{oops', "Bad Request: can't parse reply parameters JSON object"],
    ['[1]', 'Bad Request: object expected as reply parameters'],
    ['{"allow_sending_without_reply":true}', 'Bad Request: can\'t find field "message_id"'],
    ['{"message_id":"first"}', 'Bad Request: field "message_id" must be a Number'],
  ])('malformed reply_parameters %s', async (raw, description) => {
    const r = await send({ reply_parameters: raw });
    expect(errorOf(r).description).toBe(description);
  });
});
