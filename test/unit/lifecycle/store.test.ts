// The episode store's logic with a fake clock: written only when something changed, grouped writes,
// bounds per channel (count and bytes, oldest evicted), expiry, conflicts retried, deleted channels swept.
import pino from 'pino';
import type { Episode } from '../../../src/lifecycle/episode.js';
import {
  EPISODE_TTL_MS,
  MAX_BYTES_PER_CHANNEL,
  MAX_EPISODES_PER_CHANNEL,
  MAX_KEPT_LABEL_BYTES,
  RENEW_AFTER_MS,
  configMapNameFor,
  configMapNameOfId,
  type EpisodeRecord,
} from '../../../src/lifecycle/records.js';
import { ConfigMapEpisodeStore, type ChannelRef } from '../../../src/lifecycle/store.js';
import { FakeConfigMaps } from './fakeConfigMaps.js';

const channel: ChannelRef = { namespace: 'team-a', name: 'oncall', uid: '8d0f5a2e-1111-4222-8333-944455556666' };
const other: ChannelRef = { namespace: 'team-b', name: 'oncall', uid: '00000000-1111-4222-8333-944455556666' };
let now = Date.parse('2026-01-10T10:00:00Z');
let api: FakeConfigMaps;
let store: ConfigMapEpisodeStore;
beforeEach(() => {
  now = Date.parse('2026-01-10T10:00:00Z');
  api = new FakeConfigMaps();
  store = new ConfigMapEpisodeStore(api, { now: () => now, log: pino({ level: 'silent' }) });
});

function record(id: string, over: Partial<EpisodeRecord> = {}): EpisodeRecord {
  return {
    id,
    channel,
    groupKey: `{}:{alertname="${id}"}`,
    chatId: '-1001',
    messageIds: [1],
    commonLabels: { alertname: id },
    state: 'firing',
    updatedAt: '',
    text: 'FIRING',
    ...over,
  };
}
const create = (over: Partial<EpisodeRecord> = {}) => store.write(channel, (rs) => rs.put(record(rs.newId(), over)));

test('an id is 16 URL-safe characters and names its channel ConfigMap', async () => {
  const r = await create();
  expect(r.id).toMatch(/^[a-z2-7]{16}$/);
  expect(configMapNameOfId(r.id)).toBe(configMapNameFor(channel.uid));
  expect(configMapNameOfId('../etc/passwd')).toBeUndefined();
  expect(await store.get('Not-An-Id')).toBeUndefined();
});

test('the ConfigMap is labelled so kubectl finds a channel’s episodes', async () => {
  await create();
  const cm = [...api.maps.values()][0]!;
  expect(cm.labels).toMatchObject({
    'telegram.notify.dev/episodes': 'true',
    'telegram.notify.dev/channel-uid': channel.uid,
    'telegram.notify.dev/channel-namespace': 'team-a',
    'telegram.notify.dev/channel-name': 'oncall',
  });
});

test('lookup by id (for presses, without the text) and by group (for notifications)', async () => {
  const r = await create();
  const fresh = new ConfigMapEpisodeStore(api, { now: () => now, log: pino({ level: 'silent' }) }); // a new leader
  const e = await fresh.get(r.id);
  expect(e).toMatchObject({ id: r.id, state: 'firing', messageIds: [1] });
  expect(e).not.toHaveProperty('text');
  expect((await fresh.findByGroup(channel, r.groupKey))?.id).toBe(r.id);
  expect(await fresh.findByGroup(other, r.groupKey)).toBeUndefined();
});

test('written only when something changed; update returns what is stored', async () => {
  const r = await create();
  expect(api.writes).toBe(1);
  now += 60_000;
  expect(await store.update(r.id, (e) => ({ ...e }))).toMatchObject({ id: r.id });
  expect(await store.update(r.id, () => undefined)).toMatchObject({ id: r.id });
  await store.write(channel, (rs) => rs.put({ ...rs.all.get(r.id)! }));
  expect(api.writes).toBe(1);
  const acked = await store.update(r.id, (e): Episode => ({ ...e, ack: { by: 'telegram:@olga', at: new Date(now).toISOString() } }));
  expect(acked?.ack?.by).toBe('telegram:@olga');
  expect(acked?.updatedAt).toBe(new Date(now).toISOString());
  expect(api.writes).toBe(2);
  // The text survives an update made through the contract's Episode (which has no text).
  expect((await store.getRecord(r.id))?.text).toBe('FIRING');
});

