// Templates, routes and quiet hours in the sending path, end to end: the real kube-apiserver + etcd, the
// built operator as a child process, webhooks posted as Alertmanager posts them, and the Telegram
// emulator recording what each chat got (its text as Telegram shows it, the raw HTML, the thread and
// whether it rang).
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import type { DeliveredMessage } from '../emulator/core.js';
import { alertmanagerPayload, type TestAlert } from '../harness/alertmanagerPayload.js';
import { channelHelpers } from '../harness/channels.js';
import { startWebhookNamespace } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const { core, channel, readyReason } = channelHelpers(() => ns);
const WEBHOOK_TOKEN = 'words-sending-webhook';
const { ops, forum, group, channel: opsChannel, managedForum } = DEMO.chats;
let operatorEnv: Record<string, string>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const world = await startWebhookNamespace('words-send', WEBHOOK_TOKEN);
  ({ ns, emulator } = world);
  const url = world.url;
  operatorEnv = { TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns, POD_NAMESPACE: ns, TEMPLATE_DEADLINE_MS: '1000' };
  operator = await startOperator(operatorEnv);
  const base = (chat: number) => ({
    tokenSecretRef: { name: 'bot' },
    chatId: String(chat),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' } },
  });
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  const now = Date.now();
  await channel('templated', {
    ...base(ops),
    template: {
      firing: '{% for a in firing %}🔥 <b>{{ a.labels.alertname }}</b> by {{ a.labels.who }}{% endfor %}',
      resolved: '✅ {{ resolved.size }} resolved',
    },
    // A window around now (UTC), so the test does not depend on the time of day it runs.
    quietHours: {
      timeZone: 'UTC',
      from: hhmm(new Date(now - 3_600_000)),
      to: hhmm(new Date(now + 3_600_000)),
      except: ['severity="critical"'],
    },
  });
  // 9·10¹⁰ empty iterations: it holds its worker until the render limit or the deadline stops it.
  await channel('runaway', {
    ...base(group),
    template: { firing: '{% for i in (1..300000) %}{% for j in (1..300000) %}{% endfor %}{% endfor %}never' },
  });
  await channel('other', { ...base(opsChannel), template: { firing: '{% for a in alerts %}other: {{ a.labels.alertname }}{% endfor %}' } });
  await channel('routed', {
    ...base(forum),
    routes: [
      { matchers: ['severity="critical"'], messageThreadId: 42, mention: ['@oncall_lead', '123456789'] },
      { matchers: ['severity="warning"'], messageThreadId: 77, silent: true },
    ],
  });
  await channel('topics', { ...base(managedForum), routes: [{ matchers: ['team=~".+"'], topic: { name: '{{ labels.team }}' } }] });
  for (const name of ['templated', 'runaway', 'other', 'routed', 'topics']) await readyReason(name, 'Verified', 30_000);
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

/** Posts as Alertmanager does, retrying while the operator answers 503 (not leading yet). */
async function post(name: string, alerts: TestAlert[], groupKey: string): Promise<number> {
  const body = JSON.stringify(alertmanagerPayload(alerts, { groupKey }));
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${operator.url}/webhooks/alertmanager/${ns}/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body,
    });
    await res.text();
    if (res.status !== 503 || attempt === 20) return res.status;
    await sleep(1_000);
  }
}

const about = (chatId: number, text: string): DeliveredMessage[] => emulator.messagesTo(chatId).filter((m) => m.text.includes(text));

test("a channel's template renders its messages; a label value's markup arrives as text, never as markup", async () => {
  expect(await post('templated', [{ name: 'DiskFull', labels: { who: '</b><a href=x>', severity: 'critical' } }], 'g-disk')).toBe(200);
  const [m] = about(ops, 'DiskFull');
  expect(m!.text).toBe('🔥 DiskFull by </b><a href=x>');
  expect(m!.rawText).toBe('🔥 <b>DiskFull</b> by &lt;/b&gt;&lt;a href=x&gt;');
});

test('quiet hours: inside the window a message goes silently, unless an alert of it is excepted', async () => {
  expect(await post('templated', [{ name: 'SlowDisk', labels: { who: 'x', severity: 'warning' } }], 'g-slow')).toBe(200);
  expect(about(ops, 'SlowDisk')[0]!.options.disableNotification).toBe(true);
  // The critical one above is excepted: it rang.
  expect(about(ops, 'DiskFull')[0]!.options.disableNotification).toBe(false);
});

test('a runaway template: the built-in format with a note and a TemplateFailed Event; another channel posted meanwhile is delivered first', async () => {
  const done: string[] = [];
  const runaway = post('runaway', [{ name: 'Loop' }], 'g-loop').then((status) => done.push(`runaway ${status}`));
  // Posted right after the runaway one, while its render holds a worker: it must not wait for it.
  const other = post('other', [{ name: 'Elsewhere' }], 'g-else').then((status) => done.push(`other ${status}`));
  await Promise.all([runaway, other]);
  expect(done).toEqual(['other 200', 'runaway 200']);
  expect(about(opsChannel, 'Elsewhere')[0]!.text).toBe('other: Elsewhere');
  const [m] = about(group, 'Loop');
  expect(m!.text.split('\n')[0]).toMatch(/^⚠️ the template failed/);
  const events = await eventually(
    async () => {
      const list = await core.listNamespacedEvent({ namespace: ns });
      const found = list.items.filter((e) => e.reason === 'TemplateFailed' && e.involvedObject.name === 'runaway');
      return found.length > 0 ? found : undefined;
    },
    10_000,
    'TemplateFailed Event',
  );
  expect(events[0]!.type).toBe('Warning');
  expect(events[0]!.message).toMatch(/built-in format/);
  const metrics = await (await fetch(`${operator.url}/metrics`)).text();
  expect(metrics).toMatch(new RegExp(`telegram_operator_template_failures_total\\{namespace="${ns}",name="runaway",reason="[a-z]+"\\} 1`));
});

