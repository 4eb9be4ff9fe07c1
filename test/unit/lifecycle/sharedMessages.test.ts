// Shared storm messages: new episodes of a channel that arrive together ride in one message; a later
// notification of a member re-renders it in place; a member that no longer fits leaves. The chat is an
// in-memory fake whose sendShared batches what is sent in the same turn, as the sender's queue does
// when the chat is backlogged; edits can be held to interleave members' notifications.
import pino from 'pino';
import type { ChatMessages } from '../../../src/lifecycle/chatMessages.js';
import { compactResolvedSection, EpisodeNotifier, type EpisodeNotification } from '../../../src/lifecycle/notifier.js';
import type { EpisodeRecord } from '../../../src/lifecycle/records.js';
import { EpisodeMessageRenderer } from '../../../src/lifecycle/render.js';
import { KeyedSerializer } from '../../../src/lifecycle/serialize.js';
import { SharedMessages, fitsOneMessage, sectionsOf, sharedText } from '../../../src/lifecycle/sharedMessages.js';
import { ConfigMapEpisodeStore } from '../../../src/lifecycle/store.js';
import { FakeConfigMaps } from './fakeConfigMaps.js';

class StormChat implements ChatMessages {
  readonly texts = new Map<number, string>();
  readonly calls: string[] = [];
  private next = 1;
  private batch: { text: string; member: string; resolve: (v: { messageId: number; members: string[] }) => void }[] = [];
  async send(parts: string[]) {
    this.calls.push('send');
    return parts.map((t) => (this.texts.set(this.next, t), this.next++));
  }
  sendShared(text: string, share: { group: string; member: string }) {
    this.calls.push('sendShared');
    return new Promise<{ messageId: number; members: string[] }>((resolve) => {
      this.batch.push({ text, member: share.member, resolve });
      if (this.batch.length > 1) return;
      setImmediate(() => {
        const batch = this.batch.splice(0);
        const id = this.next++;
        this.texts.set(id, batch.map((b) => b.text).join('\n\n'));
        for (const b of batch) b.resolve({ messageId: id, members: batch.map((m) => m.member) });
      });
    });
  }
  /** Edits rendered while held: they wait here (as in the chat's queue) until released. */
  held: (() => void)[] | undefined;
  async edit(id: number, text: string) {
    this.calls.push('edit');
    if (this.held) await new Promise<void>((release) => this.held!.push(release));
    if (!this.texts.has(id)) return 'gone' as const;
    if (this.texts.get(id) === text) return 'notModified' as const;
    this.texts.set(id, text);
    return 'edited' as const;
  }
  async setKeyboard() {
    this.calls.push('setKeyboard');
    return 'edited' as const;
  }
  /** Messages Telegram no longer lets the bot delete (older than 48 h). */
  readonly undeletable = new Set<number>();
  async remove(id: number) {
    this.calls.push('remove');
    if (this.undeletable.has(id)) return 'kept' as const;
    return this.texts.delete(id) ? ('deleted' as const) : ('gone' as const);
  }
}

const channel = { namespace: 'team-a', name: 'oncall', uid: 'uid-1' };
let store: ConfigMapEpisodeStore;
let notifier: EpisodeNotifier;
let chat: StormChat;
beforeEach(() => {
  store = new ConfigMapEpisodeStore(new FakeConfigMaps(), { log: pino({ level: 'silent' }) });
  notifier = new EpisodeNotifier({ store, serializer: new KeyedSerializer(), log: pino({ level: 'silent' }) });
  chat = new StormChat();
});
const note = (group: string, over: Partial<EpisodeNotification> = {}): EpisodeNotification => ({
  channel,
  chatId: '-1001',
  mode: 'Edit',
  groupKey: `{}:{alertname="${group}"}`,
  status: 'firing',
  commonLabels: { alertname: group },
  parts: [`🔥 FIRING ${group}`],
  ...over,
});
const resolved = (group: string, text = `✅ RESOLVED ${group}`) => note(group, { status: 'resolved', parts: [text] });
const groups = ['A', 'B', 'C', 'D', 'E'];

test('a storm of new episodes rides in one message; each records it and the members in order', async () => {
  const results = await Promise.all(groups.map((g) => notifier.notify(note(g), chat)));
  expect(new Set(results.map((r) => r.messageIds[0]))).toEqual(new Set([1]));
  expect(chat.texts.get(1)).toBe(sharedText(groups.map((g) => `🔥 FIRING ${g}`)));
  const records = [...(await store.recordsOf(channel)).values()];
  expect(records).toHaveLength(5);
  const members = records[0]!.shared!.members;
  expect(members).toHaveLength(5);
  for (const r of records) expect(r.shared).toEqual({ members });
  expect(members.map((id) => records.find((r) => r.id === id)!.commonLabels['alertname'])).toEqual(groups);
});

