// The notifier carrying out the plans against a chat that behaves like Telegram's for edits (an
// in-memory chat: ids, edits, deletions, "not modified", "message to edit not found").
import pino from 'pino';
import type { ChatMessages } from '../../../src/lifecycle/chatMessages.js';
import type { InlineKeyboard } from '../../../src/lifecycle/keyboard.js';
import { EpisodeNotifier, type EpisodeNotification } from '../../../src/lifecycle/notifier.js';
import { EpisodeMessageRenderer } from '../../../src/lifecycle/render.js';
import { KeyedSerializer } from '../../../src/lifecycle/serialize.js';
import { ConfigMapEpisodeStore } from '../../../src/lifecycle/store.js';
import { FakeConfigMaps } from './fakeConfigMaps.js';

interface Shown {
  text: string;
  keyboard?: InlineKeyboard;
  replyTo?: number;
  deleted?: boolean;
}

class FakeChat implements ChatMessages {
  readonly messages = new Map<number, Shown>();
  private next = 1;
  calls: string[] = [];
  /** Messages Telegram no longer lets the bot delete (older than 48 h): deleteMessage refuses them. */
  readonly undeletable = new Set<number>();
  async send(parts: string[], opts: { keyboard?: InlineKeyboard; replyTo?: number }) {
    this.calls.push('send');
    return parts.map((text, i) => {
      const id = this.next++;
      this.messages.set(id, { text, ...(i === 0 && opts.keyboard ? { keyboard: opts.keyboard } : {}), replyTo: opts.replyTo });
      return id;
    });
  }
  async edit(id: number, text: string, keyboard?: InlineKeyboard) {
    this.calls.push('edit');
    const m = this.messages.get(id);
    if (!m || m.deleted) return 'gone' as const;
    if (m.text === text && JSON.stringify(m.keyboard) === JSON.stringify(keyboard)) return 'notModified' as const;
    m.text = text;
    m.keyboard = keyboard;
    return 'edited' as const;
  }
  async setKeyboard(id: number, keyboard?: InlineKeyboard) {
    this.calls.push('setKeyboard');
    const m = this.messages.get(id);
    if (!m || m.deleted) return 'gone' as const;
    m.keyboard = keyboard;
    return 'edited' as const;
  }
  async remove(id: number) {
    this.calls.push('remove');
    const m = this.messages.get(id);
    if (!m || m.deleted) return 'gone' as const;
    if (this.undeletable.has(id)) return 'kept' as const;
    m.deleted = true;
    return 'deleted' as const;
  }
  get visible() {
    return [...this.messages.entries()].filter(([, m]) => !m.deleted);
  }
}

const channel = { namespace: 'team-a', name: 'oncall', uid: 'uid-1' };
let api: FakeConfigMaps;
let store: ConfigMapEpisodeStore;
let notifier: EpisodeNotifier;
let chat: FakeChat;
let serializer: KeyedSerializer;
beforeEach(() => {
  api = new FakeConfigMaps();
  store = new ConfigMapEpisodeStore(api, { log: pino({ level: 'silent' }) });
  serializer = new KeyedSerializer();
  notifier = new EpisodeNotifier({ store, serializer, log: pino({ level: 'silent' }) });
  chat = new FakeChat();
});
const note = (over: Partial<EpisodeNotification> = {}): EpisodeNotification => ({
  channel,
  chatId: '-1001',
  mode: 'Edit',
  durations: ['1h', '24h'],
  groupKey: '{}:{alertname="Disk"}',
  status: 'firing',
  commonLabels: { alertname: 'Disk' },
  parts: ['🔥 FIRING Disk'],
  ...over,
});
const buttons = (m?: Shown) => m?.keyboard?.inline_keyboard.flat().map((b) => b.text);

test('Edit: fire → one message with buttons; partly resolved → edited; resolved → same message, buttons gone', async () => {
  const fired = await notifier.notify(note(), chat);
  expect(fired).toMatchObject({ sent: 1, edited: 0 });
  expect(buttons(chat.messages.get(fired.messageIds[0]!))).toEqual(['🔕 Silence 1h', '🔕 Silence 24h', '✋ Ack']);
  const partly = await notifier.notify(note({ parts: ['🔥 FIRING (1) ✅ RESOLVED (1)'] }), chat);
  expect(partly).toMatchObject({ messageIds: fired.messageIds, sent: 0, edited: 1 });
  expect(buttons(chat.messages.get(fired.messageIds[0]!))).toHaveLength(3);
  const resolved = await notifier.notify(note({ status: 'resolved', parts: ['✅ RESOLVED Disk'] }), chat);
  expect(resolved).toMatchObject({ messageIds: fired.messageIds, sent: 0, edited: 1 });
  expect(chat.visible).toHaveLength(1);
  expect(chat.messages.get(fired.messageIds[0]!)).toMatchObject({ text: '✅ RESOLVED Disk', keyboard: undefined });
});

