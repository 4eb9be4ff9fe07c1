// The lifecycle as the operator wires it: which notifications go through the episode notifier (and with
// what room for the footer), the episode stored before the notification resolves, and the leader's
// housekeeping (a deleted channel's episodes, the sweep that waits for the watches) on a fake clock.
import { jest } from '@jest/globals';
import pino from 'pino';
import { parseSpec, type TelegramChannel } from '../../../src/api/types.js';
import { AlertmanagerPayloadSchema, renderAlertmanagerHtml } from '../../../src/format/alertmanager.js';
import { parsedLength } from '../../../src/format/markup.js';
import type { ChannelNotification } from '../../../src/delivery/service.js';
import { alertmanagerNotification, alertmanagerSource } from '../../../src/sources/alertmanager.js';
import {
  AlertLifecycle,
  SWEEP_EVERY_MS,
  type AlertLifecycleDeps,
  type NotificationOperations,
} from '../../../src/lifecycle/alertLifecycle.js';
import { configMapNameFor, encodeRecord, LABEL_EPISODES, newEpisodeId } from '../../../src/lifecycle/records.js';
import { FOOTER_RESERVE } from '../../../src/lifecycle/render.js';
import { alertmanagerPayload } from '../../harness/alertmanagerPayload.js';
import { FakeConfigMaps } from './fakeConfigMaps.js';

const log = pino({ level: 'silent' });

function channel(alertmanager: Record<string, unknown>, name = 'oncall', uid = 'uid-1'): TelegramChannel {
  return {
    apiVersion: 'telegram.notify.dev/v1alpha1',
    kind: 'TelegramChannel',
    metadata: { namespace: 'team-a', name, uid, generation: 1 },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001', alertmanager: { tokenSecretRef: { name: 'am' }, ...alertmanager } },
  };
}

function notification(ch: TelegramChannel, status: 'firing' | 'resolved', text = 'Disk full'): ChannelNotification {
  const parsed = parseSpec(ch.spec);
  if (!parsed.ok) throw new Error(parsed.message);
  const payload = AlertmanagerPayloadSchema.parse({
    ...alertmanagerPayload([{ name: 'Disk', status, annotations: { summary: text } }], { groupKey: '{}:{alertname="Disk"}' }),
    commonLabels: { alertname: 'Disk' },
  });
  return {
    channel: ch,
    resolved: { spec: parsed.spec, token: '1:x', chatId: '-1001' },
    notification: alertmanagerNotification(payload),
    settings: alertmanagerSource.optIn(parsed.spec)!,
    html: renderAlertmanagerHtml(payload),
    render: (n) => renderAlertmanagerHtml(n),
    parts: ['as the service split it'],
    abandon: new AbortController().signal,
  };
}

function fakeService() {
  const sent: { parts: string[]; replyMarkup?: unknown; thread?: number; silent?: boolean }[] = [];
  const edits: { messageId: number; text: string; replyMarkup?: unknown }[] = [];
  let next = 100;
  const service: NotificationOperations = {
    send: async (to, req) => {
      sent.push({ ...req, thread: to.spec.messageThreadId, silent: to.spec.disableNotification });
      return { messageIds: req.parts.map(() => next++) };
    },
    editText: async (_to, e) => {
      edits.push(e);
      return 'edited';
    },
    editReplyMarkup: async () => 'edited',
    deleteMessage: async () => 'deleted',
    createForumTopic: async () => 500,
  };
  return { service, sent, edits };
}

function lifecycle(over: Partial<AlertLifecycleDeps> = {}) {
  const api = new FakeConfigMaps();
  const plain: ChannelNotification[] = [];
  const channels = new Map<string, TelegramChannel>();
  const deps: AlertLifecycleDeps = {
    configMaps: api,
    getChannel: (ns, name) => channels.get(`${ns}/${name}`),
    hasSynced: () => true,
    watches: () => true,
    isLeader: () => true,
    sendPlain: async (n) => {
      plain.push(n);
      return { messageIds: [1] };
    },
    log,
    ...over,
  };
  return { lc: new AlertLifecycle(deps), api, plain, channels };
}