test('routes: a mixed notification becomes one message per route in its topic, each resolved in place', async () => {
  const alerts = (status: 'firing' | 'resolved'): TestAlert[] => [
    { name: 'ApiDown', status, labels: { severity: 'critical' }, fingerprint: 'a' },
    { name: 'ApiSlow', status, labels: { severity: 'warning' }, fingerprint: 'b' },
  ];
  expect(await post('routed', alerts('firing'), 'g-api')).toBe(200);
  const critical = about(forum, 'ApiDown');
  const warning = about(forum, 'ApiSlow');
  expect(critical.map((m) => [m.threadId, m.options.disableNotification])).toEqual([[42, false]]);
  expect(warning.map((m) => [m.threadId, m.options.disableNotification])).toEqual([[77, true]]);
  expect(critical[0]!.text).not.toContain('ApiSlow');
  expect(critical[0]!.rawText.endsWith('@oncall_lead <a href="tg://user?id=123456789">123456789</a>')).toBe(true);

  expect(await post('routed', alerts('resolved'), 'g-api')).toBe(200);
  const after = emulator.messagesTo(forum);
  expect(after.map((m) => m.messageId).sort()).toEqual([critical[0]!.messageId, warning[0]!.messageId].sort());
  expect(about(forum, 'ApiDown')[0]!.text).toMatch(/RESOLVED/);
  expect(about(forum, 'ApiSlow')[0]!.text).toMatch(/RESOLVED/);
});

test('topics by name: created once across notifications and a restart; a deleted one is created again', async () => {
  const payments = () => emulator.forumTopics.filter((t) => t.chatId === managedForum && t.name === 'payments');
  const threadOf = (alertname: string) => about(managedForum, alertname).map((m) => m.threadId);
  expect(await post('topics', [{ name: 'CardsDown', labels: { team: 'payments' } }], 'g-cards')).toBe(200);
  expect(await post('topics', [{ name: 'RefundsSlow', labels: { team: 'payments' } }], 'g-refunds')).toBe(200);
  expect(payments()).toHaveLength(1);
  const first = payments()[0]!.threadId;
  expect([...threadOf('CardsDown'), ...threadOf('RefundsSlow')]).toEqual([first, first]);

  // A new operator process (a restart, or the next leader) finds the topic in its ConfigMap.
  await operator.stop();
  operator = await startOperator(operatorEnv);
  expect(await post('topics', [{ name: 'LedgerLag', labels: { team: 'payments' } }], 'g-ledger')).toBe(200);
  expect(payments()).toHaveLength(1);
  expect(threadOf('LedgerLag')).toEqual([first]);

  // Someone deletes the topic: the next message creates it again, once.
  emulator.deleteTopicAsUser(managedForum, first);
  expect(await post('topics', [{ name: 'PayoutsStuck', labels: { team: 'payments' } }], 'g-payouts')).toBe(200);
  expect(payments().map((t) => Boolean(t.deleted))).toEqual([true, false]);
  expect(threadOf('PayoutsStuck')).toEqual([payments()[1]!.threadId]);
});

test("the bot loses Manage topics: a new topic's alerts go to the channel's own thread, Telegram is not asked again at once, known topics still serve", async () => {
  const createCalls = () =>
    emulator.requests.filter((r) => r.method === 'createForumTopic' && String(r.params.chat_id) === String(managedForum));
  const threadOf = (alertname: string) => about(managedForum, alertname).map((m) => m.threadId);
  const payments = emulator.forumTopics.find((t) => t.chatId === managedForum && t.name === 'payments' && !t.deleted)!;
  emulator.setCanManageTopics(DEMO.bot.token, managedForum, false);
  const before = createCalls().length;

  expect(await post('topics', [{ name: 'InvoicesLate', labels: { team: 'billing' } }], 'g-invoices')).toBe(200);
  expect(threadOf('InvoicesLate')).toEqual([undefined]);
  expect(
    createCalls()
      .slice(before)
      .map((r) => r.status),
  ).toEqual([400]);
  // Within the retry period the next alert of that name goes to the channel's thread without another refused call.
  expect(await post('topics', [{ name: 'InvoicesStuck', labels: { team: 'billing' } }], 'g-invoices-2')).toBe(200);
  expect(threadOf('InvoicesStuck')).toEqual([undefined]);
  expect(createCalls()).toHaveLength(before + 1);
  expect(emulator.forumTopics.filter((t) => t.chatId === managedForum && t.name === 'billing')).toEqual([]);
  // A topic the operator already created needs no right to post in.
  expect(await post('topics', [{ name: 'CardsSlow', labels: { team: 'payments' } }], 'g-cards-slow')).toBe(200);
  expect(threadOf('CardsSlow')).toEqual([payments.threadId]);
});
