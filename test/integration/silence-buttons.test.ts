// Silence, Unsilence and Ack pressed in the Telegram emulator, acted on in a REAL Alertmanager, with
// the channel read from the real API server. The interaction runs in this process (the episode
// store is the contract's interface, seeded here through it), so the test reads what the press did
// directly; the same presses through the built operator are in alert-lifecycle.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelegramChannel } from '../../src/api/types.js';
import { parseSpec } from '../../src/api/types.js';
import type { SecretSource } from '../../src/credentials/resolver.js';
import { alertmanagerAccess } from '../../src/interaction/alertmanagerAccess.js';
import { AlertmanagerApi } from '../../src/interaction/alertmanagerApi.js';
import { Interaction } from '../../src/interaction/interaction.js';
import type { Episode } from '../../src/lifecycle/episode.js';
import { memoryEpisodeStore } from '../harness/memoryEpisodeStore.js';
import { newEpisodeId } from '../../src/lifecycle/records.js';
import { createLogger } from '../../src/observability/log.js';
import { TelegramClient } from '../../src/telegram/client.js';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers, G } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { clients, createNamespace, eventually } from '../harness/kube.js';

let ns: string;
let emulator: TelegramEmulator;
let tgApi: string;
/** A second channel of the same bot, whose Alertmanager takes 20 s to answer POST /silences. */
let slowCh: TelegramChannel | undefined;
let slowAm: http.Server;
let slowUrl = '';
const noSecrets: SecretSource = { read: async () => ({ ok: false, reason: 'SecretNotFound', message: 'no Secrets in this test' }) };
const slowPosts = { received: 0, open: 0 };
let am: AlertmanagerProcess;
let receiver: http.Server;
let interaction: Interaction;
let messageId: number;
const notifications: { status: string; commonLabels: Record<string, string>; alerts: unknown[] }[] = [];
const episodes = new Map<string, Episode>();
const refreshed: Episode[] = [];
const { channel } = channelHelpers(() => ns);
const { custom } = clients();
const LABELS = { alertname: 'DiskFull', severity: 'page' };
/** The episode's id, made for the channel as the store makes them (its ConfigMap is the channel's). */
let EP = '';
const KEYBOARD = () => ({
  inline_keyboard: [
    [
      { text: 'Silence 1h', callback_data: `s:${EP}:0` },
      { text: 'Silence 24h', callback_data: `s:${EP}:1` },
    ],
    [{ text: 'Ack', callback_data: `a:${EP}` }],
  ],
});

const store = memoryEpisodeStore(episodes);

async function silences(): Promise<
  { id: string; status: { state: string }; matchers: unknown[]; createdBy: string; startsAt: string; endsAt: string }[]
> {
  return (await (await fetch(`${am.url}/api/v2/silences`)).json()) as never;
}