test('Send without buttons takes the plain (coalescible) path and remembers nothing', async () => {
  const { lc, api, plain } = lifecycle();
  const { service, sent } = fakeService();
  const delivery = await lc.sendNotification(notification(channel({ resolved: 'Send' }), 'firing'), service);
  expect(delivery.messageIds).toEqual([1]);
  expect(plain).toHaveLength(1);
  expect(sent).toEqual([]);
  expect(api.calls).toEqual({ get: 0, create: 0, patch: 0, list: 0, delete: 0 });
});

test('Edit (the default): the episode is stored before the notification resolves; the resolution edits the same message', async () => {
  const { lc, api } = lifecycle();
  const { service, sent, edits } = fakeService();
  const ch = channel({});
  const firing = await lc.sendNotification(notification(ch, 'firing'), service);
  expect(firing.messageIds).toEqual([100]);
  const stored = Object.values(api.maps.get(configMapNameFor('uid-1'))!.data).map((v) => JSON.parse(v) as { messageIds: number[] });
  expect(stored).toMatchObject([{ messageIds: [100], state: 'firing', commonLabels: { alertname: 'Disk' } }]);
  // Without silence: no buttons, and the service's own split is used.
  expect(sent).toEqual([expect.objectContaining({ parts: ['as the service split it'] })]);
  expect(sent[0]!.replyMarkup).toBeUndefined();

  const resolved = await lc.sendNotification(notification(ch, 'resolved'), service);
  expect(resolved.messageIds).toEqual([100]);
  expect(sent).toHaveLength(1);
  expect(edits).toEqual([expect.objectContaining({ messageId: 100 })]);
});

test('with silence: buttons on the first message, and every part leaves FOOTER_RESERVE free', async () => {
  const { lc } = lifecycle();
  const { service, sent } = fakeService();
  const long = 'x'.repeat(9_000);
  await lc.sendNotification(notification(channel({ silence: { url: 'http://am:9093' } }), 'firing', long), service);
  const parts = sent[0]!.parts;
  expect(parts.length).toBeGreaterThan(2);
  for (const p of parts) expect(parsedLength(p, 'HTML')).toBeLessThanOrEqual(4096 - FOOTER_RESERVE);
  const keyboard = sent[0]!.replyMarkup as { inline_keyboard: { text: string }[][] };
  expect(keyboard.inline_keyboard.flat().map((b) => b.text)).toEqual(['🔕 Silence 1h', '🔕 Silence 24h', '✋ Ack']);
});

test('composed messages: each its own episode (group key + route), sent to its thread with its sound; a resolve edits each', async () => {
  const part = notification(channel({}), 'firing').notification;
  // Route 0 sends Down to thread 12 with sound; route 1 sends Slow to thread 13 silently.
  const routed = (route: number, alertname: string, status: 'firing' | 'resolved') => ({
    episodeSuffix: `#routes[${route}]`,
    part,
    status,
    commonLabels: { alertname },
    html: `${alertname} ${status}`,
    messageThreadId: 12 + route,
    silent: route === 1,
  });
  const messages = (status: 'firing' | 'resolved') => [routed(0, 'Down', status), routed(1, 'Slow', status)];
  let status: 'firing' | 'resolved' = 'firing';
  const { lc, api } = lifecycle({ composer: { compose: async () => messages(status) } });
  const { service, sent, edits } = fakeService();
  const ch = channel({});
  expect((await lc.sendNotification(notification(ch, 'firing'), service)).messageIds).toEqual([100, 101]);
  expect(sent.map((m) => [m.parts, m.thread, m.silent])).toEqual([
    [['Down firing'], 12, false],
    [['Slow firing'], 13, true],
  ]);
  const stored = Object.values(api.maps.get(configMapNameFor('uid-1'))!.data).map((v) => JSON.parse(v) as { groupKey: string });
  expect(stored.map((r) => r.groupKey).sort()).toEqual(['{}:{alertname="Disk"}#routes[0]', '{}:{alertname="Disk"}#routes[1]']);

  status = 'resolved';
  expect((await lc.sendNotification(notification(ch, 'resolved'), service)).messageIds).toEqual([100, 101]);
  expect(sent).toHaveLength(2);
  expect(edits.map((e) => [e.messageId, e.text])).toEqual([
    [100, 'Down resolved'],
    [101, 'Slow resolved'],
  ]);
});

