// The alert relay end to end: annotations and the Alertmanager webhook, through the built operator,
// on the real control plane, into the Telegram emulator.
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { digestOf } from '../../src/delivery/annotationRelay.js';
import { channelHelpers, cond, G, type Channel } from '../harness/channels.js';
import { startEmulatedNamespace } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { alertmanagerPayload, type TestAlert } from '../harness/alertmanagerPayload.js';

let ns: string;
let emulator: TelegramEmulator;
let emulatorUrl: string;
let operator: OperatorProcess;
const { custom, secret, channel, get, annotate, readyReason, channelWhen, deliveryError } = channelHelpers(() => ns);
const AM_TOKEN = 'am-webhook-token-0123456789';

const env = () => ({ TELEGRAM_API_URL: emulatorUrl, WATCH_NAMESPACE: ns, RESYNC_PERIOD_SECONDS: '10' });
const sentTo = (chatId: number) => emulator.messagesTo(chatId);
const sendCalls = () => emulator.requests.filter((r) => r.method === 'sendMessage');
/** The current alert delivered and written down: nothing pending any more. */
const recorded = (c: Channel) => !!c.status?.delivery?.lastAlertDigest && !c.status.delivery.pendingAlertDigest;

beforeAll(async () => {
  ({ ns, emulator, url: emulatorUrl } = await startEmulatedNamespace('relay', { secrets: { am: { token: AM_TOKEN } } }));
  operator = await startOperator(env());
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

test('an annotation alert is sent once and survives resync, re-apply and restart without resending', async () => {
  await channel('ops', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  await readyReason('ops', 'Verified');
  await annotate('ops', { 'telegram.notify.dev/alert': 'disk full on node-1' });
  const ch = await channelWhen('ops', recorded, 15_000, 'alert recorded');
  expect(sentTo(DEMO.chats.ops).map((m) => m.text)).toEqual(['disk full on node-1']);
  expect(ch.status?.delivery).toMatchObject({ sent: 1, lastMessageId: sentTo(DEMO.chats.ops)[0]!.messageId });
  expect(ch.status?.delivery?.lastAlertDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

  // Re-apply the same value, wait past a resync (10 s here), restart the operator: still one message.
  await annotate('ops', { 'telegram.notify.dev/alert': 'disk full on node-1' });
  await new Promise((r) => setTimeout(r, 11_000));
  await operator.stop();
  operator = await startOperator(env());
  await new Promise((r) => setTimeout(r, 2_000));
  expect(sentTo(DEMO.chats.ops)).toHaveLength(1);

  // A new value is a new alert; alert-id makes the same text sendable again.
  await annotate('ops', { 'telegram.notify.dev/alert': 'disk full on node-1', 'telegram.notify.dev/alert-id': '2' });
  await eventually(async () => sentTo(DEMO.chats.ops).length === 2, 15_000, 'second alert');
  await eventually(async () => (await get('ops')).status?.delivery?.sent === 2, 15_000, 'sent counter 2');
});

test('a test annotation sends a short test message and records its digest', async () => {
  await channel('tester', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.channel), parseMode: 'HTML' });
  await readyReason('tester', 'Verified');
  await annotate('tester', { 'telegram.notify.dev/test': 'try-1' });
  await eventually(async () => sentTo(DEMO.chats.channel).length === 1, 15_000, 'test message');
  expect(sentTo(DEMO.chats.channel)[0]!.text).toContain(`${ns}/tester`);
  await eventually(async () => (await get('tester')).status?.delivery?.lastTestDigest, 15_000, 'lastTestDigest');
});

test('an empty alert is ignored and says so; broken markup fails with InvalidMarkup and no Telegram call', async () => {
  await channel('strict', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.group), parseMode: 'HTML' });
  await readyReason('strict', 'Verified');
  const before = sendCalls().length;
  await annotate('strict', { 'telegram.notify.dev/alert': '   ' });
  const empty = await deliveryError('strict', 'EmptyAlert');
  expect(empty.status?.delivery?.failed ?? 0).toBe(0);

  await annotate('strict', { 'telegram.notify.dev/alert': 'line one<br>line two' });
  const broken = await deliveryError('strict', 'InvalidMarkup');
  expect(broken.status?.delivery?.lastError).toMatch(/br.*position 8/);
  expect(broken.status?.delivery?.failed).toBe(1);
  expect(
    sendCalls()
      .slice(before)
      .filter((r) => String(r.params.chat_id) === String(DEMO.chats.group)),
  ).toHaveLength(0);
});

