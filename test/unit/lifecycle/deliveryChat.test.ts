// The lifecycle's chat over the delivery service: the service's outcomes in the plan's terms, and the
// notification's abandon signal only until the chat has changed.
import type { Target } from '../../../src/delivery/messageOperations.js';
import { deliveryChat, type ChatOperations } from '../../../src/lifecycle/deliveryChat.js';
import { TelegramError } from '../../../src/telegram/errors.js';

const to = { token: '1:x', chatId: '-1001', spec: { parseMode: 'MarkdownV2', linkPreview: false } } as unknown as Target;
const error = (kind: TelegramError['kind'], message: string = kind) => new TelegramError({ kind, message, method: 'm' });
const failed = (e: TelegramError) => ({ kind: 'failed' as const, reason: 'Rejected' as never, error: e, transient: e.transient });

type Outcome = Awaited<ReturnType<ChatOperations['editText']>>;

function fakeService(outcomes: { send?: unknown[]; edit?: Outcome[]; markup?: Outcome[]; delete?: unknown[] } = {}) {
  const calls: { op: string; arg: Record<string, unknown> }[] = [];
  const next = <T>(list: T[] | undefined, fallback: T): T => (list && list.length > 0 ? list.shift()! : fallback);
  const service: ChatOperations = {
    send: async (_to, req) => {
      calls.push({ op: 'send', arg: req as never });
      return next(outcomes.send, { kind: 'sent', messageIds: req.parts.map((_, i) => 10 + i) }) as never;
    },
    editText: async (_to, edit) => {
      calls.push({ op: 'editText', arg: edit });
      return next(outcomes.edit, { kind: 'edited' });
    },
    editReplyMarkup: async (_to, edit) => {
      calls.push({ op: 'editReplyMarkup', arg: edit });
      return next(outcomes.markup, { kind: 'edited' });
    },
    deleteMessage: async (_to, messageId, signal) => {
      calls.push({ op: 'deleteMessage', arg: { messageId, signal } });
      return next(outcomes.delete, { kind: 'deleted' }) as never;
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

test('send: a refusal is thrown as the TelegramError it is', async () => {
  const e = error('BotKicked', 'bot was kicked');
  const { service } = fakeService({ send: [failed(e)] });
  await expect(deliveryChat(service, to).send(['x'], {})).rejects.toBe(e);
});

test.each([
  [{ kind: 'edited' }, 'edited'],
  [{ kind: 'notModified' }, 'notModified'],
  [{ kind: 'notFound' }, 'gone'],
  [{ kind: 'notEditable' }, 'gone'],
  [failed(error('ChatMigrated', 'group chat was upgraded to a supergroup chat')), 'gone'],
] as [Outcome, string][])('edit and setKeyboard: %j → %s', async (outcome, expected) => {
  const { service } = fakeService({ edit: [outcome], markup: [outcome] });
  const chat = deliveryChat(service, to);
  expect(await chat.edit(1, 'text', keyboard)).toBe(expected);
  expect(await chat.setKeyboard(1, undefined)).toBe(expected);
});

test('edit: any other failure (429 after retries, a kicked bot) is thrown', async () => {
  const e = error('RateLimited');
  const { service } = fakeService({ edit: [failed(e)] });
  await expect(deliveryChat(service, to).edit(1, 'text')).rejects.toBe(e);
});

test('edit without a keyboard asks for none (Telegram then removes the buttons); parse mode HTML', async () => {
  const { service, calls } = fakeService();
  await deliveryChat(service, to).edit(5, 'resolved');
  expect(calls[0]!.arg).toEqual({ messageId: 5, text: 'resolved', parseMode: 'HTML', source: 'alertmanager' });
});

test.each([
  [{ kind: 'deleted' }, 'deleted'],
  [{ kind: 'notFound' }, 'gone'],
  [{ kind: 'notDeletable' }, 'kept'],
])('remove: %j → %s', async (outcome, expected) => {
  const { service } = fakeService({ delete: [outcome] });
  expect(await deliveryChat(service, to).remove(3)).toBe(expected);
});

test('the abandon signal goes with every operation until one changed the chat, and with none after', async () => {
  const abandon = new AbortController().signal;
  const { service, calls } = fakeService({ edit: [{ kind: 'notFound' }] });
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
