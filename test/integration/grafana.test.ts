// Grafana's webhook contact point, end to end on the real control plane and the Telegram emulator:
// the payload from Grafana's docs (test/fixtures) reaches the chat, its resolve edits the message, a
// follower forwards to the leader, each source's route takes only its own opt-in's token, and a group
// of 500 alerts arrives whole, in parts.
import { ScenarioBuilder, bot, supergroupId } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { clients, createNamespace, eventually } from '../harness/kube.js';
import { replicaEnv, startOperator, type OperatorProcess } from '../harness/operator.js';
import { GRAFANA_DOCS_FIXTURE, grafanaFixtureAs, grafanaResolved, type GrafanaBody } from '../harness/grafanaPayload.js';

const GRAFANA_TOKEN = 'grafana-contact-point-token-31';
const AM_TOKEN = 'alertmanager-token-that-grafana-never-has';
const theBot = bot(7400000001, 'grafana_test_bot');
const chatId = supergroupId(3200000001);
const bigChatId = supergroupId(3200000002);

let ns: string;
let emulator: TelegramEmulator;
let leader: OperatorProcess;
let follower: OperatorProcess;
const { secret, channel, readyReason } = channelHelpers(() => ns);
const { coordination } = clients();

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('grafana');
  emulator = new TelegramEmulator(
    new ScenarioBuilder().bot(theBot).supergroup(chatId, 'Grafana', theBot.id).supergroup(bigChatId, 'Big', theBot.id).build(),
  );
  const url = await emulator.start();
  await secret('bot', { token: theBot.token });
  await secret('grafana-webhook', { token: GRAFANA_TOKEN });
  await secret('am-webhook', { token: AM_TOKEN });
  await channel('dash', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(chatId),
    grafana: { tokenSecretRef: { name: 'grafana-webhook' } },
  });
  await channel('big', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(bigChatId),
    grafana: { tokenSecretRef: { name: 'grafana-webhook' } },
  });
  await channel('am-only', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(chatId),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' } },
  });
  const env = (name: string) => ({
    TELEGRAM_API_URL: url,
    WATCH_NAMESPACE: ns,
    ...replicaEnv(ns, name),
  });
  leader = await startOperator(env('replica-a'));
  const holder = async () =>
    (await coordination.readNamespacedLease({ namespace: ns, name: 'telegram-channel-operator' })).spec?.holderIdentity;
  await eventually(async () => (await holder()) === 'replica-a', 20_000, 'replica-a leads');
  follower = await startOperator(env('replica-b'));
  await readyReason('dash', 'Verified');
  await readyReason('big', 'Verified');
  await readyReason('am-only', 'Verified');
}, 120_000);

afterAll(async () => {
  await follower?.stop('SIGKILL');
  await leader?.stop('SIGKILL');
  await emulator?.stop();
});

const post = (p: OperatorProcess, source: string, name: string, body: unknown, token = GRAFANA_TOKEN) =>
  fetch(`${p.url}/webhooks/${source}/${ns}/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

function resolvedOf(body: GrafanaBody): GrafanaBody {
  return { ...grafanaResolved(body, '2021-10-12T10:30:00Z'), title: '[RESOLVED] (blue)' };
}

const messagesWith = (chat: number, text: string) => emulator.messagesTo(chat).filter((m) => m.text.includes(text));

test("the payload from Grafana's docs reaches the chat with Grafana's extras; its resolve edits that message", async () => {
  const body = grafanaFixtureAs('docs');
  const res = await post(leader, 'grafana', 'dash', body);
  expect(res.status).toBe(200);
  const [firing, ...others] = messagesWith(chatId, 'High memory usage docs');
  expect(others).toEqual([]);
  expect(firing!.parseMode).toBe('HTML');
  expect(firing!.text).toContain('[FIRING:2]');
  expect(firing!.text).toContain('High CPU usage docs');
  expect(firing!.text).toContain('B=44.2394'); // Grafana's per-alert values
  expect(firing!.text).toContain('This alert was triggered for zone us-1');

  const resolved = await post(leader, 'grafana', 'dash', resolvedOf(body));
  expect(resolved.status).toBe(200);
  const after = messagesWith(chatId, 'High memory usage docs');
  expect(after.map((m) => m.messageId)).toEqual([firing!.messageId]);
  expect(after[0]!.edits).toBe(1);
  expect(after[0]!.text).toContain('RESOLVED');
  expect(after[0]!.text).not.toContain('FIRING');
});

test('a follower forwards a Grafana notification to the leader, which sends it once', async () => {
  // Only the leader sends: a follower that did not forward could not answer 200.
  const body = grafanaFixtureAs('forwarded');
  const res = await post(follower, 'grafana', 'dash', body);
  expect(res.status).toBe(200);
  expect(messagesWith(chatId, 'High memory usage forwarded')).toHaveLength(1);
});

test("each route takes only its own opt-in's token: Grafana's body on the alertmanager route of a Grafana-only channel is 401", async () => {
  const grafanaOnAlertmanager = await post(leader, 'alertmanager', 'dash', grafanaFixtureAs('wrong-route'));
  expect(grafanaOnAlertmanager.status).toBe(401);
  // And the other way round: the Grafana route of a channel that opted into Alertmanager only.
  expect((await post(leader, 'grafana', 'am-only', grafanaFixtureAs('wrong-route'), AM_TOKEN)).status).toBe(401);
  expect((await post(leader, 'grafana', 'am-only', grafanaFixtureAs('wrong-route'))).status).toBe(401);
  expect(messagesWith(chatId, 'wrong-route')).toEqual([]);
  // The tokens are never logged, by either replica.
  for (const p of [leader, follower]) {
    expect(p.output()).not.toContain(GRAFANA_TOKEN);
    expect(p.output()).not.toContain(AM_TOKEN);
  }
});

test('a Grafana group of 500 alerts is delivered in parts, every alert in the chat once, through Grafana-style retries', async () => {
  const alerts = Array.from({ length: 500 }, (_, i) => ({
    ...GRAFANA_DOCS_FIXTURE.alerts[0]!,
    labels: { alertname: `Disk${String(i).padStart(3, '0')}`, team: 'blue' },
    fingerprint: `fp${i}`,
  }));
  const body = { ...GRAFANA_DOCS_FIXTURE, groupKey: '{}:{big="1"}', title: '[FIRING:500]', alerts };
  // Many parts take longer than one request waits (the group chat's pace): the answer is 503 until a
  // retry finds the delivery done, as Grafana retries; a retry joins the delivery, it never resends.
  const statuses: number[] = [];
  await eventually(
    async () => {
      statuses.push((await post(leader, 'grafana', 'big', body)).status);
      return statuses.at(-1) === 200;
    },
    90_000,
    'the 500 alerts delivered',
  );
  expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
  const chat = emulator.messagesTo(bigChatId);
  expect(chat.length).toBeGreaterThan(1);
  const text = chat.map((m) => m.text).join('\n');
  const notOnce = alerts.map((a) => a.labels.alertname).filter((name) => text.split(name).length !== 2);
  expect(notOnce).toEqual([]);
}, 120_000);
