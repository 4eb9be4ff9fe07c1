// Photo episodes through the notifier: a notification with an image is a photo; the group's later
// notifications edit its caption, also after a restart (the episode remembers it is a photo); an image
// that cannot be had, or that Telegram refuses, leaves the alert as text with a note saying why.
import pino from 'pino';
import type { ChatMessages, EditResult } from '../../../src/lifecycle/chatMessages.js';
import { EpisodeNotifier, type EpisodeNotification } from '../../../src/lifecycle/notifier.js';
import type { PhotoSupport } from '../../../src/lifecycle/photoEpisode.js';
import { KeyedSerializer } from '../../../src/lifecycle/serialize.js';
import { ConfigMapEpisodeStore } from '../../../src/lifecycle/store.js';
import type { ImageFetchResult } from '../../../src/net/imageFetch.js';
import { FakeConfigMaps } from './fakeConfigMaps.js';

/** A chat that keeps photos and texts apart, as Telegram does: a caption is not a text. */
class PhotoChat implements ChatMessages {
  readonly messages = new Map<number, { kind: 'photo' | 'text'; body: string; replyTo?: number }>();
  readonly calls: string[] = [];
  refuse = false;
  private next = 1;
  async send(parts: string[], opts: { replyTo?: number }) {
    this.calls.push('send');
    return parts.map((body) => this.add({ kind: 'text', body, ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}) }));
  }
  async sendPhoto(_photo: unknown, html: string, opts: { replyTo?: number }) {
    this.calls.push('sendPhoto');
    if (this.refuse) return { kind: 'refused' as const, why: 'IMAGE_PROCESS_FAILED' };
    return {
      kind: 'sent' as const,
      messageIds: [this.add({ kind: 'photo', body: html, ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}) })],
    };
  }
  async edit(id: number, text: string): Promise<EditResult> {
    this.calls.push('edit');
    const m = this.messages.get(id);
    if (!m || m.kind !== 'text') return 'gone'; // editMessageText on a photo: "there is no text in the message to edit"
    m.body = text;
    return 'edited';
  }
  async editCaption(id: number, caption: string): Promise<EditResult> {
    this.calls.push('editCaption');
    const m = this.messages.get(id);
    if (!m || m.kind !== 'photo') return 'gone';
    m.body = caption;
    return 'edited';
  }
  async setKeyboard(): Promise<EditResult> {
    return 'edited';
  }
  async remove(): Promise<'deleted'> {
    return 'deleted';
  }
  private add(m: { kind: 'photo' | 'text'; body: string; replyTo?: number }): number {
    const id = this.next++;
    this.messages.set(id, m);
    return id;
  }
}

const channel = { namespace: 'team-a', name: 'dash', uid: 'uid-1' };
const PNG: ImageFetchResult = { ok: true, bytes: Buffer.from('png'), contentType: 'image/png', filename: 'image.png' };
let api: FakeConfigMaps;
let chat: PhotoChat;
beforeEach(() => {
  api = new FakeConfigMaps();
  chat = new PhotoChat();
});
/** A notifier over the same ConfigMaps: a new one is what a restart or a new leader has. */
const notifier = () => {
  const log = pino({ level: 'silent' });
  return new EpisodeNotifier({ store: new ConfigMapEpisodeStore(api, { log }), serializer: new KeyedSerializer(), log });
};
const photo = (html: string, image?: ImageFetchResult): PhotoSupport => ({
  html,
  textParts: (h) => [h],
  ...(image ? { image: async () => image } : {}),
});
const note = (status: 'firing' | 'resolved', over: Partial<EpisodeNotification> = {}): EpisodeNotification => {
  const html = `${status === 'firing' ? '🔥 FIRING' : '✅ RESOLVED'} HighMemory`;
  return {
    channel,
    chatId: '-1001',
    mode: 'Edit',
    groupKey: '{}:{alertname="HighMemory"}',
    status,
    commonLabels: { alertname: 'HighMemory' },
    parts: [html],
    photo: photo(html, PNG),
    ...over,
  };
};

test('Edit: the image makes a photo; the resolve, read by a restarted operator, edits its caption, not a text', async () => {
  const fired = await notifier().notify(note('firing'), chat);
  expect(chat.calls).toEqual(['sendPhoto']);
  expect(chat.messages.get(fired.messageIds[0]!)).toMatchObject({ kind: 'photo', body: '🔥 FIRING HighMemory' });

  const resolved = await notifier().notify(note('resolved'), chat);
  expect(chat.calls).toEqual(['sendPhoto', 'editCaption']);
  expect(resolved).toMatchObject({ messageIds: fired.messageIds, sent: 0, edited: 1 });
  expect(chat.messages.get(fired.messageIds[0]!)).toMatchObject({ kind: 'photo', body: '✅ RESOLVED HighMemory' });
});

test('Reply: the resolve is a reply; the episode still knows its first message is a photo', async () => {
  const n = notifier();
  const fired = await n.notify(note('firing', { mode: 'Reply' }), chat);
  // A resolve whose alert carries no image: the reply is text, the episode's first message still a photo.
  await n.notify(note('resolved', { mode: 'Reply', photo: photo('✅ RESOLVED HighMemory') }), chat);
  expect(chat.calls).toEqual(['sendPhoto', 'send']);
  expect([...chat.messages.values()][1]).toMatchObject({ replyTo: fired.messageIds[0] });
  const stored = await new ConfigMapEpisodeStore(api, { log: pino({ level: 'silent' }) }).findByGroup(
    channel,
    '{}:{alertname="HighMemory"}',
  );
  expect(stored).toMatchObject({ messageIds: fired.messageIds, state: 'resolved', photo: true });
});

test('an image that cannot be had: the alert is text with the note; its resolve edits that text', async () => {
  const why = 'the image host grafana:3000 is not listed in IMAGE_URL_HOSTS';
  const html = '🔥 FIRING HighMemory';
  const fired = await notifier().notify(note('firing', { photo: photo(html, { ok: false, why }) }), chat);
  expect(chat.calls).toEqual(['send']);
  expect(chat.messages.get(fired.messageIds[0]!)!.body).toBe(`${html}\n\n<i>🖼 Image not attached: ${why}</i>`);
  await notifier().notify(note('resolved'), chat);
  expect(chat.calls).toEqual(['send', 'edit']);
});

test('an image Telegram refuses: the alert is text with a note saying so', async () => {
  chat.refuse = true;
  const fired = await notifier().notify(note('firing'), chat);
  expect(chat.calls).toEqual(['sendPhoto', 'send']);
  expect(chat.messages.get(fired.messageIds[0]!)!.body).toContain(
    'Image not attached: Telegram did not take the image (IMAGE_PROCESS_FAILED)',
  );
});