test("a deleted channel's episodes are deleted by the leader only, and not while a channel of that name lives", async () => {
  let leader = false;
  const { lc, api, channels } = lifecycle({ isLeader: () => leader });
  const { service } = fakeService();
  const ch = channel({});
  await lc.sendNotification(notification(ch, 'firing'), service);
  const name = configMapNameFor('uid-1');
  const settle = () => new Promise((r) => setTimeout(r, 10));

  lc.forgetChannel('team-a/oncall'); // a follower: nothing
  await settle();
  expect(api.maps.has(name)).toBe(true);

  leader = true;
  channels.set('team-a/oncall', ch); // deleted and created again under the same name (same uid here): kept
  lc.forgetChannel('team-a/oncall');
  await settle();
  expect(api.maps.has(name)).toBe(true);

  channels.delete('team-a/oncall');
  lc.forgetChannel('team-a/oncall');
  await settle();
  expect(api.maps.has(name)).toBe(false);
});

test("after a press the renderer edits the episode's message in the episode's chat, even once the channel moved", async () => {
  const { lc, channels } = lifecycle();
  const targets: string[] = [];
  const { service, edits } = fakeService();
  const tracking: NotificationOperations = {
    ...service,
    editText: (to, e) => {
      targets.push(to.chatId);
      return service.editText(to, e);
    },
  };
  const ch = channel({ silence: { url: 'http://am:9093' } });
  await lc.sendNotification(notification(ch, 'firing'), service);
  const ref = { namespace: 'team-a', name: 'oncall', uid: 'uid-1' };
  const episode = (await lc.store.findByGroup(ref, '{}:{alertname="Disk"}'))!;
  const moved = { ...ch, spec: { ...(ch.spec as object), chatId: '-1002' } } as TelegramChannel;
  channels.set('team-a/oncall', moved);
  const resolver = {
    resolve: async () => ({ ok: true as const, channel: { ...notification(moved, 'firing').resolved, chatId: '-1002' } }),
  };
  await lc.renderer(tracking, resolver).refresh(episode);
  expect(targets).toEqual(['-1001']);
  expect(edits.at(-1)).toMatchObject({ messageId: episode.messageIds[0] });
});

describe('the sweep (leader work)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('waits for the watches to list, leaves unwatched namespaces alone, and runs again hourly', async () => {
    let synced = false;
    const { lc, api } = lifecycle({ hasSynced: () => synced, watches: (ns) => ns !== 'elsewhere' });
    // One live (not expired) episode each: only the channel's being gone can sweep them.
    const put = (uid: string, namespace: string) => {
      const id = newEpisodeId(uid, () => false);
      const record = encodeRecord({
        ...{ id, channel: { namespace, name: 'ch', uid }, groupKey: 'g', chatId: '-1001', messageIds: [1], commonLabels: {} },
        ...{ state: 'firing', updatedAt: new Date().toISOString() },
      });
      const labels = {
        [LABEL_EPISODES]: 'true',
        'telegram.notify.dev/channel-namespace': namespace,
        'telegram.notify.dev/channel-uid': uid,
      };
      return api.create(configMapNameFor(uid), labels, { [id]: record });
    };
    await put('gone-uid', 'team-a');
    await put('other-uid', 'elsewhere');

    lc.start();
    await jest.advanceTimersByTimeAsync(30_000);
    // Before the first list every channel would look deleted: nothing is touched.
    expect(api.calls.list).toBe(0);
    expect(api.maps.size).toBe(2);

    synced = true;
    await jest.advanceTimersByTimeAsync(10_000);
    // One sweep lists twice: the episodes, then the forum topic names.
    expect(api.calls.list).toBe(2);
    expect([...api.maps.keys()]).toEqual([configMapNameFor('other-uid')]);

    await put('gone-again', 'team-a');
    await jest.advanceTimersByTimeAsync(SWEEP_EVERY_MS);
    expect(api.calls.list).toBe(4);
    expect([...api.maps.keys()]).toEqual([configMapNameFor('other-uid')]);

    await lc.stop();
    await jest.advanceTimersByTimeAsync(2 * SWEEP_EVERY_MS);
    expect(api.calls.list).toBe(4);
  });
});
