// The alert's life in the chat, end to end: a REAL Alertmanager (Debian's prometheus-alertmanager)
// notifies the built operator's webhook, the operator sends and edits in the Telegram emulator, and
// people press the buttons there (Olga an administrator, Max a member, Sam an outsider); silences are
// read back from Alertmanager's API v2 and the episodes from their ConfigMap on the real API server.
// The tests run in order: each continues the chat the previous one left.
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import type { DeliveredMessage } from '../emulator/core.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers } from '../harness/channels.js';
import { startWebhookNamespace } from '../harness/emulatedOperator.js';
import { clients, eventually } from '../harness/kube.js';
import { freePort, startOperator, type OperatorProcess } from '../harness/operator.js';
import { stopAll } from '../harness/stopAll.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let am: AlertmanagerProcess;
const { channel, readyReason, conditionWhen } = channelHelpers(() => ns);
const { core } = clients();
const WEBHOOK_TOKEN = 'lifecycle-webhook-secret';
const OPS = DEMO.chats.ops;
const LABELS = { alertname: 'DiskFull', severity: 'page' };
const SILENCE_1H = '🔕 Silence 1h';
const ACK = '✋ Ack';
const UNSILENCE = '🔔 Unsilence';

interface Silence {
  id: string;
  status: { state: string };
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  createdBy: string;
  startsAt: string;
  endsAt: string;
}

const silences = async (): Promise<Silence[]> => (await (await fetch(`${am.url}/api/v2/silences`)).json()) as Silence[];
const buttons = (m: DeliveredMessage | undefined) => m?.replyMarkup?.inline_keyboard.flat().map((b) => b.text) ?? [];
const view = (chatId: number, alertname: string) => emulator.chatView(chatId).filter((m) => m.text.includes(alertname));
const message = (chatId: number, id: number) => emulator.messagesTo(chatId).find((m) => m.messageId === id)!;
const settle = (ms = 3_000) => new Promise((r) => setTimeout(r, ms)); // several of Alertmanager's 1 s group intervals

/** Presses a button (by its label) as `userId` and returns the answer the presser sees. */
async function press(chatId: number, messageId: number, userId: number, button: string): Promise<string> {
  const rec = emulator.pressButton(DEMO.bot.token, { chatId, messageId, userId, button });
  const answered = await eventually(async () => emulator.callbackQueries.find((q) => q.id === rec.id && q.answer), 10_000, 'answer');
  expect(answered.answer!.showAlert).toBe(true);
  return answered.answer!.text ?? '';
}

/** The edit channel's episodes as stored. */
async function episodeRecords(): Promise<{ id: string; messageIds: number[]; state: string; ack?: { by: string }; silence?: unknown }[]> {
  const selector = 'telegram.notify.dev/episodes,telegram.notify.dev/channel-name=edit';
  const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: selector });
  return list.items.flatMap((cm) => Object.values(cm.data ?? {}).map((v) => JSON.parse(v) as never));
}

const fire = (labels: Record<string, string>, startsAt = new Date().toISOString()) => am.postAlerts([{ labels, startsAt }]);
const resolve = (labels: Record<string, string>, startsAt: string) =>
  am.postAlerts([{ labels, startsAt, endsAt: new Date().toISOString() }]);

const receiver = (name: string) => `
- name: ${name}
  webhook_configs:
  - url: http://127.0.0.1:PORT/webhooks/alertmanager/NS/${name}
    send_resolved: true
    http_config: {authorization: {credentials: ${WEBHOOK_TOKEN}}}`;

