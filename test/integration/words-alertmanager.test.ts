// Templates and topic routes behind a REAL Alertmanager: it groups a critical and a warning alert of one
// service into one notification, the operator splits that notification by route into two forum topics it
// creates by name (each message in the channel's template), and Alertmanager's resolved notification edits
// each message in place, in its topic. Real control plane, the built operator, the Telegram emulator.
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { operatorReceiverConfig, startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers } from '../harness/channels.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import type { OperatorProcess } from '../harness/operator.js';
import { stopAll } from '../harness/stopAll.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let am: AlertmanagerProcess;
const { channel, readyReason, get } = channelHelpers(() => ns);
const WEBHOOK_TOKEN = 'words-alertmanager-webhook-token';
const FORUM = DEMO.chats.managedForum;

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('words-am', {
    secrets: { 'am-webhook': { token: WEBHOOK_TOKEN } },
    env: (namespace) => ({ POD_NAMESPACE: namespace }),
  }));
  await channel('incidents', {
    tokenSecretRef: { name: 'bot' },
    chatId: FORUM, // a number, as YAML without quotes gives it
    alertmanager: { tokenSecretRef: { name: 'am-webhook' } },
    template: {
      firing:
        '{% for a in alerts %}{% if a.status == "firing" %}🔥{% else %}✅{% endif %} <b>{{ a.labels.alertname }}</b> ({{ a.labels.severity }}) on {{ a.labels.service }}\n{% endfor %}',
    },
    routes: [
      { matchers: ['severity="critical"'], topic: { name: 'Critical' } },
      { matchers: ['severity="warning"'], topic: { name: 'Warnings' }, silent: true },
    ],
  });
  await readyReason('incidents', 'Verified');
  // group_by service: both alerts of "checkout" are one group, so one notification carries both severities.
  am = await startAlertmanager(operatorReceiverConfig(operator.url, { namespace: ns, name: 'incidents' }, WEBHOOK_TOKEN, ['service']));
});

/** Alertmanager's notifications the webhook answered 200, from the operator's metrics. */
async function notificationsDelivered(): Promise<number> {
  const metrics = await (await fetch(`${operator.url}/metrics`)).text();
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('telegram_operator_http_responses_total{') &&
        l.includes('route="/webhooks/alertmanager/:namespace/:name"') &&
        l.includes('code="200"'),
    );
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

afterAll(() => stopAll(am, operator, emulator));

test('a mixed-severity notification from Alertmanager lands in two topics, each in the template, and each is resolved in place', async () => {
  const startsAt = new Date().toISOString();
  const alerts = [
    { labels: { alertname: 'CheckoutDown', severity: 'critical', service: 'checkout' }, annotations: {}, startsAt },
    { labels: { alertname: 'CheckoutSlow', severity: 'warning', service: 'checkout' }, annotations: {}, startsAt },
  ];
  await am.postAlerts(alerts);
  const firing = await eventually(
    async () => {
      const view = emulator.chatView(FORUM);
      return view.length === 2 ? view : undefined;
    },
    30_000,
    'two messages in the forum',
  );
  // One notification carried both alerts: the split into two messages is the channel's, not Alertmanager's.
  // (Counted once the answer is written, which may be just after Telegram accepted the messages.)
  await eventually(async () => (await notificationsDelivered()) === 1, 10_000, 'one notification answered 200');
  const topics = emulator.forumTopics.filter((t) => t.chatId === FORUM);
  expect(topics.map((t) => [t.name, t.createdByBotId, Boolean(t.deleted)]).sort()).toEqual([
    ['Critical', DEMO.bot.id, false],
    ['Warnings', DEMO.bot.id, false],
  ]);
  const topicOf = (name: string) => topics.find((t) => t.name === name)!.threadId;
  const critical = firing.find((m) => m.threadId === topicOf('Critical'))!;
  const warning = firing.find((m) => m.threadId === topicOf('Warnings'))!;
  // Each alert alone in its topic's message, in the channel's words; only the warning is silent.
  expect(critical.text).toBe('🔥 CheckoutDown (critical) on checkout');
  expect(critical.rawText).toContain('<b>CheckoutDown</b>');
  expect(critical.options.disableNotification).toBe(false);
  expect(warning.text).toBe('🔥 CheckoutSlow (warning) on checkout');
  expect(warning.options.disableNotification).toBe(true);

  await am.postAlerts(alerts.map((a) => ({ ...a, endsAt: new Date().toISOString() })));
  const resolved = await eventually(
    async () => {
      const view = emulator.chatView(FORUM);
      return view.every((m) => m.text.startsWith('✅')) ? view : undefined;
    },
    30_000,
    'both messages resolved',
  );
  // The same two messages, edited, each still in its topic: resolving added nothing to the forum.
  expect(resolved.map((m) => [m.messageId, m.threadId, m.text]).sort()).toEqual(
    [
      [critical.messageId, topicOf('Critical'), '✅ CheckoutDown (critical) on checkout'],
      [warning.messageId, topicOf('Warnings'), '✅ CheckoutSlow (warning) on checkout'],
    ].sort(),
  );
  for (const m of resolved) expect(m.edits).toBeGreaterThanOrEqual(1);
  await eventually(async () => (await notificationsDelivered()) === 2, 10_000, 'the resolved notification answered 200');
  expect(emulator.messagesTo(FORUM)).toHaveLength(2);
  expect(emulator.requests.filter((r) => r.method === 'createForumTopic')).toHaveLength(2);
  // The deliveries are recorded on the channel as for any other notification.
  await eventually(async () => ((await get('incidents')).status?.delivery?.sent ?? 0) >= 2, 15_000, 'delivery counted in status');
});