test('Edit: a group that fires again after resolving starts a new message', async () => {
  await notifier.notify(note(), chat);
  await notifier.notify(note({ status: 'resolved', parts: ['✅'] }), chat);
  const again = await notifier.notify(note(), chat);
  expect(again.sent).toBe(1);
  expect(chat.visible).toHaveLength(2);
});

test('Edit: the firing message was deleted → resolved is sent as a new message, once', async () => {
  const fired = await notifier.notify(note(), chat);
  chat.messages.get(fired.messageIds[0]!)!.deleted = true;
  const resolved = await notifier.notify(note({ status: 'resolved', parts: ['✅ RESOLVED'] }), chat);
  expect(resolved.sent).toBe(1);
  expect(chat.visible.map(([, m]) => m.text)).toEqual(['✅ RESOLVED']);
  // Alertmanager retrying it (say the answer was lost) edits that message: "not modified", nothing sent.
  const retry = await notifier.notify(note({ status: 'resolved', parts: ['✅ RESOLVED'] }), chat);
  expect(retry).toMatchObject({ sent: 0, edited: 0, messageIds: resolved.messageIds });
  expect(chat.visible).toHaveLength(1);
});

test('a channel moved to another chat: its episode there is not touched; the notification starts a new one in the new chat', async () => {
  const fired = await notifier.notify(note(), chat);
  // The same message id exists in the new chat too (ids count per chat): it must not be edited.
  const other = new FakeChat();
  const theirs = await other.send(["someone else's message"], {});
  expect(theirs).toEqual(fired.messageIds);
  const moved = await notifier.notify(note({ chatId: '-1002', status: 'resolved', parts: ['✅ RESOLVED Disk'] }), other);
  expect(moved).toMatchObject({ sent: 1, edited: 0 });
  expect(other.messages.get(theirs[0]!)!.text).toBe("someone else's message");
  expect(other.calls).toEqual(['send', 'send']);
  expect(chat.messages.get(fired.messageIds[0]!)!.text).toBe('🔥 FIRING Disk');
});

test('Edit: a repeat that changes nothing is "not modified": nothing sent, nothing written', async () => {
  await notifier.notify(note(), chat);
  const writes = api.writes;
  const repeat = await notifier.notify(note(), chat);
  expect(repeat).toMatchObject({ sent: 0, edited: 0 });
  expect(api.writes).toBe(writes);
});

test('Edit: extra parts of a long firing message are deleted when the resolved one is shorter; new parts are sent', async () => {
  const fired = await notifier.notify(note({ parts: ['part 1', 'part 2', 'part 3'] }), chat);
  expect(fired.messageIds).toHaveLength(3);
  const resolved = await notifier.notify(note({ status: 'resolved', parts: ['resolved'] }), chat);
  expect(resolved.messageIds).toEqual([fired.messageIds[0]]);
  expect(chat.visible.map(([, m]) => m.text)).toEqual(['resolved']);
  const again = await notifier.notify(note({ parts: ['a'] }), chat);
  const longer = await notifier.notify(note({ parts: ['a', 'b'] }), chat);
  expect(longer.messageIds[0]).toBe(again.messageIds[0]);
  expect(longer).toMatchObject({ sent: 1 });
});

test('Edit: an extra part too old to delete is emptied to ⋯, never left showing what fired', async () => {
  const fired = await notifier.notify(note({ parts: ['part 1', 'part 2', 'part 3'] }), chat);
  const [first, second, third] = fired.messageIds as [number, number, number];
  chat.undeletable.add(second);
  const resolved = await notifier.notify(note({ status: 'resolved', parts: ['resolved'] }), chat);
  expect(resolved.messageIds).toEqual([first]);
  expect(chat.visible.map(([id, m]) => [id, m.text])).toEqual([
    [first, 'resolved'],
    [second, '⋯'],
  ]);
  expect(chat.messages.get(third)).toMatchObject({ text: 'part 3', deleted: true });
});

