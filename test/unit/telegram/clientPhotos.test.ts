// sendPhoto (multipart upload, file_id, URL) and editMessageCaption over real HTTP against the emulator:
// the options sendMessage takes reach Telegram, results are parsed, and Telegram's photo and caption
// refusals are classified (and carry no token).
import { TelegramClient, type PhotoUpload } from '../../../src/telegram/client.js';
import { TelegramError, type TelegramErrorKind } from '../../../src/telegram/errors.js';
import { pngHeader } from '../../emulator/imageBytes.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';

const TOKEN = DEMO.bot.token;
const SECRET = TOKEN.split(':')[1]!;
const OPS = DEMO.chats.ops;
const FORUM = DEMO.chats.forum;

let emu: TelegramEmulator;
let client: TelegramClient;

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario(), { limits: false, pollingQuirks: false, conflictDelayMs: 0 });
  client = new TelegramClient(await emu.start());
});
afterEach(async () => {
  await emu.stop();
});

/** A PNG header (signature and IHDR with its size), padded to `size` bytes. */
function png(width: number, height: number, size = 64): PhotoUpload {
  return { bytes: pngHeader(width, height, size), filename: 'image.png', contentType: 'image/png' };
}

async function failure(p: Promise<unknown>): Promise<TelegramError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TelegramError);
    const err = e as TelegramError;
    expect(`${err.message} ${err.description ?? ''} ${JSON.stringify(err)}`).not.toContain(SECRET);
    return err;
  }
  throw new Error('expected a TelegramError');
}

test('an uploaded photo with an HTML caption, keyboard, topic and silence arrives as sent', async () => {
  const keyboard = { inline_keyboard: [[{ text: 'Silence 1h', callback_data: 's:1h' }]] };
  const message = await client.sendPhoto(TOKEN, {
    chat_id: FORUM,
    photo: png(800, 600),
    caption: '<b>High CPU</b> &amp; more',
    parse_mode: 'HTML',
    message_thread_id: 42,
    disable_notification: true,
    reply_markup: keyboard,
  });
  expect(message.photo.at(-1)).toEqual(expect.objectContaining({ width: 800, height: 600 }));
  expect(message.caption).toBe('High CPU & more');
  const [stored] = emu.chatView(FORUM).filter((m) => m.messageId === message.message_id);
  expect(stored?.photo).toEqual(expect.objectContaining({ source: 'upload', fileName: 'image.png', contentType: 'image/png', size: 64 }));
  expect(stored?.caption).toBe('High CPU & more');
  expect(stored?.threadId).toBe(42);
  expect(stored?.options.disableNotification).toBe(true);
  expect(stored?.replyMarkup).toEqual(keyboard);
});

test('a photo as a reply, and again by its file_id without uploading', async () => {
  const first = await client.sendMessage(TOKEN, { chat_id: OPS, text: 'the alert' });
  const photo = await client.sendPhoto(TOKEN, {
    chat_id: OPS,
    photo: png(100, 100),
    reply_parameters: { message_id: first.message_id, allow_sending_without_reply: true },
  });
  const again = await client.sendPhoto(TOKEN, { chat_id: OPS, photo: photo.photo.at(-1)!.file_id });
  const view = emu.chatView(OPS);
  expect(view.find((m) => m.messageId === photo.message_id)?.replyToMessageId).toBe(first.message_id);
  expect(view.find((m) => m.messageId === again.message_id)?.photo?.source).toBe('file_id');
});

test('an upload of 10 MiB, Telegram limit, goes through whole', async () => {
  const big = png(1000, 1000, 10 * 1024 * 1024);
  const message = await client.sendPhoto(TOKEN, { chat_id: OPS, photo: big });
  expect(emu.chatView(OPS).find((m) => m.messageId === message.message_id)?.photo?.size).toBe(10 * 1024 * 1024);
});

