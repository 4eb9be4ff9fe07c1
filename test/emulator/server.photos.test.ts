// sendPhoto (URL, multipart upload, attach://, file_id), its caption and image checks and their order;
// editMessageCaption; editMessageText on a photo; the rate limits photos share with sendMessage.

import { pngHeader } from './imageBytes.js';
import { DEMO } from './scenario.js';
import {
  expectBadRequest,
  expectError,
  resultOf,
  type CallResult,
  type Harness,
  emulatorForTests,
  NOT_MODIFIED_DESCRIPTION,
} from './testkit.js';

const T = DEMO.bot.token;
const C = DEMO.chats;
const URL_PHOTO = 'https://grafana.example.com/render/d-solo/abc?panelId=2';
let h: Harness;
emulatorForTests((started) => (h = started));

/** A PNG of just its header (33 bytes) unless padded to `padTo`. */
const png = (width: number, height: number, padTo = 33): Uint8Array => pngHeader(width, height, padTo);

/** A JPEG header: SOI, an APP0 segment, then the start-of-frame that holds the size. */
function jpeg(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Array.from({ length: 14 }, () => 0)];
  const sof = [
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

function gif(width: number, height: number): Uint8Array {
  return new Uint8Array([...Buffer.from('GIF89a'), width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0]);
}

/** A multipart/form-data request, the way clients upload: text fields plus file parts. */
async function upload(
  method: string,
  fields: Record<string, string | number | boolean>,
  files: Record<string, { bytes: Uint8Array; name: string; type?: string }>,
): Promise<CallResult> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
  for (const [k, f] of Object.entries(files)) form.append(k, new Blob([f.bytes], { type: f.type ?? 'image/png' }), f.name);
  const res = await fetch(`${h.base}/bot${T}/${method}`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as CallResult['body'], headers: res.headers };
}

async function sendUrlPhoto(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return resultOf(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: URL_PHOTO, ...extra }));
}

describe('sendPhoto by URL', () => {
  test('answers a photo Message with the caption, and records the URL without fetching it', async () => {
    const m = await sendUrlPhoto({ caption: '<b>FIRING</b> DiskFull', parse_mode: 'HTML' });
    expect(m).toMatchObject({ message_id: 1, chat: { id: C.ops }, caption: 'FIRING DiskFull' });
    expect(m).not.toHaveProperty('text');
    const sizes = m.photo as Record<string, unknown>[];
    expect(sizes.map((s) => [s.width, s.height])).toStrictEqual([
      [90, 68],
      [800, 600],
    ]);
    expect(h.emu.messages[0]).toMatchObject({
      text: '',
      caption: 'FIRING DiskFull',
      rawCaption: '<b>FIRING</b> DiskFull',
      parseMode: 'HTML',
      photo: { source: 'url', url: URL_PHOTO },
    });
    expect(h.emu.chatTranscript(C.ops)).toStrictEqual([`#1 [photo ${URL_PHOTO} 800x600] FIRING DiskFull`]);
  });

  test('without a caption the Message has none', async () => {
    const m = await sendUrlPhoto();
    expect(m).not.toHaveProperty('caption');
    expect(h.emu.messages[0]?.caption).toBe('');
  });

  test('keeps the keyboard, the topic, show_caption_above_media and has_spoiler', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'Silence 1h', callback_data: 's:1' }]] };
    const m = resultOf(
      await h.call(T, 'sendPhoto', {
        chat_id: C.forum,
        message_thread_id: 42,
        photo: URL_PHOTO,
        caption: 'x',
        reply_markup: keyboard,
        show_caption_above_media: true,
        has_spoiler: true,
      }),
    );
    expect(m).toMatchObject({ message_thread_id: 42, reply_markup: keyboard, show_caption_above_media: true, has_media_spoiler: true });
  });

  test.each([
    ['a Kubernetes Service name', 'http://grafana.monitoring.svc:3000/render/x.png'],
    ['a single-label host', 'http://grafana/render/x.png'],
    ['localhost', 'http://localhost:3000/x.png'],
    ['a private address', 'http://10.1.2.3/x.png'],
    ['a link-local address', 'http://169.254.169.254/x.png'],
  ])('%s: Telegram cannot fetch it (failed to get HTTP URL content)', async (_label, url) => {
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: url }), 'failed to get HTTP URL content');
    expect(h.emu.messages).toHaveLength(0);
  });

  test('setPhotoUrl says what an address serves', async () => {
    h.emu.setPhotoUrl(URL_PHOTO, 'not-an-image');
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: URL_PHOTO }), 'wrong type of the web page content');
    h.emu.setPhotoUrl(URL_PHOTO, 'unreachable');
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: URL_PHOTO }), 'failed to get HTTP URL content');
    const internal = 'http://grafana.monitoring.svc/x.png';
    h.emu.setPhotoUrl(internal, 'image');
    expect(resultOf(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: internal }))).toHaveProperty('photo');
  });
});

