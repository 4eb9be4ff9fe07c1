// Photos through the sender, against the emulator over real HTTP: a fetched image uploaded with the
// alert as its caption, a long alert continued as replies to the photo, a photo Telegram refuses as an
// outcome (the alert goes as text), caption edits with their outcomes, and the same buckets as messages.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedChannel } from '../../../src/credentials/resolver.js';
import { escapeHtml } from '../../../src/format/html.js';
import { parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { editCaption, imageHostCheck, imageNoteHtml, sendPhoto } from '../../../src/delivery/photos.js';
import { DeliveryError } from '../../../src/delivery/deliveryError.js';
import { Sender } from '../../../src/delivery/sender.js';
import { fetchImage } from '../../../src/net/imageFetch.js';
import { TelegramClient, type PhotoUpload } from '../../../src/telegram/client.js';
import { pngHeader } from '../../emulator/imageBytes.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';

const spec = { tokenSecretRef: { name: 'bot', key: 'token' }, chatId: String(DEMO.chats.ops), parseMode: 'HTML', linkPreview: false };
const channel = (chatId: number, more: Record<string, unknown> = {}): ResolvedChannel => ({
  spec: { ...spec, chatId: String(chatId), ...more } as unknown as ResolvedChannel['spec'],
  token: DEMO.bot.token,
  chatId: String(chatId),
});
const ops = channel(DEMO.chats.ops);

let emu: TelegramEmulator;
let sender: Sender;
let base: string;

async function start(limits: boolean): Promise<void> {
  emu = new TelegramEmulator(demoScenario(), { limits: limits ? {} : false, pollingQuirks: false, conflictDelayMs: 0 });
  base = await emu.start();
  sender = new Sender(new TelegramClient(base), { rateLimitWait: () => {}, sent: () => {} });
}
afterEach(async () => {
  await emu.stop();
});

function png(width: number, height: number): PhotoUpload {
  return { bytes: pngHeader(width, height, 64), filename: 'image.png', contentType: 'image/png' };
}

const shown = (html: string): string => {
  const parsed = parseMarkup(html, 'HTML');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsedText(parsed.pieces);
};

describe('without rate limits', () => {
  beforeEach(() => start(false));

  test("a fetched image goes up as a photo with the alert as its caption, in the channel's topic, silently", async () => {
    const image = png(640, 480);
    const grafana: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(image.bytes)));
    await new Promise<void>((resolve) => grafana.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(grafana.address() as AddressInfo).port}`;
    try {
      const fetched = await fetchImage(`http://${host}/render/d-solo/abc?panelId=2`, { isHostAllowed: imageHostCheck([host]) });
      if (!fetched.ok) throw new Error(fetched.why);
      const forum = channel(DEMO.chats.forum, { messageThreadId: 42, disableNotification: true });
      const outcome = await sendPhoto(sender, forum, {
        photo: fetched,
        html: '<b>🔥 High CPU</b>\nnode-1 &amp; node-2',
        source: 'alertmanager',
      });
      expect(outcome).toEqual({ kind: 'sent', messageIds: [expect.any(Number)], fileId: expect.any(String) });
      const [message] = emu.chatView(DEMO.chats.forum).filter((m) => m.photo);
      expect(message?.photo).toEqual(expect.objectContaining({ source: 'upload', width: 640, height: 480, contentType: 'image/png' }));
      expect(message?.caption).toBe('🔥 High CPU\nnode-1 & node-2');
      expect(message?.threadId).toBe(42);
      expect(message?.options.disableNotification).toBe(true);
    } finally {
      await new Promise((resolve) => grafana.close(resolve));
    }
  });

  test('a long alert: as much as fits under the photo, the rest in replies to it, nothing lost', async () => {
    const html = Array.from({ length: 60 }, (_, i) => `<b>Alert ${i}</b>\n${escapeHtml(`value <${i}> & more `.repeat(8))}`).join('\n\n');
    const outcome = await sendPhoto(sender, ops, { photo: png(100, 100), html, source: 'alertmanager' });
    if (outcome.kind !== 'sent') throw new Error(JSON.stringify(outcome));
    expect(outcome.messageIds.length).toBeGreaterThan(1);
    const view = emu.chatView(DEMO.chats.ops);
    const [photo, ...replies] = outcome.messageIds.map((id) => view.find((m) => m.messageId === id)!);
    expect(photo!.photo).toBeDefined();
    expect(photo!.caption!.length).toBeLessThanOrEqual(1024);
    expect(replies[0]!.replyToMessageId).toBe(photo!.messageId);
    const together = photo!.caption + replies.map((r) => r.text.replace(/^\(\d+\/\d+\)\n/, '')).join('');
    // Telegram trims what it stores, so the blank lines at the cuts are gone: compare without whitespace.
    expect(together.replace(/\s+/g, '')).toBe(shown(html).replace(/\s+/g, ''));
  });

  test('an image Telegram refuses is photoInvalid, and nothing reaches the chat', async () => {
    const notAnImage = { ...png(1, 1), bytes: new TextEncoder().encode('<html>login</html>') };
    const outcome = await sendPhoto(sender, ops, { photo: notAnImage, html: 'alert', source: 'alertmanager' });
    expect(outcome).toEqual({
      kind: 'photoInvalid',
      error: expect.objectContaining({ kind: 'PhotoInvalid', description: expect.stringContaining('IMAGE_PROCESS_FAILED') }),
    });
    const wide = await sendPhoto(sender, ops, { photo: png(5000, 100), html: 'alert', source: 'alertmanager' });
    expect(wide.kind).toBe('photoInvalid');
    expect(emu.chatView(DEMO.chats.ops)).toHaveLength(0);
  });

  test('a caption that is not valid HTML is an InvalidMarkup failure, and nothing is sent', async () => {
    const sending = sendPhoto(sender, ops, { photo: png(10, 10), html: '<b>unclosed', source: 'alertmanager' });
    await expect(sending).rejects.toBeInstanceOf(DeliveryError);
    await expect(sending).rejects.toMatchObject({ reason: 'InvalidMarkup', transient: false });
    expect(emu.requests.filter((r) => r.method === 'sendPhoto')).toHaveLength(0);
  });

  test('a chat the bot was kicked from is a failure with its reason, as for messages', async () => {
    const sending = sendPhoto(sender, channel(DEMO.chats.kickedGroup), { photo: png(10, 10), html: 'alert', source: 'alertmanager' });
    await expect(sending).rejects.toMatchObject({ name: 'DeliveryError', reason: 'BotKicked', transient: false });
  });

  test('the photo can answer a message, carry buttons, and be sent again by its file_id', async () => {
    const first = await sendPhoto(sender, ops, { photo: png(10, 10), html: 'first', source: 'alertmanager' });
    if (first.kind !== 'sent') throw new Error(JSON.stringify(first));
    const keyboard = { inline_keyboard: [[{ text: 'Silence', callback_data: 's' }]] };
    const again = await sendPhoto(sender, ops, {
      photo: first.fileId,
      html: 'again',
      replyToMessageId: first.messageIds[0]!,
      replyMarkup: keyboard,
      source: 'alertmanager',
    });
    if (again.kind !== 'sent') throw new Error(JSON.stringify(again));
    const message = emu.chatView(DEMO.chats.ops).find((m) => m.messageId === again.messageIds[0]);
    expect(message?.photo?.source).toBe('file_id');
    expect(message?.replyToMessageId).toBe(first.messageIds[0]);
    expect(message?.replyMarkup).toEqual(keyboard);
  });

  test('caption edits: edited, notModified, hasNoCaption on a text message, gone', async () => {
    const sent = await sendPhoto(sender, ops, { photo: png(10, 10), html: '🔥 firing', source: 'alertmanager' });
    if (sent.kind !== 'sent') throw new Error(JSON.stringify(sent));
    const messageId = sent.messageIds[0]!;
    expect(await editCaption(sender, ops, { messageId, caption: '<b>✅ resolved</b>', source: 'alertmanager' })).toBe('edited');
    expect(emu.chatView(DEMO.chats.ops)[0]?.caption).toBe('✅ resolved');
    expect(await editCaption(sender, ops, { messageId, caption: '<b>✅ resolved</b>', source: 'alertmanager' })).toBe('notModified');
    const text = await new TelegramClient(base).sendMessage(DEMO.bot.token, { chat_id: DEMO.chats.ops, text: 'plain' });
    expect(await editCaption(sender, ops, { messageId: text.message_id, caption: 'x', source: 'alertmanager' })).toBe('hasNoCaption');
    expect(await editCaption(sender, ops, { messageId: 999_999, caption: 'x', source: 'alertmanager' })).toBe('gone');
  });
});

