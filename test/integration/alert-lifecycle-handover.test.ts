// The alert's life across a leader change: two operator replicas with leader election, on the
// deployed ServiceAccount (its RBAC is all they get), a REAL Alertmanager notifying the follower
// (which forwards to the leader). The leader sends the firing message and is killed with SIGKILL;
// the new leader handles a press on that message and edits the same message on resolve, resending
// nothing: the episode lives in a ConfigMap, not in the dead process.
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import type { DeliveredMessage } from '../emulator/core.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers, cond } from '../harness/channels.js';
import { startWebhookNamespace } from '../harness/emulatedOperator.js';
import { clients, eventually } from '../harness/kube.js';
import { replicaEnv, startOperator, type OperatorProcess } from '../harness/operator.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';

const LEASE = 'telegram-channel-operator';
const WEBHOOK_TOKEN = 'handover-webhook-secret';
const OPS = DEMO.chats.ops;
let ns: string;
let emulator: TelegramEmulator;
let am: AlertmanagerProcess;
const replicas: Record<string, OperatorProcess> = {};
const { channel, readyReason, get } = channelHelpers(() => ns);
const { coordination, core } = clients();

const holder = async () => (await coordination.readNamespacedLease({ namespace: ns, name: LEASE })).spec?.holderIdentity;
const buttons = (m: DeliveredMessage | undefined) => m?.replyMarkup?.inline_keyboard.flat().map((b) => b.text) ?? [];
const chat = () => emulator.chatView(OPS).filter((m) => m.text.includes('PaymentsDown'));
const episodeMessageIds = async () =>
  (await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'telegram.notify.dev/episodes' })).items.flatMap((cm) =>
    Object.values(cm.data ?? {}).flatMap((v) => (JSON.parse(v) as { messageIds: number[] }).messageIds),
  );
const logged = (p: OperatorProcess, msg: RegExp) => p.logs().some((l) => typeof l.msg === 'string' && msg.test(l.msg));

beforeAll(async () => {
  const world = await startWebhookNamespace('lc-handover', WEBHOOK_TOKEN);
  ({ ns, emulator } = world);
  const url = world.url;
  const kubeconfig = await deployedServiceAccountKubeconfig(ns);
  const env = (name: string) => ({
    KUBECONFIG: kubeconfig,
    TELEGRAM_API_URL: url,
    WATCH_NAMESPACE: ns,
    ...replicaEnv(ns, name),
  });
  replicas.a = await startOperator(env('replica-a'));
  await eventually(async () => (await holder()) === 'replica-a', 20_000, 'replica-a leads');
  replicas.b = await startOperator(env('replica-b'));
  // Alertmanager talks to the replica that survives; while it follows, it forwards to the leader.
  am = await startAlertmanager(`
route: {receiver: tg, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers:
- name: tg
  webhook_configs:
  - url: ${replicas.b.url}/webhooks/alertmanager/${ns}/oncall
    send_resolved: true
    http_config: {authorization: {credentials: ${WEBHOOK_TOKEN}}}
`);
  await channel('oncall', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(OPS),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence: { url: am.url, durations: ['1h'] } },
  });
  await readyReason('oncall', 'Verified', 30_000);
  await eventually(async () => cond(await get('oncall'), 'Interactive')?.status === 'True', 30_000, 'Interactive=True');
});

afterAll(async () => {
  for (const p of Object.values(replicas)) await p.stop('SIGKILL');
  await am?.stop();
  await emulator?.stop();
});

test('kill -9 of the leader between fire and resolve: the new leader handles a press and edits the same message', async () => {
  const labels = { alertname: 'PaymentsDown', severity: 'page' };
  const startsAt = new Date().toISOString();
  await am.postAlerts([{ labels, startsAt }]);
  const firing = await eventually(async () => chat().find((m) => /FIRING/.test(m.text)), 30_000, 'firing message');
  expect(buttons(firing)).toEqual(['🔕 Silence 1h', '✋ Ack']);

  // Killed once the firing notification is done (its episode stored, answered 200); a kill between the
  // send and the store is the one duplicate a kill can cause (Alertmanager's retry sends it again).
  await eventually(async () => (await episodeMessageIds()).includes(firing.messageId), 10_000, 'the episode stored');
  await replicas.a!.stop('SIGKILL');
  await eventually(async () => logged(replicas.b!, /^became leader$/), 45_000, 'replica-b becomes leader');

  // The new leader polls the bot's updates and finds the episode in its ConfigMap.
  const rec = emulator.pressButton(DEMO.bot.token, { chatId: OPS, messageId: firing.messageId, userId: DEMO.users.olga, button: '✋ Ack' });
  const answered = await eventually(async () => emulator.callbackQueries.find((q) => q.id === rec.id && q.answer), 30_000, 'answer');
  expect(answered.answer!.text).toBe('You took this alert.');
  await eventually(async () => !buttons(chat()[0]).includes('✋ Ack'), 10_000, 'Ack gone');
  expect(chat()[0]!.text).toMatch(/Acked by @olga_oncall/);

  await am.postAlerts([{ labels, startsAt, endsAt: new Date().toISOString() }]);
  const resolved = await eventually(
    async () => {
      const m = chat().find((x) => x.messageId === firing.messageId);
      return m && /RESOLVED/.test(m.text) ? m : undefined;
    },
    30_000,
    'the same message edited to resolved',
  );
  expect(buttons(resolved)).toEqual([]);
  await new Promise((r) => setTimeout(r, 3_000));
  // Nothing resent: the chat holds that one message, sent once.
  expect(chat().map((m) => m.messageId)).toEqual([firing.messageId]);
  expect(emulator.messagesTo(OPS).filter((m) => m.text.includes('PaymentsDown'))).toHaveLength(1);
});