test.each<[string, TelegramErrorKind, string, () => Promise<unknown>]>([
  [
    'a caption over 1,024 characters',
    'CaptionTooLong',
    'message caption is too long',
    () => client.sendPhoto(TOKEN, { chat_id: OPS, photo: png(10, 10), caption: 'x'.repeat(1025) }),
  ],
  [
    'bytes that are no image',
    'PhotoInvalid',
    'IMAGE_PROCESS_FAILED',
    () => client.sendPhoto(TOKEN, { chat_id: OPS, photo: { ...png(10, 10), bytes: new TextEncoder().encode('<html>login</html>') } }),
  ],
  [
    'an image 30 times wider than high',
    'PhotoInvalid',
    'PHOTO_INVALID_DIMENSIONS',
    () => client.sendPhoto(TOKEN, { chat_id: OPS, photo: png(3000, 100) }),
  ],
  [
    'an unknown file_id',
    'PhotoInvalid',
    'wrong file identifier/HTTP URL specified',
    () => client.sendPhoto(TOKEN, { chat_id: OPS, photo: 'AgACAgIAAxkBAAIunknown' }),
  ],
  [
    'a URL only the cluster resolves',
    'PhotoInvalid',
    'failed to get HTTP URL content',
    () => client.sendPhoto(TOKEN, { chat_id: OPS, photo: 'http://grafana.monitoring.svc:3000/x.png' }),
  ],
  [
    'an empty upload',
    'PhotoInvalid',
    'file must be non-empty',
    () => client.sendPhoto(TOKEN, { chat_id: OPS, photo: { ...png(10, 10), bytes: new Uint8Array(0) } }),
  ],
])('%s is refused as %s (%s)', async (_what, kind, words, call) => {
  const err = await failure(call());
  expect(err.kind).toBe(kind);
  expect(err.transient).toBe(false);
  expect(err.description).toContain(words);
});

test('editMessageCaption edits a photo; on a text message it is MessageHasNoCaption, and editMessageText on a photo MessageHasNoText', async () => {
  const photo = await client.sendPhoto(TOKEN, { chat_id: OPS, photo: png(10, 10), caption: '🔥 firing', parse_mode: 'HTML' });
  await client.editMessageCaption(TOKEN, { chat_id: OPS, message_id: photo.message_id, caption: '<b>✅ resolved</b>', parse_mode: 'HTML' });
  expect(emu.chatView(OPS).find((m) => m.messageId === photo.message_id)?.caption).toBe('✅ resolved');

  const same = await failure(
    client.editMessageCaption(TOKEN, { chat_id: OPS, message_id: photo.message_id, caption: '<b>✅ resolved</b>', parse_mode: 'HTML' }),
  );
  expect(same.kind).toBe('MessageNotModified');
  const long = await failure(client.editMessageCaption(TOKEN, { chat_id: OPS, message_id: photo.message_id, caption: 'y'.repeat(1025) }));
  expect(long.kind).toBe('CaptionTooLong');

  const text = await client.sendMessage(TOKEN, { chat_id: OPS, text: 'plain' });
  const noCaption = await failure(client.editMessageCaption(TOKEN, { chat_id: OPS, message_id: text.message_id, caption: 'x' }));
  expect(noCaption.kind).toBe('MessageHasNoCaption');
  const noText = await failure(client.editMessageText(TOKEN, { chat_id: OPS, message_id: photo.message_id, text: 'x' }));
  expect(noText.kind).toBe('MessageHasNoText');
  const gone = await failure(client.editMessageCaption(TOKEN, { chat_id: OPS, message_id: 999_999, caption: 'x' }));
  expect(gone.kind).toBe('MessageNotFound');
});

test('line breaks, quotes and non-ASCII in the parts arrive exactly as sent (no CRLF rewriting)', async () => {
  const caption = '🔥 line 1\nline "2"\r\n--boundary-like\n';
  const message = await client.sendPhoto(TOKEN, { chat_id: OPS, photo: { ...png(10, 10), filename: 'a"b\r\n.png' }, caption });
  const stored = emu.chatView(OPS).find((m) => m.messageId === message.message_id);
  expect(stored?.rawCaption).toBe(caption);
  expect(stored?.photo?.fileName).toBe('a_b__.png');
  expect(emu.requests.at(-1)?.params).toEqual(expect.objectContaining({ chat_id: String(OPS), caption }));
});