test('a 10,000-character alert arrives complete, split at line boundaries, parts numbered', async () => {
  await channel('long', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.forum), messageThreadId: 42 });
  await readyReason('long', 'Verified');
  const lines = Array.from({ length: 250 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(31)}`);
  const text = lines.join('\n');
  expect(text.length).toBeGreaterThanOrEqual(10_000);
  await annotate('long', { 'telegram.notify.dev/alert': text });
  await eventually(async () => (await get('long')).status?.delivery?.lastAlertDigest, 20_000, 'long alert delivered');
  const parts = sentTo(DEMO.chats.forum);
  expect(parts.length).toBe(3);
  expect(parts.every((p) => p.text.length <= 4096 && p.threadId === 42)).toBe(true);
  expect(parts[0]!.text.startsWith('(1/3)')).toBe(true);
  const received = parts.map((p) => p.text.replace(/^\(\d\/3\)\n/, '')).join('\n');
  for (const line of lines) expect(received).toContain(line);
});

test('an alert for a channel that is not Ready waits, and is sent once the channel becomes Ready', async () => {
  await secret('late-bot', { token: DEMO.unknownToken });
  await channel('late', { tokenSecretRef: { name: 'late-bot' }, chatId: String(DEMO.chats.channel) }, ns, {
    'telegram.notify.dev/alert': 'queued while broken',
  });
  await readyReason('late', 'Unauthorized');
  const waiting = await channelWhen('late', (c) => !!c.status?.delivery?.pendingAlertDigest, 15_000, 'pending alert');
  expect(waiting.status?.delivery?.lastError).toMatch(/ChannelNotReady.*Unauthorized/);
  expect(sentTo(DEMO.chats.channel).some((m) => m.text === 'queued while broken')).toBe(false);
  await secret('late-bot', { token: DEMO.bot.token });
  await eventually(async () => sentTo(DEMO.chats.channel).some((m) => m.text === 'queued while broken'), 15_000, 'sent after fix');
  const done = await channelWhen('late', recorded, 15_000, 'recorded');
  expect(done.status?.delivery?.lastError).toBeUndefined();
  expect(sentTo(DEMO.chats.channel).filter((m) => m.text === 'queued while broken')).toHaveLength(1);
});

test('an alert set while the channel is suspended is kept, replaced by a newer value, and sent once on resume', async () => {
  const shown = () => sentTo(DEMO.chats.channel).filter((m) => m.text.startsWith('set while suspended'));
  const pending = (text: string) =>
    eventually(
      async () => {
        const c = await get('paused');
        return c.status?.delivery?.pendingAlertDigest === digestOf(text) ? c : undefined;
      },
      15_000,
      `pending ${text}`,
    );
  await channel('paused', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.channel), suspend: true });
  await readyReason('paused', 'Suspended');
  await annotate('paused', { 'telegram.notify.dev/alert': 'set while suspended: first' });
  const first = await pending('set while suspended: first');
  expect(first.status?.delivery?.lastError).toMatch(/^ChannelNotReady: alert waiting until the channel is Ready \(.*suspend/);
  await annotate('paused', { 'telegram.notify.dev/alert': 'set while suspended: second' });
  await pending('set while suspended: second');
  expect(shown()).toEqual([]);

  await custom.patchNamespacedCustomObject({
    ...G,
    namespace: ns,
    name: 'paused',
    body: [{ op: 'replace', path: '/spec/suspend', value: false }],
  });
  const done = await eventually(
    async () => {
      const c = await get('paused');
      return c.status?.delivery?.lastAlertDigest === digestOf('set while suspended: second') && !c.status.delivery.pendingAlertDigest
        ? c
        : undefined;
    },
    20_000,
    'sent after resume',
  );
  expect(shown().map((m) => m.text)).toEqual(['set while suspended: second']);
  expect(done.status?.delivery?.lastError).toBeUndefined();
});

test('a send refused because the bot was kicked meanwhile fails the alert and re-verifies the channel', async () => {
  await channel('kicked-later', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.upgradedTo) });
  await readyReason('kicked-later', 'Verified');
  emulator.kickBot(DEMO.chats.upgradedTo, DEMO.bot.id);
  await annotate('kicked-later', { 'telegram.notify.dev/alert': 'nobody will read this' });
  const failed = await deliveryError('kicked-later', 'BotKicked');
  expect(failed.status?.delivery?.failed).toBe(1);
  // Without waiting for verifyInterval (1h): the refusal made the channel verify again.
  const ch = await readyReason('kicked-later', 'BotKicked', 15_000);
  expect(cond(ch, 'Ready')?.status).toBe('False');
});

describe('the Alertmanager webhook', () => {
  const payload = (alerts: TestAlert[]) =>
    alertmanagerPayload(
      alerts.map((a) => ({
        startsAt: '2026-11-26T10:00:00Z',
        generatorURL: 'http://prometheus.example/graph?g0.expr=up',
        fingerprint: 'abc',
        ...a,
      })),
      { groupKey: '{}:{alertname="x"}', receiver: 'telegram', externalURL: 'http://alertmanager.example:9093' },
    );
  const post = (name: string, body: unknown, token: string | null = AM_TOKEN, raw?: string, signal?: AbortSignal) =>
    fetch(`${operator.url}/webhooks/alertmanager/${ns}/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: raw ?? JSON.stringify(body),
      signal,
    });

  beforeAll(async () => {
    await channel('am', {
      tokenSecretRef: { name: 'bot' },
      chatId: String(DEMO.chats.group),
      alertmanager: { tokenSecretRef: { name: 'am' } },
    });
    await channel('am-off', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.group) });
    await readyReason('am', 'Verified');
  });

  test('bad requests are refused with a clear status and nothing is sent', async () => {
    const before = sendCalls().length;
    const ok = payload([{ name: 'X' }]);
    expect((await post('am', ok, null)).status).toBe(401);
    expect((await post('am', ok, 'wrong-token')).status).toBe(401);
    // An unknown or not opted-in channel looks the same as a wrong token to a caller.
    expect((await post('nope', ok)).status).toBe(401);
    expect((await post('am-off', ok)).status).toBe(401);
    const malformed = await post('am', undefined, AM_TOKEN, '{"version": "4", ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/not valid JSON/);
    const wrongVersion = await post('am', { ...ok, version: '3' });
    expect(wrongVersion.status).toBe(400);
    expect(((await wrongVersion.json()) as { error: string }).error).toMatch(/version/);
    const huge = await post('am', undefined, AM_TOKEN, JSON.stringify({ ...ok, pad: 'x'.repeat(10 * 1024 * 1024) })).catch(
      (e: unknown) => e,
    );
    expect(huge instanceof Response ? huge.status : 'connection closed').toBe(413);
    expect(sendCalls().length).toBe(before);
  });

  test('firing then resolved alerts are delivered as escaped HTML, 2xx only after Telegram accepted', async () => {
    const firing = await post(
      'am',
      payload([
        {
          name: 'HighLatency',
          labels: { severity: 'critical', pod: '<script>alert(1)</script>' },
          annotations: { summary: 'p99 > 2s & rising' },
        },
      ]),
    );
    expect(firing.status).toBe(200);
    const body = (await firing.json()) as { messageIds: number[] };
    const chatId = DEMO.chats.group;
    const msg = sentTo(chatId).find((m) => m.messageId === body.messageIds[0]);
    expect(msg?.parseMode).toBe('HTML');
    expect(msg?.text).toContain('<script>alert(1)</script>'); // parsed text shows it literally
    expect(msg?.rawText).toContain('&lt;script&gt;');
    expect(msg?.text).toContain('p99 > 2s & rising');
    expect(msg?.text).toMatch(/FIRING/);
    const resolved = await post('am', payload([{ name: 'HighLatency', status: 'resolved' }]));
    expect(resolved.status).toBe(200);
    expect(sentTo(chatId).at(-1)?.text).toMatch(/RESOLVED/);
  });

  test('a notification that reached Telegram after Alertmanager hung up is not sent again by its retry', async () => {
    const body = payload([{ name: 'SlowTelegram', annotations: { summary: 'delivered while nobody waited' } }]);
    const copies = () => sentTo(DEMO.chats.group).filter((m) => m.text.includes('SlowTelegram')).length;
    emulator.setFaults({ latencyMs: 3_000 });
    // Alertmanager's deadline passes while the message is on its way to Telegram (it leaves after a
    // quarter of a second and takes three).
    const cut = await post('am', body, AM_TOKEN, undefined, AbortSignal.timeout(1_500)).catch((e: unknown) => e);
    expect((cut as { name?: string }).name).toBe('TimeoutError');
    await eventually(async () => copies() === 1, 15_000, 'the message reached Telegram');
    emulator.clearFaults();

    // Alertmanager recorded a failure and retries the same notification: answered, not sent again.
    const retry = await post('am', body);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: 'delivered', messages: 0 });
    expect(copies()).toBe(1);

    // A later identical notification (repeat_interval) goes out again, not taken for the retry: with
    // `resolved: Edit` (the default) it edits the episode's message in place (Telegram: "not modified").
    const repeat = await post('am', body);
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ status: 'delivered', messages: 1 });
    expect(copies()).toBe(1);
  });

  test('a storm of 60 alerts into one supergroup: all delivered, coalesced, zero 429s', async () => {
    // Coalescing merges notifications into shared messages: that is `resolved: Send` (no buttons). With
    // Edit or Reply each group keeps a message of its own, to edit or to reply to.
    await channel('storm', {
      tokenSecretRef: { name: 'bot' },
      chatId: String(DEMO.chats.ops),
      alertmanager: { tokenSecretRef: { name: 'am' }, resolved: 'Send' },
    });
    await readyReason('storm', 'Verified');
    const before = emulator.requests.length;
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => post('storm', payload([{ name: `Storm${i}`, annotations: { summary: `alert number ${i}` } }]))),
    );
    const seconds = (Date.now() - started) / 1000;
    expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));
    const delivered = sentTo(DEMO.chats.ops)
      .map((m) => m.text)
      .join('\n');
    for (let i = 0; i < 60; i++) expect(delivered).toContain(`Storm${i}`);
    const calls = emulator.requests.slice(before).filter((r) => r.method === 'sendMessage');
    expect(calls.filter((r) => r.status === 429)).toHaveLength(0);
    expect(calls.length).toBeLessThan(20);
    // Reported, not asserted: timings belong to the benchmarks.
    console.log(`storm: 60 alerts in ${calls.length} messages, ${seconds.toFixed(1)} s`);
  });
});

test('the operator exits cleanly on SIGTERM', async () => {
  const code = await operator.stop('SIGTERM');
  expect(code).toBe(0);
  expect(operator.logs().some((l) => l.msg === 'stopped')).toBe(true);
  operator = await startOperator(env());
  expect(cond(await get('ops'), 'Ready')?.status).toBe('True');
});
