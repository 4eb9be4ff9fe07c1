// Forum topics by name: created once per (channel, chat, name) however many notifications ask at once,
// remembered in a ConfigMap (a new instance — a restart, a new leader — finds it), forgotten when
// deleted so the next use creates it again, capped per channel, and not asked for again soon after
// Telegram refused (no forum, no right).
import {
  ForumTopics,
  MAX_TOPICS_PER_CHANNEL,
  TOPIC_REFUSED_RETRY_MS,
  topicsConfigMapName,
  type CreateTopic,
} from '../../../src/lifecycle/topics.js';
import { FakeConfigMaps } from './fakeConfigMaps.js';

const channel = { namespace: 'team-a', name: 'oncall', uid: 'uid-1' };
const CHAT = '-1001';

function creator() {
  const created: string[] = [];
  let next = 100;
  const create: CreateTopic = async (name) => {
    created.push(name);
    await new Promise((r) => setTimeout(r, 5));
    return { kind: 'created', threadId: next++ };
  };
  return { created, create };
}

test('two notifications naming a new topic at once create it once; a restart finds it in the ConfigMap', async () => {
  const api = new FakeConfigMaps();
  const { created, create } = creator();
  const topics = new ForumTopics({ configMaps: api });
  const [a, b] = await Promise.all([
    topics.threadFor(channel, CHAT, 'payments', create),
    topics.threadFor(channel, CHAT, 'payments', create),
  ]);
  expect(a).toEqual({ kind: 'topic', threadId: 100 });
  expect(b).toEqual({ kind: 'topic', threadId: 100 });
  expect(created).toEqual(['payments']);
  expect(api.maps.get(topicsConfigMapName('uid-1'))!.labels).toMatchObject({ 'telegram.notify.dev/topics': 'true' });

  const restarted = new ForumTopics({ configMaps: api });
  expect(await restarted.threadFor(channel, CHAT, 'payments', create)).toEqual({ kind: 'topic', threadId: 100 });
  expect(created).toEqual(['payments']);
});

test('a forgotten (deleted) topic is created again on its next use', async () => {
  const api = new FakeConfigMaps();
  const { created, create } = creator();
  const topics = new ForumTopics({ configMaps: api });
  await topics.threadFor(channel, CHAT, 'db', create);
  await topics.forget(channel, CHAT, 'db');
  expect(await topics.threadFor(channel, CHAT, 'db', create)).toEqual({ kind: 'topic', threadId: 101 });
  expect(created).toEqual(['db', 'db']);
});

test(`past ${MAX_TOPICS_PER_CHANNEL} topics a channel's alerts go to its own thread, with a note`, async () => {
  const api = new FakeConfigMaps();
  const { created, create } = creator();
  const topics = new ForumTopics({ configMaps: api });
  for (let i = 0; i < MAX_TOPICS_PER_CHANNEL; i++) await topics.threadFor(channel, CHAT, `t${i}`, create);
  expect(await topics.threadFor(channel, CHAT, 'one-too-many', create)).toEqual({
    kind: 'ownThread',
    note: `topic "one-too-many" not created: this channel already created its ${MAX_TOPICS_PER_CHANNEL} topics`,
  });
  expect(created).toHaveLength(MAX_TOPICS_PER_CHANNEL);
  // A known one is still used.
  expect(await topics.threadFor(channel, CHAT, 't3', create)).toEqual({ kind: 'topic', threadId: 103 });
});

test('after a refusal the chat is not asked again until TOPIC_REFUSED_RETRY_MS passed', async () => {
  const api = new FakeConfigMaps();
  let now = 0;
  let asked = 0;
  const refuse: CreateTopic = async () => {
    asked++;
    return { kind: 'refused', why: 'Bad Request: the chat is not a forum' };
  };
  const topics = new ForumTopics({ configMaps: api, now: () => now });
  expect(await topics.threadFor(channel, CHAT, 'x', refuse)).toEqual({ kind: 'ownThread' });
  expect(await topics.threadFor(channel, CHAT, 'y', refuse)).toEqual({ kind: 'ownThread' });
  expect(asked).toBe(1);
  now += TOPIC_REFUSED_RETRY_MS;
  await topics.threadFor(channel, CHAT, 'y', refuse);
  expect(asked).toBe(2);
});

test("a deleted channel's topic names go, unless a channel of that name lives", async () => {
  const api = new FakeConfigMaps();
  const topics = new ForumTopics({ configMaps: api });
  await topics.threadFor(channel, CHAT, 'x', creator().create);
  expect(await topics.forgetChannel('team-a', 'oncall', () => true)).toBe(0);
  expect(await topics.forgetChannel('team-a', 'oncall', () => false)).toBe(1);
  expect(api.maps.size).toBe(0);
});

test('the sweep forgets the topic names of channels deleted while no operator ran, and keeps a name it cannot attribute', async () => {
  const api = new FakeConfigMaps();
  const topics = new ForumTopics({ configMaps: api });
  const gone = { namespace: 'team-b', name: 'old', uid: 'uid-2' };
  const longName = { namespace: 'team-c', name: 'n'.repeat(70), uid: 'uid-3' };
  for (const ch of [channel, gone, longName]) await topics.threadFor(ch, CHAT, 'x', creator().create);
  const asked: string[] = [];
  const deleted = await topics.sweep((ref) => {
    asked.push(`${ref.namespace}/${ref.name}/${ref.uid}`);
    return ref.uid === 'uid-1';
  });
  expect(deleted).toBe(1);
  expect(asked.sort()).toEqual(['team-a/oncall/uid-1', 'team-b/old/uid-2']);
  expect([...api.maps.keys()].sort()).toEqual([topicsConfigMapName('uid-1'), topicsConfigMapName('uid-3')].sort());
});
