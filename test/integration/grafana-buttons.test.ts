// Silence and Ack buttons under Grafana's alerts, end to end: the built operator on the real control
// plane, the Telegram emulator, and a REAL Alertmanager standing in for Grafana: started with
// --web.route-prefix=/api/alertmanager/grafana, its silences API lives exactly where a Grafana serves
// its own, and the channel gives its base URL as a Grafana's. In front of it a small recording proxy
// shows what reaches "Grafana" (the service account token as a Bearer). A second, plain Alertmanager is
// the channel's spec.alertmanager.silence: a press on a Grafana alert must never silence there.
// The tests run in order: each continues the chat the previous one left.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import type { DeliveredMessage } from '../emulator/core.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers, cond, G } from '../harness/channels.js';
import { startTeamAndPlatform } from '../harness/emulatedOperator.js';
import { clients, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { listenOnLoopback } from '../harness/recordingServer.js';
import { BOTS, createClusterBot } from '../harness/resources.js';
import { grafanaFixtureAs, grafanaResolved } from '../harness/grafanaPayload.js';

const suffix = randomBytes(3).toString('hex');
const GRAFANA_WEBHOOK_TOKEN = 'grafana-contact-point-token-77';
const AM_WEBHOOK_TOKEN = 'alertmanager-webhook-token-77';
/** A Grafana service account token as Grafana issues them: sent as the Bearer, never logged. */
const SA_TOKEN = `glsa_${randomBytes(16).toString('hex')}_${suffix}`;
const OPS = DEMO.chats.ops;
const GRAFANA_PATH = '/api/alertmanager/grafana';
const SILENCE_1H = '🔕 Silence 1h';
const ACK = '✋ Ack';
const UNSILENCE = '🔔 Unsilence';

/** A reverse proxy to the stand-in Grafana that records each request's path and Authorization header. */
interface RecordingProxy {
  url: string;
  host: string;
  seen: { method: string; path: string; authorization?: string }[];
  server: http.Server;
}

async function recordingProxy(target: string): Promise<RecordingProxy> {
  const seen: RecordingProxy['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const upstream = http.request(
      `${target}${req.url ?? ''}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return { ...(await listenOnLoopback(server)), seen, server };
}

let ns: string;
let platform: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let grafana: AlertmanagerProcess;
let alertmanager: AlertmanagerProcess;
let proxy: RecordingProxy;
const botName = `grafana-buttons-${suffix}`;
const { custom, channel, get } = channelHelpers(() => ns);
const { core } = clients();

const buttons = (m: DeliveredMessage | undefined) => m?.replyMarkup?.inline_keyboard.flat().map((b) => b.text) ?? [];
const messagesWith = (text: string) => emulator.messagesTo(OPS).filter((m) => m.text.includes(text));
const message = (id: number) => emulator.messagesTo(OPS).find((m) => m.messageId === id)!;

/** Presses a button (by its label) as `userId` and returns the answer the presser sees. */
async function press(messageId: number, userId: number, button: string): Promise<string> {
  const rec = emulator.pressButton(DEMO.bot.token, { chatId: OPS, messageId, userId, button });
  const answered = await eventually(async () => emulator.callbackQueries.find((q) => q.id === rec.id && q.answer), 10_000, 'answer');
  expect(answered.answer!.showAlert).toBe(true);
  return answered.answer!.text ?? '';
}

const post = (body: unknown) =>
  fetch(`${operator.url}/webhooks/grafana/${ns}/dash`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${GRAFANA_WEBHOOK_TOKEN}` },
    body: JSON.stringify(body),
  });

/** The channel's Interactive condition once its current generation carries one that `ok` accepts. */
const interactive = (name: string, ok: (c: { status: string; reason: string; message: string }) => boolean) =>
  eventually(
    async () => {
      const ch = await get(name);
      // Written in the reconcile that writes Ready: Ready's generation says which spec it is of.
      const current = cond(ch, 'Ready')?.observedGeneration === ch.metadata.generation;
      const c = cond(ch, 'Interactive');
      if (c && current && ok(c)) return c;
      // What the wait saw last, for the timeout's message.
      throw new Error(JSON.stringify({ generation: ch.metadata.generation, conditions: ch.status?.conditions }));
    },
    40_000,
    `${name} Interactive`,
  );