/** stale: pressed on a client that still shows the buttons from before the last edit. */
async function press(userId: number, button: string, stale = false): Promise<string> {
  const which = stale ? { forgedData: button } : { button };
  const rec = emulator.pressButton(DEMO.bot.token, { chatId: DEMO.chats.ops, messageId, userId, ...which });
  const answered = await eventually(async () => emulator.callbackQueries.find((q) => q.id === rec.id && q.answer), 10_000, 'answer');
  // Recorded at all means in time: the emulator, like Telegram, refuses an answer 15 s after the press.
  expect(answered.answer!.showAlert).toBe(true);
  return answered.answer!.text ?? '';
}

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('buttons');
  emulator = new TelegramEmulator(demoScenario(), { limits: false });
  const tgUrl = await emulator.start();
  tgApi = tgUrl;
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      notifications.push(JSON.parse(body) as never);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  am = await startAlertmanager(`
route: {receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers:
- name: hook
  webhook_configs: [{url: "http://127.0.0.1:${port}/", send_resolved: true}]
`);
  await channel('oncall', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence: { url: am.url, durations: ['1h', '24h'] } },
  });
  const telegram = new TelegramClient(tgUrl);
  const readChannel = async () => (await custom.getNamespacedCustomObject({ ...G, namespace: ns, name: 'oncall' })) as TelegramChannel;
  let ch = await readChannel();
  interaction = new Interaction({
    telegram,
    secrets: noSecrets,
    // The slow Alertmanager's calls get 10 s instead of 3: plenty of time for the other press to be
    // answered while one is held, however loaded the machine.
    alertmanagerFor: alertmanagerAccess(
      noSecrets,
      { operatorHosts: [] },
      (url, bearer) => new AlertmanagerApi(url, bearer, url === slowUrl ? 10_000 : undefined),
    ),
    episodes: store,
    // What src/lifecycle's renderer does to the buttons: Unsilence while silenced, Ack until taken.
    renderer: {
      refresh: async (e) => {
        refreshed.push(e);
        const row = e.silence ? [{ text: 'Unsilence', callback_data: `u:${EP}` }] : KEYBOARD().inline_keyboard[0]!;
        const inline_keyboard = e.ack ? [row] : [row, KEYBOARD().inline_keyboard[1]!];
        await fetch(`${tgUrl}/bot${DEMO.bot.token}/editMessageReplyMarkup`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ chat_id: e.chatId, message_id: e.messageIds[0], reply_markup: { inline_keyboard } }),
        });
      },
    },
    getChannel: (_ns, name) => (name === 'slow' ? slowCh : ch),
    enqueue: () => {},
    log: createLogger('silent'),
  });
  const spec = parseSpec(ch.spec);
  if (!spec.ok) throw new Error(spec.message);
  const verdict = await interaction.condition(ch, { spec: spec.spec, token: DEMO.bot.token, chatId: String(DEMO.chats.ops) }, true);
  expect(verdict).toMatchObject({ status: 'True', reason: 'Verified' });
  interaction.start();
  ch = await readChannel();
  EP = newEpisodeId(ch.metadata.uid!, () => false);

  // The firing notification, as the episode store would remember it, and its message with buttons.
  // Two nodes: the group's commonLabels are what they share (alertname, severity), not the instance.
  const startsAt = new Date().toISOString();
  await am.postAlerts([
    { labels: { ...LABELS, instance: 'node-1' }, startsAt },
    { labels: { ...LABELS, instance: 'node-2' }, startsAt },
  ]);
  const firing = await eventually(
    async () => notifications.find((n) => n.status === 'firing' && n.alerts.length === 2),
    30_000,
    'firing notification',
  );
  expect(firing.commonLabels).toEqual(LABELS);
  const sent = (await (
    await fetch(`${tgUrl}/bot${DEMO.bot.token}/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ chat_id: DEMO.chats.ops, text: 'FIRING DiskFull', reply_markup: KEYBOARD() }),
    })
  ).json()) as { result: { message_id: number } };
  messageId = sent.result.message_id;
  episodes.set(EP, {
    id: EP,
    channel: { namespace: ns, name: 'oncall', uid: ch.metadata.uid! },
    groupKey: '{}:{alertname="DiskFull"}',
    chatId: String(DEMO.chats.ops),
    messageIds: [messageId],
    commonLabels: firing.commonLabels,
    state: 'firing',
    updatedAt: new Date().toISOString(),
  });
});

afterAll(async () => {
  await interaction?.stop();
  slowAm?.closeAllConnections();
  slowAm?.close();
  await am?.stop();
  await emulator?.stop();
  receiver?.close();
});

test("a member's press is refused when only administrators may press, and changes nothing", async () => {
  expect(await press(DEMO.users.max, `s:${EP}:0`)).toMatch(/only administrators/);
  expect(await press(DEMO.users.sam, `a:${EP}`)).toMatch(/only administrators/);
  expect(await silences()).toEqual([]);
  expect(episodes.get(EP)!.silence).toBeUndefined();
  expect(episodes.get(EP)!.ack).toBeUndefined();
});

test('Silence as an administrator: a silence with exactly the commonLabels and the duration; Alertmanager suppresses the group', async () => {
  expect(await press(DEMO.users.olga, `s:${EP}:0`)).toMatch(/^Silenced for 1h, until/);
  const [s, ...more] = await silences();
  expect(more).toEqual([]);
  expect(s!.status.state).toBe('active');
  expect(s!.createdBy).toBe('telegram:@olga_oncall');
  const matchers = s!.matchers as { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  expect(matchers.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
    { name: 'severity', value: 'page', isRegex: false, isEqual: true },
  ]);
  const minutes = (Date.parse(s!.endsAt) - Date.parse(s!.startsAt)) / 60_000;
  expect(minutes).toBeGreaterThan(59);
  expect(minutes).toBeLessThanOrEqual(60.1);
  expect(episodes.get(EP)!.silence).toMatchObject({ id: s!.id, by: 'telegram:@olga_oncall' });
  expect(refreshed.at(-1)!.silence?.id).toBe(s!.id);

  // Another alert of the group: Alertmanager itself holds the notification back.
  const before = notifications.length;
  await am.postAlerts([{ labels: { ...LABELS, instance: 'node-3' }, startsAt: new Date().toISOString() }]);
  await eventually(async () => (await am.silencedBy('instance="node-3"')).includes(s!.id), 10_000, 'node-3 silenced');
  await new Promise((r) => setTimeout(r, 3_000)); // three group intervals
  expect(notifications.slice(before)).toEqual([]);

  // A second tap, on a client that has not shown the edit yet, makes no second silence.
  expect(await press(DEMO.users.olga, `s:${EP}:1`, true)).toMatch(/^Already silenced by telegram:@olga_oncall/);
  expect(await silences()).toHaveLength(1);
});

test('Unsilence expires the silence in Alertmanager; Ack records who took it', async () => {
  const id = episodes.get(EP)!.silence!.id;
  expect(await press(DEMO.users.olga, `u:${EP}`)).toMatch(/Silence expired/);
  const s = (await silences()).find((x) => x.id === id)!;
  expect(s.status.state).toBe('expired');
  expect(episodes.get(EP)!.silence).toBeUndefined();
  expect(await press(DEMO.users.olga, `a:${EP}`)).toBe('You took this alert.');
  expect(episodes.get(EP)!.ack?.by).toBe('telegram:@olga_oncall');
});

test('Alertmanager down: the press is answered with that reason and nothing is stored', async () => {
  await am.stop();
  expect(await press(DEMO.users.olga, `s:${EP}:1`)).toMatch(/^Alertmanager unreachable: cannot reach Alertmanager at 127\.0\.0\.1:\d+/);
  expect(episodes.get(EP)!.silence).toBeUndefined();
});

test("a press waiting on a slow Alertmanager does not hold the bot's other presses: they are answered meanwhile", async () => {
  slowAm = http.createServer((req, res) => {
    if (req.method === 'GET') return void res.end(JSON.stringify({ cluster: {}, versionInfo: {} }));
    slowPosts.received++;
    slowPosts.open++;
    const answer = setTimeout(() => res.end(JSON.stringify({ silenceID: 'late' })), 20_000);
    res.on('close', () => {
      clearTimeout(answer);
      slowPosts.open--;
    });
  });
  await new Promise<void>((r) => slowAm.listen(0, '127.0.0.1', r));
  slowUrl = `http://127.0.0.1:${(slowAm.address() as AddressInfo).port}`;
  await channel('slow', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence: { url: slowUrl, durations: ['1h'], allowed: 'Members' } },
  });
  slowCh = (await custom.getNamespacedCustomObject({ ...G, namespace: ns, name: 'slow' })) as TelegramChannel;
  const spec = parseSpec(slowCh.spec);
  if (!spec.ok) throw new Error(spec.message);
  await interaction.condition(slowCh, { spec: spec.spec, token: DEMO.bot.token, chatId: String(DEMO.chats.ops) }, true);
  const slowEp = newEpisodeId(slowCh.metadata.uid!, () => false);
  const sent = (await (
    await fetch(`${tgApi}/bot${DEMO.bot.token}/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        chat_id: DEMO.chats.ops,
        text: 'FIRING SlowAlertmanager',
        reply_markup: { inline_keyboard: [[{ text: 'Silence 1h', callback_data: `s:${slowEp}:0` }]] },
      }),
    })
  ).json()) as { result: { message_id: number } };
  episodes.set(slowEp, {
    id: slowEp,
    channel: { namespace: ns, name: 'slow', uid: slowCh.metadata.uid! },
    groupKey: '{}:{alertname="Slow"}',
    chatId: String(DEMO.chats.ops),
    messageIds: [sent.result.message_id],
    commonLabels: { alertname: 'Slow' },
    state: 'firing',
    updatedAt: new Date().toISOString(),
  });

  const slow = emulator.pressButton(DEMO.bot.token, {
    chatId: DEMO.chats.ops,
    messageId: sent.result.message_id,
    userId: DEMO.users.max,
    button: `s:${slowEp}:0`,
  });
  await eventually(async () => slowPosts.open === 1 || undefined, 10_000, 'the slow POST /silences under way');
  // Another press through the same bot, on the other channel's message, while that POST is held.
  const other = emulator.pressButton(DEMO.bot.token, { chatId: DEMO.chats.ops, messageId, userId: DEMO.users.sam, button: `s:${EP}:0` });
  const answered = await eventually(async () => emulator.callbackQueries.find((q) => q.id === other.id && q.answer), 15_000, 'answer');
  // Answered while the slow request was still open: the poll did not wait for it.
  expect(slowPosts.open).toBe(1);
  expect(answered.answer!.text).toMatch(/only administrators/);
  // The slow press is answered too, once its Alertmanager call reaches its deadline.
  const slowAnswer = await eventually(
    async () => emulator.callbackQueries.find((q) => q.id === slow.id && q.answer),
    15_000,
    'slow answer',
  );
  expect(slowAnswer.answer!.text).toMatch(/^Alertmanager unreachable: cannot reach Alertmanager at 127\.0\.0\.1:\d+ to create the silence/);
  expect(slowPosts.received).toBe(1);
});
