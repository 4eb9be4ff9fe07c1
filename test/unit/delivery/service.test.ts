// The delivery service against the emulator: deliver(channel, message) → outcome (the Ready check, the
// in-flight join, admission, outcomes into the ledger), and the message operations issue 13 builds on
// (send with buttons or as a reply, edit, delete, answer a press) with Telegram's refusals as outcomes.
import { AlertmanagerPayloadSchema } from '../../../src/format/alertmanager.js';
import type { TelegramChannel } from '../../../src/api/types.js';
import type { Resolution, ResolvedChannel } from '../../../src/credentials/resolver.js';
import { SecretUnavailable } from '../../../src/credentials/secrets.js';
import { DeliveryLedger } from '../../../src/delivery/ledger.js';
import { Sender } from '../../../src/delivery/sender.js';
import { DeliveryService, UNRECORDED_SENDS_PER_BOT } from '../../../src/delivery/service.js';
import { readiness } from '../../../src/delivery/readiness.js';
import { DeliveryError } from '../../../src/delivery/deliveryError.js';
import { alertmanagerNotification, alertmanagerSource } from '../../../src/sources/alertmanager.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { TelegramClient } from '../../../src/telegram/client.js';
import { DEMO, demoScenario } from '../../emulator/scenario.js';
import { TelegramEmulator } from '../../emulator/server.js';

const KEY = 'team/ops';
const spec = {
  tokenSecretRef: { name: 'bot', key: 'token' },
  chatId: String(DEMO.chats.ops),
  parseMode: 'HTML',
  linkPreview: false,
} as const;
const ops: ResolvedChannel = { spec: spec as unknown as ResolvedChannel['spec'], token: DEMO.bot.token, chatId: String(DEMO.chats.ops) };
const readyAt = (generation: number, status: 'True' | 'False' = 'True', reason = 'Verified') => ({
  observedGeneration: generation,
  conditions: [{ type: 'Ready', status, reason, message: 'm', observedGeneration: generation, lastTransitionTime: '2026-01-01T00:00:00Z' }],
});
const channel = (generation = 1, status = readyAt(1)): TelegramChannel => ({
  metadata: { name: 'ops', namespace: 'team', generation },
  spec,
  status,
});
const payload = AlertmanagerPayloadSchema.parse({
  version: '4',
  groupKey: '{}:{alertname="Disk"}',
  status: 'firing',
  alerts: [{ status: 'firing', labels: { alertname: 'Disk' }, startsAt: '2026-11-26T10:00:00Z', fingerprint: 'f1' }],
});
const notification = alertmanagerNotification(payload);

let emu: TelegramEmulator;
let ledger: DeliveryLedger;
let service: DeliveryService;
let recorded: { key: string; kind: string; ok: boolean }[];
let resolve: () => Promise<Resolution>;
const events: string[] = [];

beforeEach(async () => {
  emu = new TelegramEmulator(demoScenario(), { limits: false });
  const sender = new Sender(new TelegramClient(await emu.start()), { rateLimitWait: () => {}, sent: () => {} });
  const log = createLogger('silent');
  recorded = [];
  events.length = 0;
  resolve = async () => ({ ok: true, channel: ops });
  ledger = new DeliveryLedger({ log, requeue: () => {}, chatFailed: () => {} });
  const record = ledger.record.bind(ledger);
  ledger.record = (key, o) => (recorded.push({ key, kind: o.kind, ok: o.ok }), record(key, o));
  service = new DeliveryService({
    sender,
    ledger,
    resolver: { resolve: () => resolve() },
    recordEvent: (_o, _t, reason) => events.push(reason),
    metrics: createMetrics(),
    log,
  });
});
afterEach(async () => {
  await emu.stop();
});

const wait = () => AbortSignal.timeout(5_000);
const sendMessages = () => emu.requests.filter((r) => r.method === 'sendMessage');