beforeAll(async () => {
  const world = await startWebhookNamespace('lifecycle', WEBHOOK_TOKEN);
  ({ ns, emulator } = world);
  const url = world.url;
  // Alertmanager first (the channels check its API), pointed at the port the operator will listen on.
  const port = await freePort();
  am = await startAlertmanager(
    `
route:
  receiver: edit
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
  - {receiver: reply, matchers: ['mode="reply"']}
  - {receiver: send, matchers: ['mode="send"']}
receivers:${receiver('edit')}${receiver('reply')}${receiver('send')}
`
      .replaceAll('PORT', String(port))
      .replaceAll('NS', ns),
  );
  operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns, POD_NAMESPACE: ns, HTTP_PORT: String(port) });
  const silence = { url: am.url, durations: ['1h', '24h'] };
  const spec = (chatId: number, resolved: string) => ({
    tokenSecretRef: { name: 'bot' },
    chatId: String(chatId),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, resolved, silence },
  });
  await channel('edit', spec(OPS, 'Edit'));
  await channel('reply', spec(DEMO.chats.group, 'Reply'));
  await channel('send', spec(DEMO.chats.channel, 'Send'));
  for (const name of ['edit', 'reply', 'send']) await readyReason(name, 'Verified', 30_000);
  // The buttons' back channel is up: the leader polls the bot's updates.
  await conditionWhen('edit', 'Interactive', (c) => c.status === 'True', { timeoutMs: 30_000 });
});

afterAll(() => stopAll(am, operator, emulator));

let first: DeliveredMessage;
/** Waits until the first alert's message in OPS passes `ok`; resolves with it. */
const firstMessageWhen = (ok: (m: DeliveredMessage) => boolean, timeoutMs: number, what: string) =>
  eventually(
    async () => {
      const m = message(OPS, first.messageId);
      return ok(m) ? m : undefined;
    },
    timeoutMs,
    what,
  );
const startsAt = new Date().toISOString();
const nodes = (n: number) => ({ ...LABELS, instance: `node-${n}` });

test('fire → one message with Silence and Ack buttons; the episode is in a ConfigMap', async () => {
  await am.postAlerts([1, 2].map((n) => ({ labels: nodes(n), startsAt })));
  first = await eventually(async () => view(OPS, 'DiskFull').find((m) => /FIRING \(2\)/.test(m.text)), 30_000, 'firing message');
  expect(buttons(first)).toEqual([SILENCE_1H, '🔕 Silence 24h', ACK]);
  await settle();
  expect(view(OPS, 'DiskFull')).toHaveLength(1);
  const [record, ...more] = await episodeRecords();
  expect(more).toEqual([]);
  expect(record).toMatchObject({ messageIds: [first.messageId], state: 'firing', commonLabels: LABELS });
});

test("a member's or an outsider's press is refused and changes nothing", async () => {
  const before = message(OPS, first.messageId);
  expect(await press(OPS, first.messageId, DEMO.users.max, SILENCE_1H)).toMatch(/only administrators/);
  expect(await press(OPS, first.messageId, DEMO.users.sam, ACK)).toMatch(/only administrators/);
  expect(await silences()).toEqual([]);
  const after = message(OPS, first.messageId);
  expect(after.edits).toBe(before.edits);
  expect(buttons(after)).toEqual(buttons(before));
  expect((await episodeRecords())[0]!.ack).toBeUndefined();
});

test('Silence 1h by an administrator: the exact matchers in Alertmanager, who/until and Unsilence on the message; Alertmanager holds the group back', async () => {
  expect(await press(OPS, first.messageId, DEMO.users.olga, SILENCE_1H)).toMatch(/^Silenced for 1h, until/);
  const [s, ...more] = await silences();
  expect(more).toEqual([]);
  expect(s!.status.state).toBe('active');
  expect(s!.createdBy).toBe('telegram:@olga_oncall');
  expect(s!.matchers.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
    { name: 'severity', value: 'page', isRegex: false, isEqual: true },
  ]);
  const minutes = (Date.parse(s!.endsAt) - Date.parse(s!.startsAt)) / 60_000;
  expect(minutes).toBeGreaterThan(59);
  expect(minutes).toBeLessThanOrEqual(60.1);
  const shown = await firstMessageWhen((m) => buttons(m).includes(UNSILENCE), 10_000, 'Unsilence offered');
  expect(buttons(shown)).toEqual([UNSILENCE, ACK]);
  expect(shown.text).toMatch(/Silenced by @olga_oncall until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

  // A third node of the group: Alertmanager itself suppresses the notification.
  const edits = shown.edits;
  await fire(nodes(3), startsAt);
  await eventually(async () => (await am.silencedBy('instance="node-3"')).includes(s!.id), 10_000, 'node-3 silenced');
  await settle();
  expect(view(OPS, 'DiskFull')).toHaveLength(1);
  expect(message(OPS, first.messageId).edits).toBe(edits);
  expect(message(OPS, first.messageId).text).toMatch(/FIRING \(2\)/);
});