/** The dash channel's episode records, as stored in its ConfigMap. */
async function records(): Promise<{ groupKey: string; source?: string; state: string; silence?: { id: string } }[]> {
  const list = await core.listNamespacedConfigMap({
    namespace: ns,
    labelSelector: 'telegram.notify.dev/episodes,telegram.notify.dev/channel-name=dash',
  });
  return list.items.flatMap((cm) => Object.values(cm.data ?? {}).map((v) => JSON.parse(v) as never));
}

beforeAll(async () => {
  let env: Record<string, string>;
  ({ ns, platform, emulator, env } = await startTeamAndPlatform('gfbuttons', {
    'grafana-webhook': { token: GRAFANA_WEBHOOK_TOKEN },
    'am-webhook': { token: AM_WEBHOOK_TOKEN },
    'grafana-sa': { token: SA_TOKEN },
  }));
  const quiet = 'route: {receiver: none}\nreceivers: [{name: none}]\n';
  grafana = await startAlertmanager(quiet, { routePrefix: GRAFANA_PATH });
  alertmanager = await startAlertmanager(quiet);
  proxy = await recordingProxy(grafana.url);
  operator = await startOperator({
    ...env,
    // The platform allows the (stand-in) Grafana, so the service account token may go there, and the Alertmanager.
    SILENCE_URL_HOSTS: `${proxy.host},${new URL(alertmanager.url).host}`,
  });
  await channel('dash', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(OPS),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence: { url: alertmanager.url, durations: ['1h'] } },
    grafana: {
      tokenSecretRef: { name: 'grafana-webhook' },
      // Grafana's base URL, as its users open it: the operator adds /api/alertmanager/grafana/api/v2.
      silence: { url: proxy.url, durations: ['1h', '24h'], authorizationSecretRef: { name: 'grafana-sa' } },
    },
  });
}, 120_000);

afterAll(async () => {
  await custom.deleteClusterCustomObject({ ...BOTS, name: botName }).catch(() => undefined);
  await operator?.stop();
  await grafana?.stop();
  await alertmanager?.stop();
  proxy?.server.close();
  await emulator?.stop();
});

test("Interactive checks both sources' silences APIs, Grafana's under its base URL with the service account token", async () => {
  const c = await interactive('dash', (x) => x.status === 'True');
  expect(c).toMatchObject({ reason: 'Verified' });
  expect(c.message).toContain(`Alertmanager at ${new URL(alertmanager.url).host} and Grafana at ${proxy.host} answer their silences API`);
  expect(proxy.seen).toContainEqual({ method: 'GET', path: `${GRAFANA_PATH}/api/v2/status`, authorization: `Bearer ${SA_TOKEN}` });
});

let first: DeliveredMessage;