test('one member resolving edits the shared message in place: its section changes, the others stay', async () => {
  await Promise.all(groups.map((g) => notifier.notify(note(g), chat)));
  const r = await notifier.notify(resolved('C'), chat);
  expect(r).toMatchObject({ messageIds: [1], sent: 0, edited: 1 });
  expect(chat.texts.get(1)).toBe(sharedText(['🔥 FIRING A', '🔥 FIRING B', '✅ RESOLVED C', '🔥 FIRING D', '🔥 FIRING E']));
  // Alertmanager retrying the resolved notification: "not modified", nothing sent.
  expect(await notifier.notify(resolved('C'), chat)).toMatchObject({ sent: 0, edited: 0 });
  expect(chat.texts.size).toBe(1);
});

test('a resolve storm: every member resolving at once ends with every section resolved, no new message', async () => {
  await Promise.all(groups.map((g) => notifier.notify(note(g), chat)));
  const results = await Promise.all(groups.map((g) => notifier.notify(resolved(g), chat)));
  expect(results.every((r) => r.sent === 0)).toBe(true);
  expect([...chat.texts.keys()]).toEqual([1]);
  expect(chat.texts.get(1)).toBe(sharedText(groups.map((g) => `✅ RESOLVED ${g}`)));
  for (const r of (await store.recordsOf(channel)).values()) expect(r.state).toBe('resolved');
});

test('a resolve storm renders every member while the first edit still waits for the chat, so the queue can collapse them', async () => {
  await Promise.all(groups.map((g) => notifier.notify(note(g), chat)));
  chat.held = [];
  const results = Promise.all(groups.map((g) => notifier.notify(resolved(g), chat)));
  // Each member reads the store before rendering: a few turns of the event loop, none of them Telegram's.
  for (let turn = 0; turn < 200 && chat.held.length < groups.length; turn++) await new Promise((r) => setImmediate(r));
  const waiting = chat.held.length;
  for (const release of chat.held.splice(0)) release();
  chat.held = undefined;
  expect(waiting).toBe(groups.length);
  await results;
  expect(chat.texts.get(1)).toBe(sharedText(groups.map((g) => `✅ RESOLVED ${g}`)));
});

test('a member whose new text no longer fits leaves: its notification goes alone, the shared one is re-rendered without it', async () => {
  await Promise.all(groups.map((g) => notifier.notify(note(g), chat)));
  const long = `🔥 FIRING B ${'x'.repeat(4060)}`; // fits alone, not with the other four sections
  const r = await notifier.notify(note('B', { parts: [long] }), chat);
  expect(r).toMatchObject({ sent: 1 });
  const own = r.messageIds[0]!;
  expect(own).not.toBe(1);
  expect(chat.texts.get(own)).toBe(long);
  expect(chat.texts.get(1)).toBe(sharedText(['🔥 FIRING A', '🔥 FIRING C', '🔥 FIRING D', '🔥 FIRING E']));
  // It now lives in its own message: its resolution edits that one; the others keep editing the shared one.
  expect(await notifier.notify(resolved('B'), chat)).toMatchObject({ messageIds: [own], sent: 0, edited: 1 });
  await notifier.notify(resolved('A'), chat);
  expect(chat.texts.get(1)).toBe(sharedText(['✅ RESOLVED A', '🔥 FIRING C', '🔥 FIRING D', '🔥 FIRING E']));
  expect(chat.texts.size).toBe(2);
});

test('a member that needs buttons or several parts leaves too; when the last one leaves the shared message goes', async () => {
  await Promise.all(['A', 'B'].map((g) => notifier.notify(note(g), chat)));
  await notifier.notify(note('A', { parts: ['part 1', 'part 2'] }), chat);
  expect(chat.texts.get(1)).toBe('🔥 FIRING B');
  await notifier.notify(note('B', { durations: ['1h'] }), chat);
  expect(chat.texts.has(1)).toBe(false);
  expect([...chat.texts.values()]).toEqual(['part 1', 'part 2', '🔥 FIRING B']);
});

test('when the last member leaves a shared message too old to delete, it is emptied to ⋯', async () => {
  await Promise.all(['A', 'B'].map((g) => notifier.notify(note(g), chat)));
  chat.undeletable.add(1);
  await notifier.notify(note('A', { parts: ['part 1', 'part 2'] }), chat);
  await notifier.notify(note('B', { durations: ['1h'] }), chat);
  expect(chat.texts.get(1)).toBe('⋯');
  expect([...chat.texts.values()]).toEqual(['⋯', 'part 1', 'part 2', '🔥 FIRING B']);
});