describe('sendPhoto by upload', () => {
  test('a multipart PNG: its size is read, the part recorded (not its bytes)', async () => {
    const r = await upload(
      'sendPhoto',
      { chat_id: C.ops, caption: 'CPU', disable_notification: true },
      { photo: { bytes: png(1600, 900), name: 'cpu.png' } },
    );
    const m = resultOf(r);
    expect((m.photo as Record<string, unknown>[]).map((s) => [s.width, s.height])).toStrictEqual([
      [90, 51],
      [1280, 720],
    ]);
    expect(h.emu.messages[0]).toMatchObject({
      caption: 'CPU',
      options: { disableNotification: true },
      photo: { source: 'upload', fileName: 'cpu.png', contentType: 'image/png', size: 33, format: 'png', width: 1600, height: 900 },
    });
    expect(h.emu.requests.at(-1)).toMatchObject({
      method: 'sendPhoto',
      params: { chat_id: String(C.ops), caption: 'CPU', disable_notification: 'true' },
      uploads: { photo: { fileName: 'cpu.png', contentType: 'image/png', size: 33 } },
    });
    expect(h.emu.chatTranscript(C.ops)).toStrictEqual(['#1 (silent) [photo cpu.png 1600x900] CPU']);
  });

  test.each([
    ['JPEG', jpeg(640, 480), 'jpeg'],
    ['GIF', gif(320, 200), 'gif'],
  ])('a %s upload', async (_label, bytes, format) => {
    resultOf(await upload('sendPhoto', { chat_id: C.ops }, { photo: { bytes, name: `x.${format}`, type: `image/${format}` } }));
    expect(h.emu.messages[0]?.photo).toMatchObject({ format, width: format === 'jpeg' ? 640 : 320, height: format === 'jpeg' ? 480 : 200 });
  });

  test('a multipart body that does not parse is refused, and nothing is sent', async () => {
    const r = await h.post(`/bot${T}/sendPhoto`, 'multipart/form-data; boundary=xyz', 'this is not multipart');
    expectBadRequest(r, "can't parse multipart/form-data request");
    expect(h.emu.messages).toHaveLength(0);
  });

  test('photo=attach://<part> names another part', async () => {
    resultOf(await upload('sendPhoto', { chat_id: C.ops, photo: 'attach://graph' }, { graph: { bytes: png(100, 100), name: 'g.png' } }));
    expect(h.emu.messages[0]?.photo).toMatchObject({ source: 'upload', fileName: 'g.png' });
  });

  test('the file_id of an earlier photo sends it again', async () => {
    const first = await sendUrlPhoto();
    const fileId = (first.photo as { file_id: string }[])[1]?.file_id;
    const again = resultOf(await h.call(T, 'sendPhoto', { chat_id: C.group, photo: fileId }));
    expect((again.photo as { file_id: string }[])[1]?.file_id).toBe(fileId);
    expect(h.emu.messages[1]?.photo).toMatchObject({ source: 'file_id', url: URL_PHOTO });
  });

  test("another bot's file_id is not valid for this bot", async () => {
    const first = await sendUrlPhoto();
    const fileId = (first.photo as { file_id: string }[])[1]?.file_id;
    h.emu.setMembership({ chatId: C.ops, botId: DEMO.otherBot.id, status: 'administrator' });
    expectBadRequest(
      await h.call(DEMO.otherBot.token, 'sendPhoto', { chat_id: C.ops, photo: fileId }),
      'wrong file identifier/HTTP URL specified',
    );
  });

  test('an upload over 10 MB: file is too big; exactly 10 MB passes', async () => {
    const limit = 10 * 1024 * 1024;
    expectError(
      await upload('sendPhoto', { chat_id: C.ops }, { photo: { bytes: png(100, 100, limit + 1), name: 'big.png' } }),
      400,
      'Bad Request: file is too big',
    );
    resultOf(await upload('sendPhoto', { chat_id: C.ops }, { photo: { bytes: png(100, 100, limit), name: 'ok.png' } }));
    expect(h.emu.messages).toHaveLength(1);
  });

  test('an empty file: file must be non-empty', async () => {
    expectError(
      await upload('sendPhoto', { chat_id: C.ops }, { photo: { bytes: new Uint8Array(0), name: 'e.png' } }),
      400,
      'Bad Request: file must be non-empty',
    );
  });

  test('not an image: IMAGE_PROCESS_FAILED', async () => {
    const text = new TextEncoder().encode('<html>Grafana login</html>');
    expectError(
      await upload('sendPhoto', { chat_id: C.ops }, { photo: { bytes: text, name: 'x.png', type: 'image/png' } }),
      400,
      'Bad Request: IMAGE_PROCESS_FAILED',
    );
  });

  test.each([
    ['width + height over 10,000', 9000, 1001],
    ['sides more than 20 times apart', 2100, 100],
  ])('%s: PHOTO_INVALID_DIMENSIONS', async (_label, w, hgt) => {
    expectError(
      await upload('sendPhoto', { chat_id: C.ops }, { photo: { bytes: png(w, hgt), name: 'x.png' } }),
      400,
      'Bad Request: PHOTO_INVALID_DIMENSIONS',
    );
  });

  test('at the limits: 5000 + 5000, and a 20:1 ratio', async () => {
    resultOf(await upload('sendPhoto', { chat_id: C.ops }, { photo: { bytes: png(5000, 5000), name: 'a.png' } }));
    resultOf(await upload('sendPhoto', { chat_id: C.group }, { photo: { bytes: png(2000, 100), name: 'b.png' } }));
  });
});