test('Reply: later notifications reply to the first message; resolved takes its buttons away', async () => {
  const fired = await notifier.notify(note({ mode: 'Reply' }), chat);
  const repeat = await notifier.notify(note({ mode: 'Reply', parts: ['again'] }), chat);
  expect(chat.messages.get(repeat.messageIds[0]!)?.replyTo).toBe(fired.messageIds[0]);
  expect(chat.messages.get(repeat.messageIds[0]!)?.keyboard).toBeUndefined();
  const resolved = await notifier.notify(note({ mode: 'Reply', status: 'resolved', parts: ['✅'] }), chat);
  expect(chat.messages.get(resolved.messageIds[0]!)?.replyTo).toBe(fired.messageIds[0]);
  expect(chat.messages.get(fired.messageIds[0]!)?.keyboard).toBeUndefined();
  expect(chat.visible).toHaveLength(3);
});

test('Send without buttons: every notification a new message, nothing read or written', async () => {
  await notifier.notify(note({ mode: 'Send', durations: undefined }), chat);
  await notifier.notify(note({ mode: 'Send', durations: undefined, status: 'resolved', parts: ['✅'] }), chat);
  expect(chat.visible).toHaveLength(2);
  expect(api.calls.get + api.writes).toBe(0);
});

test('Send with buttons: resolved is a new message and the firing one loses its buttons', async () => {
  const fired = await notifier.notify(note({ mode: 'Send' }), chat);
  const resolved = await notifier.notify(note({ mode: 'Send', status: 'resolved', parts: ['✅'] }), chat);
  expect(chat.messages.get(resolved.messageIds[0]!)?.replyTo).toBeUndefined();
  expect(chat.messages.get(fired.messageIds[0]!)?.keyboard).toBeUndefined();
});

test('notifications of one group arriving together do not race: one message, then an edit', async () => {
  const [a, b] = await Promise.all([notifier.notify(note(), chat), notifier.notify(note({ parts: ['changed'] }), chat)]);
  expect(a.sent + b.sent).toBe(1);
  expect(chat.visible).toHaveLength(1);
});

test('at most one apiserver write per notification; a storm of groups makes fewer', async () => {
  const groups = Array.from({ length: 30 }, (_, i) => `{}:{alertname="A${i}"}`);
  await Promise.all(groups.map((groupKey) => notifier.notify(note({ groupKey }), chat)));
  const afterFiring = api.writes;
  await Promise.all(groups.map((groupKey) => notifier.notify(note({ groupKey, status: 'resolved', parts: ['✅'] }), chat)));
  expect(afterFiring).toBeLessThanOrEqual(30);
  expect(api.writes - afterFiring).toBeLessThanOrEqual(30);
  expect(chat.visible).toHaveLength(30);
});

test('refresh re-renders the first message with who acked or silenced it, and its buttons', async () => {
  const fired = await notifier.notify(note(), chat);
  const renderer = new EpisodeMessageRenderer({
    store,
    serializer,
    chatFor: async () => ({ chat, durations: ['1h', '24h'] }),
    log: pino({ level: 'silent' }),
  });
  const e = (await store.findByGroup(channel, note().groupKey))!;
  const changed = await store.update(e.id, (x) => ({
    ...x,
    silence: { id: 's-1', endsAt: '2026-01-10T11:00:00Z', by: 'telegram:@olga_oncall' },
    ack: { by: 'telegram:42', at: '2026-01-10T10:05:00Z' },
  }));
  await renderer.refresh(changed!);
  const shown = chat.messages.get(fired.messageIds[0]!)!;
  expect(shown.text).toBe(
    '🔥 FIRING Disk\n\n🔕 Silenced by @olga_oncall until 2026-01-10 11:00 UTC\n✋ Acked by user 42 at 2026-01-10 10:05 UTC',
  );
  expect(buttons(shown)).toEqual(['🔔 Unsilence']);
  // The next notification keeps the footer and the buttons as they are now.
  await notifier.notify(note({ parts: ['🔥 FIRING Disk (2)'] }), chat);
  expect(chat.messages.get(fired.messageIds[0]!)!.text).toContain('Silenced by @olga_oncall');
  expect(buttons(chat.messages.get(fired.messageIds[0]!))).toEqual(['🔔 Unsilence']);
  // A refresh with nothing to change is not an error.
  await renderer.refresh(changed!);
});

