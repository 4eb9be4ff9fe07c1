// An Alertmanager storm into one supergroup with the built operator, the real API server and the
// Telegram emulator at its usual rate limits (20 messages a minute per group). With `resolved: Edit`
// (the default) and no buttons, new episodes waiting for the chat share messages; the storm resolving
// edits those same messages, each group's section in place, and waiting edits of one message collapse.
// A channel with `silence` gets one message per episode, each with its buttons (docs/alertmanager.md,
// "Storms: shared messages"). Webhook requests are retried on 503 as Alertmanager would; the last test
// has a real Alertmanager (Debian's prometheus-alertmanager, send_resolved) notify the operator instead.
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import type { DeliveredMessage } from '../emulator/core.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { channelHelpers } from '../harness/channels.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import { freePort, type OperatorProcess } from '../harness/operator.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let am: AlertmanagerProcess;
const { channel, readyReason } = channelHelpers(() => ns);
const WEBHOOK_TOKEN = 'storm-webhook-secret';
const GROUPS = 30;
const STORM = DEMO.chats.ops;
const BUTTONS = DEMO.chats.channel;
/** The real Alertmanager's storm goes to the forum's topic 42: a supergroup of its own, with its own limits. */
const AM_CHAT = DEMO.chats.forum;
const names = (prefix: string) => Array.from({ length: GROUPS }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STARTS_AT = new Date().toISOString();

beforeAll(async () => {
  // The operator's port is chosen first: Alertmanager's receiver points at it.
  const port = await freePort();
  ({ ns, emulator, operator } = await startEmulatedOperator('storm', {
    secrets: { 'am-webhook': { token: WEBHOOK_TOKEN } },
    env: (ns) => ({ POD_NAMESPACE: ns, HTTP_PORT: String(port) }),
  }));
  // Alertmanager before the channels (the Silence channel checks its API).
  am = await startAlertmanager(`
route:
  receiver: amstorm
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: amstorm
  webhook_configs:
  - url: http://127.0.0.1:${port}/webhooks/alertmanager/${ns}/amstorm
    send_resolved: true
    http_config: {authorization: {credentials: ${WEBHOOK_TOKEN}}}
`);
  const webhook = { tokenSecretRef: { name: 'am-webhook' } };
  await channel('storm', { tokenSecretRef: { name: 'bot' }, chatId: String(STORM), alertmanager: { ...webhook, resolved: 'Edit' } });
  await channel('buttons', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(BUTTONS),
    alertmanager: { ...webhook, silence: { url: am.url, durations: ['1h'] } },
  });
  await channel('amstorm', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(AM_CHAT),
    messageThreadId: 42,
    alertmanager: { ...webhook, resolved: 'Edit' },
  });
  for (const name of ['storm', 'buttons', 'amstorm']) await readyReason(name, 'Verified', 30_000);
}, 120_000);

afterAll(async () => {
  await am?.stop();
  await operator?.stop();
  await emulator?.stop();
});

interface Delivery {
  statuses: number[];
}