test('a Grafana alert gets the buttons; Silence creates the silence in Grafana (not in Alertmanager); the resolve edits the message and drops them', async () => {
  const body = grafanaFixtureAs('buttons');
  expect((await post(body)).status).toBe(200);
  first = messagesWith('High memory usage buttons')[0]!;
  expect(buttons(first)).toEqual([SILENCE_1H, '🔕 Silence 24h', ACK]);
  expect((await records()).find((r) => r.groupKey === body.groupKey)).toMatchObject({ source: 'grafana', state: 'firing' });

  const answer = await press(first.messageId, DEMO.users.olga, SILENCE_1H);
  expect(answer).toMatch(/^Silenced for 1h, until .* UTC\. Grafana holds back this group's notifications until then\.$/);
  const [s, ...more] = await grafana.silences();
  expect(more).toEqual([]);
  expect(s!.status.state).toBe('active');
  expect(s!.matchers).toEqual([expect.objectContaining({ name: 'team', value: 'blue', isEqual: true })]);
  expect(s!.createdBy).toBe('telegram:@olga_oncall');
  expect(await alertmanager.silences()).toEqual([]);
  expect(proxy.seen).toContainEqual({ method: 'POST', path: `${GRAFANA_PATH}/api/v2/silences`, authorization: `Bearer ${SA_TOKEN}` });
  // The message shows who silenced it, and Unsilence instead of the Silence buttons.
  await eventually(async () => buttons(message(first.messageId)).includes(UNSILENCE), 10_000, 'Unsilence shown');
  expect(message(first.messageId).text).toContain('Silenced by @olga_oncall');

  expect(await press(first.messageId, DEMO.users.olga, ACK)).toBe('You took this alert.');
  expect(await press(first.messageId, DEMO.users.olga, UNSILENCE)).toBe('Silence expired: this group notifies again.');
  expect((await grafana.silences()).map((x) => x.status.state)).toEqual(['expired']);

  expect((await post(grafanaResolved(body))).status).toBe(200);
  const after = messagesWith('High memory usage buttons');
  expect(after.map((m) => m.messageId)).toEqual([first.messageId]);
  expect(after[0]!.text).toContain('RESOLVED');
  expect(buttons(after[0])).toEqual([]);
});

test('spec.grafana.silence removed: a press on a Grafana alert is refused naming that field, and silences nothing anywhere', async () => {
  const body = grafanaFixtureAs('removed');
  expect((await post(body)).status).toBe(200);
  const [firing] = messagesWith('High memory usage removed');
  expect(buttons(firing)).toContain(SILENCE_1H);
  const before = (await grafana.silences()).length;
  // Grafana's buttons go; the channel keeps its Alertmanager's, so the bot is still polled for presses.
  await custom.patchNamespacedCustomObject(
    { ...G, namespace: ns, name: 'dash', body: { spec: { grafana: { silence: null } } } },
    (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'),
  );
  await interactive('dash', (c) => c.status === 'True' && !c.message.includes('Grafana'));
  expect(await press(firing!.messageId, DEMO.users.olga, SILENCE_1H)).toBe(
    'Buttons are turned off for this channel (spec.grafana.silence was removed): nothing was changed.',
  );
  expect(await grafana.silences()).toHaveLength(before);
  expect(await alertmanager.silences()).toEqual([]);
});

test('a botRef channel whose Grafana URL no list allows: Interactive=False URLNotAllowed naming spec.grafana.silence.url, nothing called', async () => {
  await createClusterBot(custom, botName, {
    tokenSecretRef: { name: 'telegram-bot', namespace: platform },
    allowedNamespaces: { names: [ns] },
  });
  const calls = proxy.seen.length;
  await channel('tenant', {
    botRef: { name: botName },
    chatId: String(OPS),
    grafana: { tokenSecretRef: { name: 'grafana-webhook' }, silence: { url: 'http://grafana.other-team.svc:3000' } },
  });
  const c = await interactive('tenant', (x) => x.status === 'False');
  expect(c.reason).toBe('URLNotAllowed');
  expect(c.message).toMatch(/^spec\.grafana\.silence\.url names grafana\.other-team\.svc:3000, which neither ClusterTelegramBot/);
  expect(proxy.seen).toHaveLength(calls);
});

test("the service account token never reaches the operator's log, a status or an Event", async () => {
  expect(operator.output()).not.toContain(SA_TOKEN);
  for (const name of ['dash', 'tenant']) expect(JSON.stringify(await get(name))).not.toContain(SA_TOKEN);
  const events = await core.listNamespacedEvent({ namespace: ns });
  expect(JSON.stringify(events.items)).not.toContain(SA_TOKEN);
  // It did go where it belongs, every time.
  const toGrafana = proxy.seen.filter((r) => r.path.startsWith(GRAFANA_PATH));
  expect(toGrafana.length).toBeGreaterThan(0);
  expect(toGrafana.every((r) => r.authorization === `Bearer ${SA_TOKEN}`)).toBe(true);
});