describe("with the emulator's rate limits", () => {
  beforeEach(() => start(true));

  test('photos, their edits and messages to one chat take from the same buckets: no 429', async () => {
    const photos = await Promise.all(
      [1, 2].map((i) => sendPhoto(sender, ops, { photo: png(10, 10), html: `p${i}`, source: 'alertmanager' })),
    );
    const ids = photos.map((p) => (p.kind === 'sent' ? p.messageIds[0]! : NaN));
    const edits = await Promise.all(
      ids.map((messageId) => editCaption(sender, ops, { messageId, caption: 'resolved', source: 'alertmanager' })),
    );
    expect(edits).toEqual(['edited', 'edited']);
    await sender.send({ token: ops.token, chatId: ops.chatId, parts: ['text'], options: {}, source: 'alertmanager' });
    expect(emu.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(emu.requests.map((r) => r.method)).toEqual(
      expect.arrayContaining(['sendPhoto', 'sendPhoto', 'editMessageCaption', 'editMessageCaption', 'sendMessage']),
    );
  });
});

test('the note for an image that could not be had is escaped HTML', () => {
  expect(imageNoteHtml('the image host a<b>:3000 answered text/html')).toBe(
    '<i>🖼 Image not attached: the image host a&lt;b&gt;:3000 answered text/html</i>',
  );
  expect(imageHostCheck(['grafana.monitoring.svc:3000'])('http://grafana.monitoring.svc:3000/x.png')).toBe(true);
  expect(imageHostCheck([])('http://grafana.monitoring.svc:3000/x.png')).toBe(false);
});
