// The lifecycle's chat over the delivery service: the requests it makes (HTML, buttons, reply, the
// source), results passed through, a failure thrown as the DeliveryError it is, and the notification's
// abandon signal only until the chat has changed. What Telegram's answers mean (an edit of a message
// that is gone) is the service's, tested against the emulator in test/unit/delivery/service.test.ts.
import { DeliveryError } from '../../../src/delivery/deliveryError.js';
import type { EditResult, RemoveResult, Target } from '../../../src/delivery/messageOperations.js';
import { deliveryChat, type ChatOperations } from '../../../src/lifecycle/deliveryChat.js';
import { TelegramError } from '../../../src/telegram/errors.js';

const to = { token: '1:x', chatId: '-1001', spec: { parseMode: 'MarkdownV2', linkPreview: false } } as unknown as Target;
const refusal = (kind: TelegramError['kind'], message: string = kind) =>
  new DeliveryError(new TelegramError({ kind, message, method: 'm' }));

type Answer<T> = T | DeliveryError;
function fakeService(
  answers: { edit?: Answer<EditResult>[]; markup?: Answer<EditResult>[]; delete?: Answer<RemoveResult>[]; send?: DeliveryError[] } = {},
) {
  const calls: { op: string; arg: Record<string, unknown> }[] = [];
  const next = async <T>(list: Answer<T>[] | undefined, fallback: T): Promise<T> => {
    const a = list && list.length > 0 ? list.shift()! : fallback;
    if (a instanceof DeliveryError) throw a;
    return a;
  };
  const service: ChatOperations = {
    send: async (_to, req) => {
      calls.push({ op: 'send', arg: req as never });
      const refused = answers.send?.shift();
      if (refused) throw refused;
      return { messageIds: req.parts.map((_, i) => 10 + i) };
    },
    editText: async (_to, edit) => {
      calls.push({ op: 'editText', arg: edit });
      return next(answers.edit, 'edited');
    },
    editReplyMarkup: async (_to, edit) => {
      calls.push({ op: 'editReplyMarkup', arg: edit });
      return next(answers.markup, 'edited');
    },
    deleteMessage: async (_to, messageId, signal, source) => {
      calls.push({ op: 'deleteMessage', arg: { messageId, signal, source } });
      return next(answers.delete, 'deleted');
    },
  };
  return { service, calls };
}

const keyboard = { inline_keyboard: [[{ text: 'Ack', callback_data: 'a:abcdefghijklmnop' }]] };

test('send: HTML (the rendering is HTML whatever the channel parses), buttons and reply on the request, ids back', async () => {
  const { service, calls } = fakeService();
  const ids = await deliveryChat(service, to).send(['one', 'two'], { keyboard, replyTo: 7 });
  expect(ids).toEqual([10, 11]);
  expect(calls[0]!.arg).toMatchObject({ parts: ['one', 'two'], parseMode: 'HTML', replyMarkup: keyboard, replyToMessageId: 7 });
  expect(calls[0]!.arg.source).toBe('alertmanager');
});

test('every operation carries the notification’s source', async () => {
  const { service, calls } = fakeService();
  const chat = deliveryChat(service, to, { source: 'example' });
  await chat.send(['x'], {});
  await chat.edit(1, 'y');
  await chat.setKeyboard(1, undefined);
  await chat.remove(1);
  expect(calls.map((c) => c.arg.source)).toEqual(['example', 'example', 'example', 'example']);
});

test('send: a refusal is thrown as the DeliveryError it is', async () => {
  const e = refusal('BotKicked', 'bot was kicked');
  const { service } = fakeService({ send: [e] });
  await expect(deliveryChat(service, to).send(['x'], {})).rejects.toBe(e);
});

test.each(['edited', 'notModified', 'gone'] as EditResult[])('edit and setKeyboard: the service’s %s comes back', async (result) => {
  const { service } = fakeService({ edit: [result], markup: [result] });
  const chat = deliveryChat(service, to);
  expect(await chat.edit(1, 'text', keyboard)).toBe(result);
  expect(await chat.setKeyboard(1, undefined)).toBe(result);
});

test('edit: any other failure (429 after retries, a kicked bot) is thrown', async () => {
  const e = refusal('RateLimited');
  const { service } = fakeService({ edit: [e] });
  await expect(deliveryChat(service, to).edit(1, 'text')).rejects.toBe(e);
});

test('edit without a keyboard asks for none (Telegram then removes the buttons); parse mode HTML', async () => {
  const { service, calls } = fakeService();
  await deliveryChat(service, to).edit(5, 'resolved');
  expect(calls[0]!.arg).toEqual({ messageId: 5, text: 'resolved', parseMode: 'HTML', source: 'alertmanager' });
});

test.each(['deleted', 'gone', 'kept'] as RemoveResult[])('remove: the service’s %s comes back', async (result) => {
  const { service } = fakeService({ delete: [result] });
  expect(await deliveryChat(service, to).remove(3)).toBe(result);
});

test('the abandon signal goes with every operation until one changed the chat, and with none after', async () => {
  const abandon = new AbortController().signal;
  const { service, calls } = fakeService({ edit: ['gone'] });
  const chat = deliveryChat(service, to, { abandon });
  expect(await chat.edit(1, 'a')).toBe('gone'); // nothing changed yet
  await chat.send(['b'], {}); // the chat changed: what follows must be finished
  await chat.setKeyboard(1, undefined);
  await chat.remove(2);
  expect(calls.map((c) => [c.op, c.arg.signal === abandon])).toEqual([
    ['editText', true],
    ['send', true],
    ['editReplyMarkup', false],
    ['deleteMessage', false],
  ]);
});