test('an update cannot move an episode to another channel, group or id', async () => {
  const r = await create();
  const moved = await store.update(r.id, (e) => ({ ...e, id: 'zzzzzzzzzzzzzzzz', groupKey: 'x', channel: other, state: 'resolved' }));
  expect(moved).toMatchObject({ id: r.id, groupKey: r.groupKey, channel, state: 'resolved' });
});

test('an unknown id: change is not called, undefined returned, nothing written', async () => {
  const r = await create();
  const unknown = r.id.slice(0, 12) + 'aaaa';
  let called = 0;
  expect(await store.update(unknown, (e) => (called++, e))).toBeUndefined();
  expect(called).toBe(0);
  expect(api.writes).toBe(1);
});

test('a repeat that changes nothing renews its record once a day, so a long-firing group is not forgotten', async () => {
  const r = await create();
  now += RENEW_AFTER_MS - 1;
  await store.write(channel, (rs) => rs.put({ ...rs.all.get(r.id)! }));
  expect(api.writes).toBe(1);
  now += 1;
  await store.write(channel, (rs) => rs.put({ ...rs.all.get(r.id)! }));
  expect(api.writes).toBe(2);
  now += EPISODE_TTL_MS - 1;
  expect(await store.get(r.id)).toBeDefined();
});

test('expiry: 48 h after the last change an episode is gone, and dropped at the next write', async () => {
  const old = await create();
  now += EPISODE_TTL_MS;
  expect(await store.get(old.id)).toBeUndefined();
  expect(await store.findByGroup(channel, old.groupKey)).toBeUndefined();
  expect(await store.update(old.id, (e) => ({ ...e, state: 'resolved' }))).toBeUndefined();
  await create();
  const cm = api.maps.get(configMapNameFor(channel.uid))!;
  expect(Object.keys(cm.data)).toHaveLength(1);
  expect(cm.data[old.id]).toBeUndefined();
});

test(`bounded per channel by count: at most ${MAX_EPISODES_PER_CHANNEL}, the oldest evicted`, async () => {
  const ids: string[] = [];
  for (let i = 0; i < MAX_EPISODES_PER_CHANNEL + 5; i++) {
    now += 1000;
    ids.push((await create({ text: 'x' })).id);
  }
  const data = api.maps.get(configMapNameFor(channel.uid))!.data;
  expect(Object.keys(data)).toHaveLength(MAX_EPISODES_PER_CHANNEL);
  for (const id of ids.slice(0, 5)) expect(data[id]).toBeUndefined();
  for (const id of ids.slice(5)) expect(data[id]).toBeDefined();
});

test(`bounded per channel by size: at most ${MAX_BYTES_PER_CHANNEL} bytes of records; an oversized text is not kept`, async () => {
  const big = 'y'.repeat(15 * 1024);
  for (let i = 0; i < 60; i++) {
    now += 1000;
    await create({ text: big });
  }
  const data = api.maps.get(configMapNameFor(channel.uid))!.data;
  const bytes = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  expect(bytes).toBeLessThanOrEqual(MAX_BYTES_PER_CHANNEL);
  expect(Object.keys(data).length).toBeGreaterThan(25);
  const huge = await create({ text: 'z'.repeat(17 * 1024) });
  expect((await store.getRecord(huge.id))?.text).toBeUndefined();
  expect((await store.getRecord(huge.id))?.messageIds).toEqual([1]);
});

test('changes that arrive while a write is on its way go out together: fewer writes than notifications', async () => {
  await create(); // the ConfigMap exists
  const before = api.writes;
  await Promise.all(Array.from({ length: 20 }, () => create()));
  const writes = api.writes - before;
  expect(writes).toBeLessThanOrEqual(2);
  expect(Object.keys(api.maps.get(configMapNameFor(channel.uid))!.data)).toHaveLength(21);
});

test('a conflict (someone else wrote first) is retried on a fresh read, keeping both changes', async () => {
  const r = await create();
  const name = configMapNameFor(channel.uid);
  api.beforeWrite = () => {
    const cm = api.maps.get(name)!;
    const e = JSON.parse(cm.data[r.id]!) as EpisodeRecord;
    cm.data[r.id] = JSON.stringify({ ...e, ack: { by: 'telegram:@olga', at: '2026-01-10T10:00:00Z' } });
    cm.resourceVersion += '0';
  };
  now += 1000;
  const after = await store.update(r.id, (e) => ({ ...e, state: 'resolved' }));
  expect(after).toMatchObject({ state: 'resolved', ack: { by: 'telegram:@olga' } });
});