test('a footer shows user-controlled names escaped', async () => {
  await notifier.notify(note(), chat);
  const e = (await store.findByGroup(channel, note().groupKey))!;
  const renderer = new EpisodeMessageRenderer({
    store,
    serializer,
    chatFor: async () => ({ chat, durations: ['1h'] }),
    log: pino({ level: 'silent' }),
  });
  await renderer.refresh((await store.update(e.id, (x) => ({ ...x, ack: { by: 'telegram:@<b>x</b>', at: 'not a time' } })))!);
  expect(chat.visible[0]![1].text).toContain('Acked by @&lt;b&gt;x&lt;/b&gt; at not a time');
});

const kubeError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code, body: JSON.stringify({ code, reason: 'x' }) });

test('episodes that cannot be read for good (no Role for the ConfigMaps): alerts still go out, as new messages without buttons', async () => {
  api.get = () => Promise.reject(kubeError(403));
  const fired = await notifier.notify(note(), chat);
  const resolved = await notifier.notify(note({ status: 'resolved', parts: ['✅ RESOLVED Disk'] }), chat);
  expect([fired.sent, resolved.sent]).toEqual([1, 1]);
  expect(chat.visible.map(([, m]) => [m.text, m.keyboard])).toEqual([
    ['🔥 FIRING Disk', undefined],
    ['✅ RESOLVED Disk', undefined],
  ]);
  expect(api.calls.create + api.calls.patch).toBe(0);
});

test('a passing failure to read the episodes fails the notification before anything is sent (Alertmanager retries)', async () => {
  api.get = () => Promise.reject(kubeError(503));
  await expect(notifier.notify(note(), chat)).rejects.toThrow();
  expect(chat.calls).toEqual([]);
});

test('a notification sent but not stored is not failed: the retry would send it twice', async () => {
  api.create = () => Promise.reject(kubeError(500));
  const fired = await notifier.notify(note(), chat);
  expect(fired.sent).toBe(1);
  expect(chat.visible).toHaveLength(1);
});

test('Reply: the resolution is in the chat even when taking the old buttons away fails; it is not failed (no resend)', async () => {
  await notifier.notify(note({ mode: 'Reply' }), chat);
  chat.setKeyboard = () => Promise.reject(new Error('Telegram is down'));
  const resolved = await notifier.notify(note({ mode: 'Reply', status: 'resolved', parts: ['✅'] }), chat);
  expect(resolved.sent).toBe(1);
  expect(chat.visible).toHaveLength(2);
});

test('leading again: episodes are read afresh, not from what this replica read when it last led', async () => {
  const fired = await notifier.notify(note(), chat);
  // Meanwhile another leader resolved the episode and a new one started elsewhere: the stored record changed.
  const name = [...api.maps.keys()][0]!;
  const cm = api.maps.get(name)!;
  for (const key of Object.keys(cm.data)) delete cm.data[key];
  cm.resourceVersion = String(Number(cm.resourceVersion) + 100);
  store.forgetCached();
  const again = await notifier.notify(note(), chat);
  expect(again.sent).toBe(1);
  expect(again.messageIds).not.toEqual(fired.messageIds);
});

test("an episode remembers its source: a Grafana one says so, an Alertmanager one stays as records were; refresh asks for that source's buttons", async () => {
  await notifier.notify(note({ source: 'grafana', groupKey: 'g' }), chat);
  await notifier.notify(note({ source: 'alertmanager', groupKey: 'a' }), chat);
  const grafana = (await store.findByGroup(channel, 'g'))!;
  const alertmanager = (await store.findByGroup(channel, 'a'))!;
  expect(grafana.source).toBe('grafana');
  expect(alertmanager).not.toHaveProperty('source');
  const asked: (string | undefined)[] = [];
  const renderer = new EpisodeMessageRenderer({
    store,
    serializer,
    // Grafana's buttons were removed from the channel: the refresh draws none for its episode.
    chatFor: async (_ref, _chatId, source) => (asked.push(source), source === 'grafana' ? { chat } : { chat, durations: ['1h'] }),
    log: pino({ level: 'silent' }),
  });
  await renderer.refresh(grafana);
  await renderer.refresh(alertmanager);
  expect(asked).toEqual(['grafana', undefined]);
  expect(buttons(chat.messages.get(grafana.messageIds[0]!))).toBeUndefined();
  expect(buttons(chat.messages.get(alertmanager.messageIds[0]!))).toEqual(['🔕 Silence 1h', '✋ Ack']);
});
