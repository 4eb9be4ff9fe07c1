// The episode store against the real API server, as the deployed ServiceAccount (deploy/base's state
// Role is all it gets), and the lifecycle against the Telegram emulator: fire → one message with
// buttons; resolve → the same message edited, buttons gone; fire again → a new message; a deleted
// message → resolved sent once; a new leader (a fresh process' store) → still edited. ConfigMap writes
// are counted from a watch on the API server (ADDED/MODIFIED events), per notification.
//
// The operator process with a real Alertmanager: alert-lifecycle.test.ts and alert-lifecycle-handover.test.ts.
import * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import { AlertmanagerPayloadSchema, renderAlertmanagerHtml } from '../../src/format/alertmanager.js';
import { splitMessage } from '../../src/format/split.js';
import { episodeConfigMaps } from '../../src/kube/episodeConfigMaps.js';
import type { ChatMessages, EditResult } from '../../src/lifecycle/chatMessages.js';
import type { InlineKeyboard } from '../../src/lifecycle/keyboard.js';
import { EpisodeNotifier, type EpisodeNotification } from '../../src/lifecycle/notifier.js';
import { LABEL_EPISODES } from '../../src/lifecycle/records.js';
import { FOOTER_RESERVE } from '../../src/lifecycle/render.js';
import { KeyedSerializer } from '../../src/lifecycle/serialize.js';
import { ConfigMapEpisodeStore } from '../../src/lifecycle/store.js';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { alertmanagerPayload, type TestAlert } from '../harness/alertmanagerPayload.js';
import { createNamespace, kubeConfig } from '../harness/kube.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';

const CHAT = DEMO.chats.ops;
let ns: string;
let emulator: TelegramEmulator;
let base: string;
let saConfig: k8s.KubeConfig;
let writes = 0;
let stopWatch: (() => void) | undefined;
const log = pino({ level: 'silent' });