test('a hand-edited, unreadable record is ignored and cleaned up, never a crash', async () => {
  const r = await create();
  const cm = api.maps.get(configMapNameFor(channel.uid))!;
  cm.data['garbage'] = '{not json';
  cm.data[r.id] = JSON.stringify({ id: r.id, messageIds: 'x' });
  const fresh = new ConfigMapEpisodeStore(api, { now: () => now, log: pino({ level: 'silent' }) });
  expect(await fresh.get(r.id)).toBeUndefined();
  await fresh.write(channel, (rs) => rs.put(record(rs.newId())));
  expect(cm.data['garbage']).toBeUndefined();
});

test('a deleted channel’s ConfigMap is deleted; a live channel’s stays; a channel with only expired episodes goes', async () => {
  await create();
  await store.write(other, (rs) => rs.put(record(rs.newId(), { channel: other })));
  expect(await store.forgetChannel('team-b', 'oncall', () => false)).toBe(1);
  expect(api.maps.has(configMapNameFor(other.uid))).toBe(false);
  expect(api.maps.has(configMapNameFor(channel.uid))).toBe(true);
  expect(await store.sweep((c) => c.uid === channel.uid)).toBe(0);
  now += EPISODE_TTL_MS;
  expect(await store.sweep((c) => c.uid === channel.uid)).toBe(1);
  expect(api.maps.size).toBe(0);
});

test('reserved ids are not handed out twice', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) seen.add(store.reserveId(channel));
  expect(seen.size).toBe(500);
});

describe('what a record keeps, and the bytes kept in memory', () => {
  test('oversized common labels are not kept at all (a subset would silence more than these alerts); the ConfigMap stays small', async () => {
    const huge = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`label_${i}`, 'v'.repeat(900)]));
    const r = await create({ commonLabels: huge });
    expect(r.commonLabels).toEqual({});
    expect((await store.get(r.id))?.commonLabels).toEqual({});
    const cm = [...api.maps.values()][0]!;
    expect(JSON.stringify(cm.data).length).toBeLessThan(4 * 1024);
    // One value over its bound is enough; labels within every bound are kept exactly.
    expect(
      (await create({ groupKey: 'one', commonLabels: { alertname: 'A', dump: 'x'.repeat(MAX_KEPT_LABEL_BYTES) } })).commonLabels,
    ).toEqual({});
    expect((await create({ groupKey: 'two', commonLabels: { alertname: 'A', namespace: 'team-a' } })).commonLabels).toEqual({
      alertname: 'A',
      namespace: 'team-a',
    });
  });

  test('a long group key is kept as its digest, and found again by the key Alertmanager sends', async () => {
    const groupKey = `{}:{alertname="${'g'.repeat(5000)}"}`;
    const r = await create({ groupKey });
    expect(r.groupKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await store.findByGroup(channel, groupKey))?.id).toBe(r.id);
  });

  test('the ConfigMaps kept in memory stay within their byte bound: filled past it, the oldest are read again', async () => {
    const small = new ConfigMapEpisodeStore(api, { now: () => now, log: pino({ level: 'silent' }), maxCachedBytes: 20_000 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const ch: ChannelRef = { namespace: 'ns', name: `c${i}`, uid: `uid-${i}` };
      const r = await small.write(ch, (rs) => rs.put({ ...record(rs.newId()), channel: ch, text: 't'.repeat(4000) }));
      ids.push(r.id);
      expect(small.cacheBytes).toBeLessThanOrEqual(20_000);
    }
    const before = api.calls.get;
    await small.get(ids[19]!); // the newest: in memory
    expect(api.calls.get).toBe(before);
    await small.get(ids[0]!); // the oldest: evicted, read again
    expect(api.calls.get).toBe(before + 1);
  });
});

test('a record keeps its source; one stored without a source reads back without one (an Alertmanager episode)', async () => {
  const grafana = await create({ source: 'grafana' });
  const old = await create();
  expect((await store.get(grafana.id))?.source).toBe('grafana');
  expect(await store.get(old.id)).not.toHaveProperty('source');
  // A source that is not a source's name (a hand edit) makes the record unreadable, not a crash.
  await store.write(channel, (rs) => rs.put({ ...record(rs.newId()), source: 'Not A Source!' }));
  expect([...(await store.recordsOf(channel)).values()].map((r) => r.source ?? 'none').sort()).toEqual(['grafana', 'none']);
});