describe('sendPhoto checks and their order', () => {
  test('no photo at all, or an attach:// part that is missing', async () => {
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops }), 'there is no photo in the request');
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: 'attach://nothing' }), 'there is no photo in the request');
  });

  test('the photo and the caption are read before the chat', async () => {
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: -1 }), 'there is no photo in the request');
    expectBadRequest(
      await h.call(T, 'sendPhoto', { chat_id: -1, photo: URL_PHOTO, caption: '<b>x', parse_mode: 'HTML' }),
      'can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    );
    expectBadRequest(
      await h.call(T, 'sendPhoto', { chat_id: -1, photo: URL_PHOTO, caption: 'x', parse_mode: 'BBCode' }),
      'unsupported parse_mode',
    );
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: -1, photo: URL_PHOTO }), 'chat not found');
  });

  test('a caption of 1024 characters after parsing passes; 1025 is too long', async () => {
    const exact = `<b>${'a'.repeat(1024)}</b>`;
    expect((await sendUrlPhoto({ caption: exact, parse_mode: 'HTML' })).caption).toHaveLength(1024);
    expectBadRequest(
      await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: URL_PHOTO, caption: 'a'.repeat(1025) }),
      'message caption is too long',
    );
  });

  test('a caption over 32768 bytes before parsing: text is too long', async () => {
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: URL_PHOTO, caption: 'a'.repeat(32769) }), 'text is too long');
  });

  test('a string that is neither a URL nor a known file_id', async () => {
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: 'grafana.png' }), 'wrong file identifier/HTTP URL specified');
  });

  test.each([
    ['a muted member', C.restrictedSupergroup, 400, 'Bad Request: not enough rights to send photos to the chat'],
    ['a channel without the post right', C.channelNoPost, 400, 'Bad Request: need administrator rights in the channel chat'],
    ['a user who blocked the bot', DEMO.users.carol, 403, 'Forbidden: bot was blocked by the user'],
    ['a kicked bot', C.kickedSupergroup, 403, 'Forbidden: bot was kicked from the supergroup chat'],
  ])('%s', async (_label, chatId, code, description) => {
    expectError(await h.call(T, 'sendPhoto', { chat_id: chatId, photo: URL_PHOTO }), code, description);
  });

  test('a restricted member with can_send_photos may send photos', async () => {
    h.emu.setMembership({
      chatId: C.restrictedSupergroup,
      botId: DEMO.bot.id,
      status: 'restricted',
      canSendMessages: true,
      canSendPhotos: true,
    });
    resultOf(await h.call(T, 'sendPhoto', { chat_id: C.restrictedSupergroup, photo: URL_PHOTO }));
  });

  test('the rights come before the caption length, which comes before the image', async () => {
    const long = 'a'.repeat(1025);
    expectError(
      await upload('sendPhoto', { chat_id: C.restrictedSupergroup, caption: long }, { photo: { bytes: new Uint8Array(0), name: 'e.png' } }),
      400,
      'Bad Request: not enough rights to send photos to the chat',
    );
    expectError(
      await upload('sendPhoto', { chat_id: C.ops, caption: long }, { photo: { bytes: new Uint8Array(0), name: 'e.png' } }),
      400,
      'Bad Request: message caption is too long',
    );
  });

  test('an unknown topic', async () => {
    expectBadRequest(
      await h.call(T, 'sendPhoto', { chat_id: C.forum, photo: URL_PHOTO, message_thread_id: 99 }),
      'message thread not found',
    );
  });
});