test('Unsilence expires the silence and brings the Silence buttons back; the held-back notification then edits the message', async () => {
  const id = (await silences())[0]!.id;
  expect(await press(OPS, first.messageId, DEMO.users.olga, UNSILENCE)).toMatch(/Silence expired/);
  expect((await silences()).find((s) => s.id === id)!.status.state).toBe('expired');
  // Alertmanager notifies again (three nodes now): the same message, edited in place.
  const m = await firstMessageWhen((cur) => /FIRING \(3\)/.test(cur.text), 20_000, 'the third node shown in the same message');
  expect(buttons(m)).toEqual([SILENCE_1H, '🔕 Silence 24h', ACK]);
  expect(m.text).not.toMatch(/Silenced by/);
  expect(view(OPS, 'DiskFull')).toHaveLength(1);
});

test('Ack records who took it and the Ack button goes', async () => {
  expect(await press(OPS, first.messageId, DEMO.users.olga, ACK)).toBe('You took this alert.');
  const m = await firstMessageWhen((cur) => !buttons(cur).includes(ACK), 10_000, 'Ack gone');
  expect(buttons(m)).toEqual([SILENCE_1H, '🔕 Silence 24h']);
  expect(m.text).toMatch(/Acked by @olga_oncall at/);
  expect((await episodeRecords())[0]!.ack).toMatchObject({ by: 'telegram:@olga_oncall' });
});

test('resolve → the same message edited, buttons gone, no new message', async () => {
  for (const n of [1, 2, 3]) await resolve(nodes(n), startsAt);
  const m = await firstMessageWhen((cur) => /RESOLVED/.test(cur.text) && !/FIRING/.test(cur.text), 20_000, 'resolved in place');
  expect(buttons(m)).toEqual([]);
  await settle();
  expect(view(OPS, 'DiskFull').map((x) => x.messageId)).toEqual([first.messageId]);
  expect((await episodeRecords())[0]).toMatchObject({ state: 'resolved', messageIds: [first.messageId] });
  const metrics = await (await fetch(`${operator.url}/metrics`)).text();
  const writes = Number(/^telegram_operator_episode_writes_total (\d+)/m.exec(metrics)?.[1]);
  expect(writes).toBeGreaterThan(0);
});

let second: DeliveredMessage;
let secondStart = '';
test('fire again after the resolution → a new message with buttons', async () => {
  const again = new Date().toISOString();
  await fire(nodes(1), again);
  second = await eventually(
    async () => view(OPS, 'DiskFull').find((m) => m.messageId !== first.messageId && /FIRING/.test(m.text)),
    30_000,
    'a new firing message',
  );
  expect(buttons(second)).toEqual([SILENCE_1H, '🔕 Silence 24h', ACK]);
  expect(message(OPS, first.messageId).text).toMatch(/RESOLVED/);
  secondStart = again;
});

test('a firing message deleted in the chat: the resolved notification is sent as a new message, once', async () => {
  emulator.deleteUserSide(OPS, second.messageId);
  await resolve(nodes(1), secondStart);
  const resolved = await eventually(
    async () => view(OPS, 'DiskFull').find((m) => m.messageId > second.messageId && /RESOLVED/.test(m.text)),
    20_000,
    'resolved as a new message',
  );
  expect(buttons(resolved)).toEqual([]);
  await settle();
  expect(view(OPS, 'DiskFull').map((m) => m.messageId)).toEqual([first.messageId, resolved.messageId]);
});

/**
 * Fires `alertname` at the channel of `mode` (its chat `chatId`), checks the firing message has all
 * its buttons, resolves it and waits for the resolution and the chat to settle.
 */