describe('deliver: an Alertmanager notification', () => {
  test('a Ready channel: delivered, and the outcome goes to the ledger for status', async () => {
    const outcome = await service.deliver(channel(), { source: alertmanagerSource, notification, wait: wait() });
    expect(outcome).toMatchObject({ kind: 'delivered', joined: false, messageIds: [expect.any(Number)] });
    expect(recorded).toEqual([{ key: KEY, kind: 'alertmanager', ok: true }]);
    expect(ledger.unrecorded).toBe(1);
  });

  test('Ready for an older generation: not sent, and the answer says the spec is not verified yet', async () => {
    const outcome = await service.deliver(channel(2, readyAt(1)), { source: alertmanagerSource, notification, wait: wait() });
    expect(outcome).toEqual({ kind: 'notReady', why: 'its spec changed (generation 2) and is not verified yet', permanent: true });
    expect(sendMessages()).toHaveLength(0);
  });

  test('not Ready: a transient reason is retried soon, a permanent one later; nothing sent', async () => {
    const transient = await service.deliver(channel(1, readyAt(1, 'False', 'TelegramUnavailable')), {
      source: alertmanagerSource,
      notification,
      wait: wait(),
    });
    expect(transient).toEqual({ kind: 'notReady', why: 'TelegramUnavailable: m', permanent: false });
    const permanent = await service.deliver(channel(1, readyAt(1, 'False', 'BotKicked')), {
      source: alertmanagerSource,
      notification,
      wait: wait(),
    });
    expect(permanent).toMatchObject({ kind: 'notReady', permanent: true });
    expect(sendMessages()).toHaveLength(0);
  });

  test('Secrets that cannot be read now: secretsUnavailable, with the detail for the log only', async () => {
    resolve = () => Promise.reject(new SecretUnavailable('reading Secret team/bot: 500 etcdserver: timeout'));
    const outcome = await service.deliver(channel(), { source: alertmanagerSource, notification, wait: wait() });
    expect(outcome).toEqual({ kind: 'secretsUnavailable', detail: 'reading Secret team/bot: 500 etcdserver: timeout' });
  });

  test('a retry while the first is still being sent joins it: one message, both answered delivered', async () => {
    emu.setFaults({ latencyMs: 300 });
    const [a, b] = await Promise.all([
      service.deliver(channel(), { source: alertmanagerSource, notification, wait: wait() }),
      service.deliver(channel(), { source: alertmanagerSource, notification, wait: wait() }),
    ]);
    expect(a).toMatchObject({ kind: 'delivered', joined: false });
    expect(b).toMatchObject({ kind: 'delivered', joined: true });
    expect(sendMessages()).toHaveLength(1);
    expect(recorded).toHaveLength(1);
  });

  test('a refusal is recorded as a failure; a transient failure is left to Alertmanager (not recorded)', async () => {
    resolve = async () => ({ ok: true, channel: { ...ops, chatId: String(DEMO.chats.kickedSupergroup) } });
    const refused = await service.deliver(channel(), { source: alertmanagerSource, notification, wait: wait() });
    expect(refused).toMatchObject({ kind: 'failed', error: { reason: 'BotKicked', transient: false } });
    expect(recorded).toEqual([{ key: KEY, kind: 'alertmanager', ok: false }]);

    resolve = async () => ({ ok: true, channel: ops });
    emu.setFaults({ status5xx: { untilMs: 60_000, code: 502 } });
    const slow = await service.deliver(channel(), { source: alertmanagerSource, notification, wait: AbortSignal.timeout(300) });
    expect(slow).toEqual({ kind: 'notYet' });
    expect(recorded).toHaveLength(1);
  });
});