/** The chat over the Bot API as the emulator serves it (the operator's own adapter goes over the delivery service). */
function emulatorChat(): ChatMessages {
  const call = async (method: string, params: object) => {
    const r = await fetch(`${base}/bot${DEMO.bot.token}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ chat_id: CHAT, ...params }),
    });
    return (await r.json()) as { ok: boolean; result?: { message_id: number }; description?: string };
  };
  const editResult = (a: { ok: boolean; description?: string }): EditResult => {
    if (a.ok) return 'edited';
    if (/not modified/.test(a.description ?? '')) return 'notModified';
    if (/not found|can't be edited/.test(a.description ?? '')) return 'gone';
    throw new Error(a.description);
  };
  return {
    async send(parts: string[], opts: { keyboard?: InlineKeyboard; replyTo?: number }) {
      const ids: number[] = [];
      for (const [i, text] of parts.entries()) {
        const a = await call('sendMessage', {
          text,
          parse_mode: 'HTML',
          ...(i === 0 && opts.keyboard ? { reply_markup: opts.keyboard } : {}),
          ...(i === 0 && opts.replyTo ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } } : {}),
        });
        if (!a.ok) throw new Error(a.description);
        ids.push(a.result!.message_id);
      }
      return ids;
    },
    edit: async (messageId, text, keyboard) =>
      editResult(
        await call('editMessageText', { message_id: messageId, text, parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) }),
      ),
    setKeyboard: async (messageId, keyboard) =>
      editResult(await call('editMessageReplyMarkup', { message_id: messageId, ...(keyboard ? { reply_markup: keyboard } : {}) })),
    async remove(messageId) {
      const a = await call('deleteMessage', { message_id: messageId });
      return a.ok ? 'deleted' : /not found/.test(a.description ?? '') ? 'gone' : 'kept';
    },
  };
}

function notification(groupKey: string, alerts: TestAlert[], over: Partial<EpisodeNotification> = {}): EpisodeNotification {
  const payload = AlertmanagerPayloadSchema.parse(alertmanagerPayload(alerts, { groupKey }));
  return {
    channel: { namespace: 'team-a', name: 'oncall', uid: `uid-${ns}` },
    chatId: String(CHAT),
    mode: 'Edit',
    durations: ['1h', '24h'],
    groupKey,
    status: payload.status,
    commonLabels: payload.commonLabels,
    parts: splitMessage(renderAlertmanagerHtml(payload), 'HTML', 4096 - FOOTER_RESERVE),
    ...over,
  };
}

/** A leader: its own store (empty cache) over the API server, as the deployed ServiceAccount. */
function leader() {
  const store = new ConfigMapEpisodeStore(episodeConfigMaps(saConfig.makeApiClient(k8s.CoreV1Api), ns), { log });
  return { store, notifier: new EpisodeNotifier({ store, serializer: new KeyedSerializer(), log }) };
}

beforeAll(async () => {
  ns = await createNamespace('episodes');
  saConfig = new k8s.KubeConfig();
  saConfig.loadFromFile(await deployedServiceAccountKubeconfig(ns));
  emulator = new TelegramEmulator(demoScenario(), { limits: false });
  base = await emulator.start();
  const watch = new k8s.Watch(kubeConfig());
  const req = await watch.watch(
    `/api/v1/namespaces/${ns}/configmaps`,
    { labelSelector: LABEL_EPISODES },
    (type) => {
      if (type === 'ADDED' || type === 'MODIFIED') writes++;
    },
    () => undefined,
  );
  stopWatch = () => req.abort();
  await new Promise((r) => setTimeout(r, 300)); // the watch is established
});

afterAll(async () => {
  stopWatch?.();
  await emulator?.stop();
});

/** Waits until the watch saw `n` more writes than `from` (events arrive shortly after the write). */
async function writesSince(from: number, atLeast: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  while (writes - from < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // and no more come
  return writes - from;
}

test('fire → one message with buttons; resolve → the same message edited, buttons gone; fire again → a new message', async () => {
  const { notifier } = leader();
  const chat = emulatorChat();
  const alert = { name: 'DiskAlmostFull', labels: { instance: 'node-<1>' }, fingerprint: 'f1', startsAt: '2026-01-10T10:00:00Z' };
  let before = writes;
  const fired = await notifier.notify(notification('{}:{alertname="DiskAlmostFull"}', [alert]), chat);
  expect(await writesSince(before, 1)).toBe(1);
  expect(emulator.chatView(CHAT)).toHaveLength(1);
  const shown = emulator.chatView(CHAT)[0]!;
  expect(shown.messageId).toBe(fired.messageIds[0]);
  expect(shown.replyMarkup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['🔕 Silence 1h', '🔕 Silence 24h', '✋ Ack']);

  // A repeat that changes nothing: "not modified" at Telegram, no write at the API server.
  before = writes;
  await notifier.notify(notification('{}:{alertname="DiskAlmostFull"}', [alert]), chat);
  expect(await writesSince(before, 0)).toBe(0);

  before = writes;
  await notifier.notify(notification('{}:{alertname="DiskAlmostFull"}', [{ ...alert, status: 'resolved' }]), chat);
  expect(await writesSince(before, 1)).toBe(1);
  const view = emulator.chatView(CHAT);
  expect(view).toHaveLength(1);
  expect(view[0]!.messageId).toBe(fired.messageIds[0]);
  expect(view[0]!.text).toMatch(/RESOLVED/);
  expect(view[0]!.replyMarkup).toBeUndefined();

  const again = await notifier.notify(notification('{}:{alertname="DiskAlmostFull"}', [alert]), chat);
  expect(again.messageIds[0]).toBeGreaterThan(fired.messageIds[0]!);
  expect(emulator.chatView(CHAT)).toHaveLength(2);
});

test('a new leader (its own store, nothing in memory) finds the episode and edits it: not resent', async () => {
  const group = '{}:{alertname="Handover"}';
  const fired = await leader().notifier.notify(notification(group, [{ name: 'Handover' }]), emulatorChat());
  const count = emulator.chatView(CHAT).length;
  const next = leader(); // the old one is gone (kill -9): only the API server remembers
  const resolved = await next.notifier.notify(notification(group, [{ name: 'Handover', status: 'resolved' }]), emulatorChat());
  expect(resolved).toMatchObject({ sent: 0, edited: 1, messageIds: fired.messageIds });
  expect(emulator.chatView(CHAT)).toHaveLength(count);
  // The press handler's lookup by id works on the new leader too.
  const e = await next.store.findByGroup(notification(group, []).channel, group);
  expect(await next.store.get(e!.id)).toMatchObject({ state: 'resolved', messageIds: fired.messageIds });
});

test('the firing message was deleted: resolved is sent as a new message, once', async () => {
  const group = '{}:{alertname="Deleted"}';
  const { notifier } = leader();
  const fired = await notifier.notify(notification(group, [{ name: 'Deleted' }]), emulatorChat());
  emulator.deleteUserSide(CHAT, fired.messageIds[0]!);
  const resolved = await notifier.notify(notification(group, [{ name: 'Deleted', status: 'resolved' }]), emulatorChat());
  expect(resolved.sent).toBe(1);
  // Alertmanager retrying the same resolved notification (its answer was lost): not sent again.
  const retry = await leader().notifier.notify(notification(group, [{ name: 'Deleted', status: 'resolved' }]), emulatorChat());
  expect(retry.sent).toBe(0);
  expect(emulator.chatView(CHAT).filter((m) => m.text.includes('Deleted'))).toHaveLength(1);
});

test('a storm of 60 groups firing then resolving: 60 messages left, at most one write per notification', async () => {
  const { notifier } = leader();
  const chat = emulatorChat();
  const start = emulator.chatView(CHAT).length;
  const groups = Array.from({ length: 60 }, (_, i) => `{}:{alertname="Storm${i}"}`);
  let before = writes;
  await Promise.all(groups.map((g, i) => notifier.notify(notification(g, [{ name: `Storm${i}` }]), chat)));
  const firingWrites = await writesSince(before, 1);
  before = writes;
  await Promise.all(groups.map((g, i) => notifier.notify(notification(g, [{ name: `Storm${i}`, status: 'resolved' }]), chat)));
  const resolvedWrites = await writesSince(before, 1);
  expect(emulator.chatView(CHAT).length - start).toBe(60);
  expect(firingWrites).toBeLessThanOrEqual(60);
  expect(resolvedWrites).toBeLessThanOrEqual(60);
  console.log(`storm-60: ${firingWrites} ConfigMap writes for 60 firing notifications, ${resolvedWrites} for 60 resolved`);
});