test('a group firing again after resolving starts a new message; its old section stays in the shared one', async () => {
  await Promise.all(['A', 'B'].map((g) => notifier.notify(note(g), chat)));
  await notifier.notify(resolved('A'), chat);
  const again = await notifier.notify(note('A', { parts: ['🔥 FIRING A again'] }), chat);
  expect(again.messageIds[0]).not.toBe(1);
  await notifier.notify(resolved('B'), chat);
  expect(chat.texts.get(1)).toBe(sharedText(['✅ RESOLVED A', '✅ RESOLVED B']));
});

test('a notification arriving alone gets a message of its own, recorded as not shared', async () => {
  const r = await notifier.notify(note('A'), chat);
  expect(chat.texts.get(r.messageIds[0]!)).toBe('🔥 FIRING A');
  const [record] = (await store.recordsOf(channel)).values();
  expect(record!.shared).toBeUndefined();
});

test('a press re-render leaves a shared message alone (it has no buttons; one section must not replace the others)', async () => {
  await Promise.all(['A', 'B'].map((g) => notifier.notify(note(g), chat)));
  const [record] = (await store.recordsOf(channel)).values();
  const renderer = new EpisodeMessageRenderer({
    store,
    serializer: new KeyedSerializer(),
    log: pino({ level: 'silent' }),
    chatFor: async () => ({ chat, durations: ['1h'] }),
  });
  const before = chat.calls.length;
  await renderer.refresh(record!);
  expect(chat.calls.length).toBe(before);
});

test('sections: the latest known text wins, a stored record counts only while it points at this message, null means left', () => {
  const e = { id: 'a', channel, chatId: '-1', messageIds: [7], shared: { members: ['a', 'b', 'c', 'd'] } };
  const rec = (id: string, messageId: number, text: string): [string, EpisodeRecord] => [
    id,
    { ...e, id, messageIds: [messageId], groupKey: id, commonLabels: {}, state: 'firing', updatedAt: '', text },
  ];
  const records = new Map<string, EpisodeRecord>([rec('b', 7, 'stored b'), rec('c', 9, 'c moved away'), rec('d', 7, 'stored d')]);
  const latest = (id: string) => ({ a: 'new a', d: null })[id];
  expect(sectionsOf(e, latest, records)).toEqual(['new a', 'stored b']);
});

test('fits: 4096 characters as shown (markup not counted), 32768 bytes raw', () => {
  expect(fitsOneMessage('x'.repeat(4096))).toBe(true);
  expect(fitsOneMessage('x'.repeat(4097))).toBe(false);
  expect(fitsOneMessage(`<b>${'x'.repeat(4000)}</b>`)).toBe(true);
  expect(fitsOneMessage('<b>x</b>'.repeat(4097))).toBe(false);
});

test('a resolved section too long for the full shared message is shown as one line: the resolve storm adds no message', async () => {
  await Promise.all(groups.map((g) => notifier.notify(note(g), chat)));
  // Any two of these resolved renderings overflow the message together (as "Resolved: <time>" lines do when it is full).
  const long = (g: string) => `✅ RESOLVED ${g} ${'y'.repeat(2100)}`;
  const results = await Promise.all(groups.map((g) => notifier.notify(resolved(g, long(g)), chat)));
  expect(results.every((r) => r.sent === 0)).toBe(true);
  expect([...chat.texts.keys()]).toEqual([1]);
  const shown = chat.texts.get(1)!.split('\n\n');
  expect(shown).toHaveLength(groups.length);
  groups.forEach((g, i) => expect([long(g), compactResolvedSection({ alertname: g })]).toContain(shown[i]));
  expect(shown.filter((s) => s.startsWith('<b>✅ RESOLVED</b>')).length).toBeGreaterThanOrEqual(groups.length - 1);
  expect(compactResolvedSection({ alertname: '<x>' })).toBe('<b>✅ RESOLVED</b> <b>&lt;x&gt;</b>');
});

test('the remembered sections of shared messages stay within their byte bound: filled past it, the oldest messages are forgotten', () => {
  const store = { recordsOf: async () => new Map<string, EpisodeRecord>() };
  const shared = new SharedMessages(store, 50_000);
  const channel = { namespace: 'ns', name: 'c', uid: 'u' };
  for (let m = 0; m < 40; m++) {
    for (let i = 0; i < 3; i++) {
      shared.joined({ id: `m${m}-e${i}`, channel, chatId: '-1001', messageIds: [m + 1] }, 's'.repeat(3_000));
      expect(shared.rememberedBytes).toBeLessThanOrEqual(50_000);
    }
  }
  // The newest message is still remembered whole: 3 sections of 3,000.
  expect(shared.rememberedBytes).toBeGreaterThanOrEqual(9_000);
  shared.forgetLatest();
  expect(shared.rememberedBytes).toBe(0);
});