describe('deliver: an annotation message', () => {
  test('delivered, recorded, and resolved only once its outcome is in status', async () => {
    let settled = false;
    const done = service.deliver(channel(), { source: 'alert', digest: 'sha256:a', parts: ['disk full'], resolved: ops }).then((o) => {
      settled = true;
      return o;
    });
    for (let i = 0; i < 100 && recorded.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(recorded).toEqual([{ key: KEY, kind: 'alert', ok: true }]);
    expect(events).toEqual(['AlertSent']);
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false); // its admission is held until the status is written
    const d: Record<string, unknown> = {};
    ledger.written(KEY, ledger.fold(KEY, d));
    expect(await done).toMatchObject({ kind: 'delivered', messageIds: [expect.any(Number)] });
    expect(d).toMatchObject({ lastAlertDigest: 'sha256:a', sent: 1 });
  });

  test(`at most ${UNRECORDED_SENDS_PER_BOT} messages of a bot are out but unrecorded; the next waits for a status write`, async () => {
    const send = (i: number) =>
      service.deliver(channel(), { source: 'test', digest: `sha256:${i}`, parts: [`message ${i}`], resolved: ops });
    const all = [0, 1, 2].map(send);
    await new Promise((r) => setTimeout(r, 300));
    expect(sendMessages()).toHaveLength(UNRECORDED_SENDS_PER_BOT);
    ledger.written(KEY, ledger.fold(KEY, {}));
    await new Promise((r) => setTimeout(r, 300));
    expect(sendMessages()).toHaveLength(3);
    ledger.written(KEY, ledger.fold(KEY, {}));
    await Promise.all(all);
  });

  test('a refusal: the failure Event, the outcome recorded with its reason', async () => {
    const kicked = { ...ops, chatId: String(DEMO.chats.kickedSupergroup) };
    const done = service.deliver(channel(), { source: 'alert', digest: 'sha256:k', parts: ['x'], resolved: kicked });
    for (let i = 0; i < 100 && recorded.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    ledger.written(KEY, ledger.fold(KEY, {}));
    expect(await done).toMatchObject({ kind: 'failed', error: { reason: 'BotKicked', transient: false } });
    expect(events).toEqual(['AlertFailed']);
  });
});

test('readiness: Ready True for the current generation only', () => {
  expect(readiness(channel())).toEqual({ ready: true });
  expect(readiness(channel(2))).toMatchObject({ ready: false, stale: true });
  expect(readiness(channel(1, { observedGeneration: 1, conditions: [] }))).toMatchObject({ ready: false, why: 'not verified yet' });
});

describe('message operations (issue 13)', () => {
  const keyboard = { inline_keyboard: [[{ text: 'Ack', callback_data: 'a:ep1' }]] };

  test('send: buttons and the reply go on the first part; every part’s id comes back in order', async () => {
    const user = emu.postUserMessage(DEMO.chats.ops, DEMO.users.olga, 'is the disk full?');
    const sent = await service.send(ops, {
      parts: ['<b>part 1</b>', 'part 2'],
      replyMarkup: keyboard,
      replyToMessageId: user.messageId,
      source: 'alertmanager',
    });
    expect(sent).toEqual({ messageIds: [expect.any(Number), expect.any(Number)] });
    const [first, second] = emu.chatView(DEMO.chats.ops).filter((m) => m.text.startsWith('part'));
    expect(first).toMatchObject({ text: 'part 1', replyMarkup: keyboard, replyToMessageId: user.messageId });
    expect(second?.replyMarkup).toBeUndefined();
    expect(second?.replyToMessageId).toBeUndefined();
  });

  test('send as a reply to a message that is gone: sent without the reply', async () => {
    const sent = await service.send(ops, { parts: ['resolved'], replyToMessageId: 999_999, source: 'alertmanager' });
    expect(sent.messageIds).toEqual([expect.any(Number)]);
  });

  test('editText: edited; the same again is notModified; a deleted message or a human’s is gone', async () => {
    const sent = await service.send(ops, { parts: ['firing'], replyMarkup: keyboard, source: 'alertmanager' });
    const id = sent.messageIds[0]!;
    expect(await service.editText(ops, { messageId: id, text: '<b>resolved</b>', replyMarkup: keyboard })).toBe('edited');
    expect(emu.chatView(DEMO.chats.ops).find((m) => m.messageId === id)).toMatchObject({ text: 'resolved', replyMarkup: keyboard });
    expect(await service.editText(ops, { messageId: id, text: '<b>resolved</b>', replyMarkup: keyboard })).toBe('notModified');
    expect(await service.editReplyMarkup(ops, { messageId: id })).toBe('edited');
    expect(emu.chatView(DEMO.chats.ops).find((m) => m.messageId === id)?.replyMarkup).toBeUndefined();

    expect(await service.deleteMessage(ops, id)).toBe('deleted');
    expect(await service.deleteMessage(ops, id)).toBe('gone');
    expect(await service.editText(ops, { messageId: id, text: 'again' })).toBe('gone');
    const human = emu.postUserMessage(DEMO.chats.ops, DEMO.users.olga, 'mine');
    expect(await service.editText(ops, { messageId: human.messageId, text: 'not yours' })).toBe('gone');
  }, 20_000); // nine requests to one chat: the sender paces them at Telegram's 1/s after a burst of 3

  test('a message in a group that was upgraded to a supergroup is gone for edits and deletions (send a new one instead)', async () => {
    const oldId = -400000077;
    emu.setChat({ id: oldId, type: 'group', title: 'Soon upgraded' });
    emu.setMembership({ chatId: oldId, botId: DEMO.bot.id, status: 'member' });
    const group = { ...ops, chatId: String(oldId) };
    const sent = await service.send(group, { parts: ['firing'], source: 'alertmanager' });
    emu.migrateGroup(oldId, -1001000000077);
    expect(await service.editText(group, { messageId: sent.messageIds[0]!, text: 'resolved' })).toBe('gone');
    expect(await service.editReplyMarkup(group, { messageId: sent.messageIds[0]! })).toBe('gone');
    expect(await service.deleteMessage(group, sent.messageIds[0]!)).toBe('gone');
  });

  test('an edit in a chat the bot was kicked from throws the DeliveryError with the chat’s reason, not a message outcome', async () => {
    const kicked = { ...ops, chatId: String(DEMO.chats.kickedSupergroup) };
    const thrown = await service.editText(kicked, { messageId: 1, text: 'x' }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(DeliveryError);
    expect(thrown).toMatchObject({ reason: 'BotKicked', transient: false, telegram: { kind: 'BotKicked' } });
  });

  test('edits take from the same per-chat bucket as sends: with the emulator’s limits on, no 429', async () => {
    const limited = new TelegramEmulator(demoScenario());
    const sender = new Sender(new TelegramClient(await limited.start()), { rateLimitWait: () => {}, sent: () => {} });
    const s = new DeliveryService({
      sender,
      ledger,
      resolver: { resolve: async () => ({ ok: true, channel: ops }) },
      recordEvent: () => {},
      metrics: createMetrics(),
      log: createLogger('silent'),
    });
    try {
      const sent = await s.send(ops, { parts: ['v0'], source: 'alertmanager' });
      const edits = [1, 2, 3, 4].map((i) => s.editText(ops, { messageId: sent.messageIds[0]!, text: `v${i}` }));
      expect(await Promise.all(edits)).toEqual(['edited', 'edited', 'edited', 'edited']);
      expect(limited.requests.filter((r) => r.status === 429)).toHaveLength(0);
    } finally {
      await limited.stop();
    }
  });
});