/** POSTs one group's notification, retrying on 503 as Alertmanager does (its retry joins the delivery under way). */
async function deliver(channelName: string, alertname: string, status: 'firing' | 'resolved'): Promise<Delivery> {
  const body = alertmanagerPayload([{ name: alertname, status, fingerprint: alertname, startsAt: STARTS_AT }], {
    groupKey: `{}:{alertname="${alertname}"}`,
    receiver: channelName,
  });
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await fetch(`${operator.url}/webhooks/alertmanager/${ns}/${channelName}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify(body),
    });
    await res.text();
    statuses.push(res.status);
    if (res.status !== 503) break;
    await sleep(1_000);
  }
  return { statuses };
}

async function storm(channelName: string, groups: string[], status: 'firing' | 'resolved') {
  const started = Date.now();
  const deliveries = await Promise.all(groups.map((g) => deliver(channelName, g, status)));
  const seconds = (Date.now() - started) / 1000;
  const retried = deliveries.filter((d) => d.statuses.length > 1).length;
  return { finals: deliveries.map((d) => d.statuses.at(-1)), retried, seconds };
}

/** How often the group's alertname appears in the chat (its section shows it once). */
const shownTimes = (chat: DeliveredMessage[], name: string) => chat.reduce((n, m) => n + m.text.split(name).length - 1, 0);

/** The state of the group's section: the header nearest before its alertname. */
function sectionState(text: string, name: string): 'firing' | 'resolved' | undefined {
  const before = text.slice(0, text.indexOf(name));
  const firing = before.lastIndexOf('FIRING');
  const resolved = before.lastIndexOf('RESOLVED');
  if (firing < 0 && resolved < 0) return undefined;
  return resolved > firing ? 'resolved' : 'firing';
}

const calls = (chatId: number, since: number, method?: string) =>
  emulator.requests
    .slice(since)
    .filter((r) => String(r.params['chat_id']) === String(chatId) && (method === undefined || r.method === method));
const tooMany = (chatId: number, since: number) => calls(chatId, since).filter((r) => r.status === 429).length;

const STORM_GROUPS = names('Storm');

/** Waits until the chat shows every group's section in `state`; resolves with the chat's messages then. */
const everySection = (chatId: number, groups: string[], state: 'firing' | 'resolved', what: string) =>
  eventually(
    async () => {
      const now = emulator.messagesTo(chatId);
      return groups.every((name) => now.some((m) => sectionState(m.text, name) === state)) ? now : undefined;
    },
    60_000,
    what,
  );

let firingIds: number[] = [];

test('30 groups firing at once into one supergroup: far fewer messages, every group shown once, no 429', async () => {
  const before = emulator.requests.length;
  const { finals, retried, seconds } = await storm('storm', STORM_GROUPS, 'firing');
  expect(finals).toEqual(Array(GROUPS).fill(200));
  await sleep(3_000); // anything sent twice would arrive now
  const chat = emulator.messagesTo(STORM);
  for (const name of STORM_GROUPS) {
    expect(shownTimes(chat, name)).toBe(1);
    expect(sectionState(chat.find((m) => m.text.includes(name))!.text, name)).toBe('firing');
  }
  expect(chat.length).toBeLessThanOrEqual(GROUPS / 3);
  expect(chat.every((m) => (m.replyMarkup?.inline_keyboard.length ?? 0) === 0)).toBe(true);
  expect(tooMany(STORM, before)).toBe(0);
  firingIds = chat.map((m) => m.messageId);
  console.log(`storm firing: ${GROUPS} groups in ${chat.length} messages, ${retried} POSTs retried after 503, ${seconds.toFixed(1)} s`);
}, 120_000);

test('the 30 groups resolved at once: no new message, every section resolved in the same messages, few edits, no 429', async () => {
  const before = emulator.requests.length;
  const { finals, retried, seconds } = await storm('storm', STORM_GROUPS, 'resolved');
  expect(finals).toEqual(Array(GROUPS).fill(200));
  // The webhook answers once the edit is queued and stored; the collapsed edits reach the chat soon after.
  const chat = await everySection(STORM, STORM_GROUPS, 'resolved', 'every section resolved');
  await sleep(3_000);
  const after = emulator.messagesTo(STORM);
  expect(after.map((m) => m.messageId)).toEqual(firingIds);
  for (const name of STORM_GROUPS) {
    expect(shownTimes(after, name)).toBe(1);
    expect(sectionState(after.find((m) => m.text.includes(name))!.text, name)).toBe('resolved');
  }
  expect(chat.every((m) => (m.edits ?? 0) >= 1)).toBe(true);
  expect(calls(STORM, before, 'sendMessage')).toHaveLength(0);
  const edits = calls(STORM, before, 'editMessageText').length;
  expect(edits).toBeGreaterThanOrEqual(firingIds.length);
  // Waiting edits of the message collapse: a few edits, not one per group (which would also take 30 s at 1 edit/s).
  expect(edits).toBeLessThanOrEqual(GROUPS / 3);
  expect(tooMany(STORM, before)).toBe(0);
  console.log(
    `storm resolved: ${GROUPS} groups, ${edits} editMessageText calls on ${firingIds.length} messages, ` +
      `${retried} POSTs retried after 503, ${seconds.toFixed(1)} s`,
  );
}, 120_000);

test('a channel with Silence buttons under the same storm: one message per episode, each with its buttons', async () => {
  const groups = names('Button');
  const before = emulator.requests.length;
  const { finals, retried, seconds } = await storm('buttons', groups, 'firing');
  expect(finals).toEqual(Array(GROUPS).fill(200));
  await sleep(3_000);
  const chat = emulator.messagesTo(BUTTONS);
  expect(chat).toHaveLength(GROUPS);
  for (const name of groups) {
    const shown = chat.filter((m) => m.text.includes(name));
    expect(shown).toHaveLength(1);
    expect(shownTimes(shown, name)).toBe(1);
    expect(shown[0]!.replyMarkup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['🔕 Silence 1h', '✋ Ack']);
  }
  expect(tooMany(BUTTONS, before)).toBe(0);
  console.log(
    `storm with buttons: ${GROUPS} groups in ${chat.length} messages, ${retried} POSTs retried after 503, ${seconds.toFixed(1)} s`,
  );
}, 240_000);

test('a real Alertmanager storm (30 groups, send_resolved): shared messages, then resolved in place, no 429', async () => {
  const groups = names('AmStorm');
  const before = emulator.requests.length;
  const startsAt = new Date().toISOString();
  const alerts = groups.map((alertname) => ({ labels: { alertname }, startsAt }));
  let started = Date.now();
  await am.postAlerts(alerts);
  const firing = await everySection(AM_CHAT, groups, 'firing', 'every group firing');
  const firingSeconds = (Date.now() - started) / 1000;
  await sleep(3_000); // several group intervals: a notification sent twice would arrive now
  const shown = emulator.messagesTo(AM_CHAT);
  for (const name of groups) expect(shownTimes(shown, name)).toBe(1);
  expect(shown.map((m) => m.messageId)).toEqual(firing.map((m) => m.messageId));
  expect(shown.length).toBeLessThanOrEqual(GROUPS / 3);
  expect(shown.every((m) => m.threadId === 42)).toBe(true);

  const beforeResolve = emulator.requests.length;
  started = Date.now();
  await am.postAlerts(alerts.map((a) => ({ ...a, endsAt: new Date().toISOString() })));
  await everySection(AM_CHAT, groups, 'resolved', 'every group resolved');
  const resolvedSeconds = (Date.now() - started) / 1000;
  await sleep(3_000);
  const after = emulator.messagesTo(AM_CHAT);
  expect(after.map((m) => m.messageId)).toEqual(shown.map((m) => m.messageId));
  for (const name of groups) expect(shownTimes(after, name)).toBe(1);
  expect(calls(AM_CHAT, beforeResolve, 'sendMessage')).toHaveLength(0);
  const edits = calls(AM_CHAT, beforeResolve, 'editMessageText').length;
  expect(edits).toBeLessThanOrEqual(GROUPS / 3);
  expect(tooMany(AM_CHAT, before)).toBe(0);
  console.log(
    `Alertmanager storm: ${GROUPS} groups in ${shown.length} messages (${firingSeconds.toFixed(1)} s), ` +
      `resolved with ${edits} editMessageText calls (${resolvedSeconds.toFixed(1)} s)`,
  );
}, 180_000);