async function fireThenResolve(chatId: number, alertname: string, mode: 'reply' | 'send') {
  const labels = { alertname, mode };
  const at = new Date().toISOString();
  await fire(labels, at);
  const firing = await eventually(async () => view(chatId, alertname)[0], 30_000, `firing in ${mode} mode`);
  expect(buttons(firing)).toEqual([SILENCE_1H, '🔕 Silence 24h', ACK]);
  await resolve(labels, at);
  const resolved = await eventually(async () => view(chatId, alertname).find((m) => /RESOLVED/.test(m.text)), 20_000, 'resolved message');
  await settle();
  return { firing, resolved, chat: view(chatId, alertname) };
}

test('Reply: the resolution is a new message replying to the first, which loses its buttons', async () => {
  const { firing, resolved: reply, chat } = await fireThenResolve(DEMO.chats.group, 'QueueStuck', 'reply');
  expect(reply.replyToMessageId).toBe(firing.messageId);
  expect(chat.map((m) => m.messageId)).toEqual([firing.messageId, reply.messageId]);
  expect(buttons(chat[0])).toEqual([]);
  expect(chat[0]!.text).toMatch(/FIRING/); // Reply keeps the first message as it was, without buttons
});

test('Send: every notification a new message (not a reply); the first loses its buttons', async () => {
  const { firing, resolved, chat } = await fireThenResolve(DEMO.chats.channel, 'CertExpiring', 'send');
  expect(resolved.replyToMessageId).toBeUndefined();
  expect(chat.map((m) => m.messageId)).toEqual([firing.messageId, resolved.messageId]);
  expect(buttons(chat[0])).toEqual([]);
});

// The leader reads its own writes from memory: a hand edit is seen at its next write (a conflict, read
// again). Either way the resolution is shown once, and the stored records are readable again afterwards.
test('an episode garbled or deleted by hand: nothing crashes; the resolution is shown once; the records are repaired', async () => {
  const at = new Date().toISOString();
  for (const alertname of ['Garbled', 'Deleted']) await fire({ alertname }, at);
  const firing = await eventually(
    async () => (view(OPS, 'Garbled').length === 1 && view(OPS, 'Deleted').length === 1 ? true : undefined),
    30_000,
    'both firing',
  );
  expect(firing).toBe(true);
  // The edit channel's ConfigMap, once both episodes are stored (the message goes out just before).
  const selector = 'telegram.notify.dev/episodes,telegram.notify.dev/channel-name=edit';
  const groupOf = (v: string) => (JSON.parse(v) as { groupKey: string }).groupKey;
  const cm = await eventually(
    async () => {
      const found = (await core.listNamespacedConfigMap({ namespace: ns, labelSelector: selector })).items[0];
      const groups = Object.values(found?.data ?? {}).map(groupOf);
      return groups.some((g) => g.includes('Garbled')) && groups.some((g) => g.includes('Deleted')) ? found : undefined;
    },
    10_000,
    'both episodes stored',
  );
  const keyOf = (alertname: string) => Object.entries(cm.data ?? {}).find(([, v]) => groupOf(v).includes(alertname))![0];
  const data = { ...cm.data, [keyOf('Garbled')]: 'not json {' } as Record<string, string>;
  delete data[keyOf('Deleted')];
  await core.replaceNamespacedConfigMap({ namespace: ns, name: cm.metadata!.name!, body: { ...cm, data } });

  for (const alertname of ['Garbled', 'Deleted']) await resolve({ alertname }, at);
  for (const alertname of ['Garbled', 'Deleted']) {
    await eventually(async () => view(OPS, alertname).find((m) => /RESOLVED/.test(m.text)), 20_000, `${alertname} resolved`);
  }
  await settle();
  for (const alertname of ['Garbled', 'Deleted']) {
    expect(view(OPS, alertname).filter((m) => /RESOLVED/.test(m.text))).toHaveLength(1);
  }
  expect(operator.child.exitCode).toBeNull();
  const after = await core.readNamespacedConfigMap({ namespace: ns, name: cm.metadata!.name! });
  const groups = Object.values(after.data ?? {}).map((v) => (JSON.parse(v) as { groupKey: string; state: string }).groupKey);
  expect(groups.filter((g) => /Garbled|Deleted/.test(g))).toHaveLength(2);
});