describe('rate limits', () => {
  test('photos and texts take from the same per-chat bucket; a refused photo costs nothing', async () => {
    h.emu.setLimits({ perChat: { capacity: 3, refill: 1, intervalMs: 1000 }, perGroup: null, perBot: null });
    await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'one' });
    await sendUrlPhoto();
    expectBadRequest(await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: 'http://grafana/x.png' }), 'failed to get HTTP URL content');
    const id = (await sendUrlPhoto()).message_id as number;
    const tooMany = { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } };
    const r = await h.call(T, 'sendPhoto', { chat_id: C.ops, photo: URL_PHOTO });
    expect(r.body).toStrictEqual(tooMany);
    expect(r.headers.get('retry-after')).toBe('1');
    expect((await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id, caption: 'new' })).body).toStrictEqual(tooMany);
    expect(h.emu.messages).toHaveLength(3);
    h.clock.advance(1000);
    resultOf(await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id, caption: 'new' }));
  });
});

describe('editMessageCaption', () => {
  test('replaces the caption, stamps edit_date, and without reply_markup removes the keyboard', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'Ack', callback_data: 'a' }]] };
    const id = (await sendUrlPhoto({ caption: 'FIRING', reply_markup: keyboard })).message_id as number;
    h.clock.advance(60_000);
    const m = resultOf(
      await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id, caption: '<i>RESOLVED</i>', parse_mode: 'HTML' }),
    );
    expect(m).toMatchObject({ message_id: id, caption: 'RESOLVED', edit_date: Math.floor(h.clock.now() / 1000) });
    expect(m).toHaveProperty('photo');
    expect(m).not.toHaveProperty('reply_markup');
    expect(h.emu.chatView(C.ops)[0]).toMatchObject({ caption: 'RESOLVED', rawCaption: '<i>RESOLVED</i>', parseMode: 'HTML', edits: 1 });
  });

  test('an empty caption removes it', async () => {
    const id = (await sendUrlPhoto({ caption: 'FIRING' })).message_id as number;
    const m = resultOf(await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id }));
    expect(m).not.toHaveProperty('caption');
  });

  test('the same caption and keyboard: message is not modified', async () => {
    const id = (await sendUrlPhoto({ caption: 'FIRING' })).message_id as number;
    expectError(
      await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id, caption: 'FIRING' }),
      400,
      NOT_MODIFIED_DESCRIPTION,
    );
  });

  test('too long after parsing', async () => {
    const id = (await sendUrlPhoto({ caption: 'FIRING' })).message_id as number;
    expectBadRequest(
      await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id, caption: 'b'.repeat(1025) }),
      'message caption is too long',
    );
  });

  test('a text message has no caption to edit', async () => {
    const id = resultOf(await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'FIRING' })).message_id as number;
    expectBadRequest(
      await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id, caption: 'x' }),
      'there is no caption in the message to edit',
    );
  });

  test('an unknown or deleted message: message to edit not found', async () => {
    expectBadRequest(await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: 77, caption: 'x' }), 'message to edit not found');
    const id = (await sendUrlPhoto({ caption: 'FIRING' })).message_id as number;
    h.emu.deleteUserSide(C.ops, id);
    expectBadRequest(await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: id, caption: 'x' }), 'message to edit not found');
  });

  test("someone else's message can't be edited", async () => {
    const posted = h.emu.postUserMessage(C.ops, DEMO.users.olga, 'hello');
    expectBadRequest(
      await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: posted.messageId, caption: 'x' }),
      "message can't be edited",
    );
  });

  test('the caption is parsed before the message is looked up', async () => {
    expectBadRequest(
      await h.call(T, 'editMessageCaption', { chat_id: C.ops, message_id: 77, caption: '<b>x', parse_mode: 'HTML' }),
      'can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    );
  });
});

describe('editMessageText on a photo', () => {
  test('there is no text in the message to edit', async () => {
    const id = (await sendUrlPhoto({ caption: 'FIRING' })).message_id as number;
    expectBadRequest(
      await h.call(T, 'editMessageText', { chat_id: C.ops, message_id: id, text: 'RESOLVED' }),
      'there is no text in the message to edit',
    );
    expect(h.emu.messages[0]).toMatchObject({ caption: 'FIRING', edits: 0 });
  });
});
