// The shipped alert rules and dashboard against the real thing: Debian's Prometheus (2.42) scrapes the
// real operator (dist/main.js) every second while it serves a Ready channel and a broken one, relays an
// Alertmanager notification, refuses an unauthenticated webhook request, answers 503 for the broken
// channel, and acts on a Silence press in a real Alertmanager (a second channel's Alertmanager is
// unreachable: its buttons do not work). Prometheus loads monitoring/rules.yaml as shipped: every rule must evaluate healthy, and the
// channel alerts must pick out the broken channel. Every dashboard panel's query runs with its template
// variables filled in, as Grafana would: none may fail, and all but the panels listed below (for events
// this test does not cause) must return series.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { channelHelpers } from '../harness/channels.js';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import type { OperatorProcess } from '../harness/operator.js';
import { startPrometheus, type PrometheusProcess } from '../harness/prometheus.js';
import { stopAll } from '../harness/stopAll.js';

const RULES = path.join(REPO_ROOT, 'monitoring/rules.yaml');
const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'monitoring/dashboard.json'), 'utf8'));
const ruleNames = (load(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string }[] }[] }).groups.flatMap((g) =>
  g.rules.map((r) => r.alert),
);
const WEBHOOK_TOKEN = 'prometheus-test-webhook-secret';

/** Panels whose series need what this test does not cause; each must still run without error. */
const EXPECTED_EMPTY: Record<string, string> = {
  'ClusterTelegramBots by Ready reason': 'no ClusterTelegramBot (a namespaced install)',
  'Telegram 429 (Too Many Requests) by method': 'the emulator never answers 429 here',
  'Rate-limit waits by scope': 'a few messages wait for no rate limit',
};

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let prometheus: PrometheusProcess;
let am: AlertmanagerProcess;
const { channel, readyReason } = channelHelpers(() => ns);

const LABELS = { alertname: 'PrometheusTestAlert', severity: 'warning' };
const webhook = (name: string, token: string) =>
  fetch(`${operator.url}/webhooks/alertmanager/${ns}/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    // Common labels: what a Silence press silences.
    body: JSON.stringify({
      ...alertmanagerPayload([{ name: LABELS.alertname, labels: LABELS }], { groupKey: name }),
      commonLabels: LABELS,
    }),
  });

/** The query as Grafana sends it: this test's namespace, every channel, a 1-minute rate window. */
const fill = (expr: string) => expr.replaceAll('$namespace', ns).replaceAll('$channel', '.*').replaceAll('$__rate_interval', '1m');
const query = (expr: string) => prometheus.api<{ resultType: string; result: unknown[] }>(`query?query=${encodeURIComponent(expr)}`);

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('prom', {
    secrets: { 'am-webhook': { token: WEBHOOK_TOKEN } },
    env: (ns) => ({ POD_NAMESPACE: ns }),
  }));
  // A real Alertmanager for the Silence button (its routes are not used here).
  am = await startAlertmanager('route: {receiver: none}\nreceivers: [{name: none}]\n');
  const alertmanager = { tokenSecretRef: { name: 'am-webhook' } };
  await channel('ops', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { ...alertmanager, silence: { url: am.url } },
  });
  await channel('kicked', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.kickedGroup), alertmanager });
  // Buttons whose Alertmanager cannot be reached: Interactive False.
  await channel('no-silences', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.channel),
    alertmanager: { ...alertmanager, silence: { url: 'http://127.0.0.1:1' } },
  });
  await channel('test-message', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.group) }, ns, {
    'telegram.notify.dev/test': 'hello from the monitoring test',
    // An empty alert is refused (EmptyAlert): a delivery failure for the failure panels.
    'telegram.notify.dev/alert': ' ',
  });
  await readyReason('ops', 'Verified');
  await readyReason('kicked', 'BotKicked');
  await readyReason('test-message', 'Verified');
  await readyReason('no-silences', 'Verified');

  prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${RULES}
scrape_configs:
  - job_name: telegram-channel-operator
    static_configs:
      - targets: ['127.0.0.1:${operator.port}']
`);

  expect((await webhook('ops', WEBHOOK_TOKEN)).status).toBe(200);
  expect((await webhook('ops', 'not-the-token')).status).toBe(401);
  expect((await webhook('kicked', WEBHOOK_TOKEN)).status).toBe(503);
  const alert = await eventually(
    async () => emulator.messagesTo(DEMO.chats.ops).find((m) => m.text.includes('PrometheusTestAlert') && m.replyMarkup),
    20_000,
    'the alert, with its buttons',
  );
  const press = emulator.pressButton(DEMO.bot.token, {
    chatId: DEMO.chats.ops,
    messageId: alert.messageId,
    userId: DEMO.users.olga,
    button: '🔕 Silence 1h',
  });
  const answered = await eventually(
    async () => emulator.callbackQueries.find((q) => q.id === press.id && q.answer),
    20_000,
    'the press answered',
  );
  expect(answered.answer!.text).toMatch(/^Silenced for 1h/);
  // A counter series is born with its first increment, and rate() sees only increments between scrapes:
  // the second 503, once the first is scraped, is what a 5xx rate (and the alert) can see.
  const scraped = (expr: string) => async () => (await query(expr)).result.length > 0;
  await eventually(scraped(`telegram_operator_http_responses_total{code="503"}`), 20_000, 'the first 503 scraped');
  expect((await webhook('kicked', WEBHOOK_TOKEN)).status).toBe(503);

  // Enough scrapes after the traffic for a 1-minute rate to see it, and the condition gauges (refreshed
  // every 5 s) to show the channels' verdicts.
  await eventually(scraped(`rate(telegram_operator_http_responses_total{code="503"}[1m]) > 0`), 30_000, 'the second 503 scraped');
  await eventually(scraped(`count_over_time(telegram_operator_leader[1m]) >= 5`), 30_000, 'five scrapes');
  await eventually(
    scraped(`telegram_operator_channel_condition{channel="kicked", status="False", reason="BotKicked"}`),
    30_000,
    'the kicked channel in the metrics',
  );
}, 180_000);

afterAll(() => stopAll(prometheus, am, operator, emulator));

describe('the shipped rules in a real Prometheus', () => {
  it('all load and evaluate healthy', async () => {
    // Two evaluations at least after the scrapes above.
    const data = await eventually(
      async () => {
        const d = await prometheus.api<{ groups: { rules: any[] }[] }>('rules');
        const rules = d.groups.flatMap((g) => g.rules);
        return rules.length > 0 && rules.every((r) => r.lastEvaluation && !r.lastEvaluation.startsWith('0001')) ? rules : undefined;
      },
      20_000,
      'rules evaluated',
    );
    expect(data.map((r) => r.name).sort()).toEqual([...ruleNames].sort());
    for (const r of data)
      expect({ rule: r.name, health: r.health, lastError: r.lastError ?? '' }).toEqual({ rule: r.name, health: 'ok', lastError: '' });
  });

  it('the channel alerts pick out the broken channels (pending: their 15 minutes have not passed), and the refused webhook', async () => {
    const alerts = await eventually(
      async () => {
        const a = (await prometheus.api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts')).alerts;
        const names = a.map((x) => x.labels.alertname);
        const all = ['TelegramWebhookErrors', 'TelegramChannelNotReady', 'TelegramChannelNotInteractive'];
        return all.every((n) => names.includes(n)) ? a : undefined;
      },
      20_000,
      'pending alerts',
    );
    const notReady = alerts.filter((a) => a.labels.alertname === 'TelegramChannelNotReady');
    expect(notReady.map((a) => [a.labels.channel_namespace, a.labels.channel, a.state])).toEqual([[ns, 'kicked', 'pending']]);
    const notInteractive = alerts.filter((a) => a.labels.alertname === 'TelegramChannelNotInteractive');
    expect(notInteractive.map((a) => [a.labels.channel_namespace, a.labels.channel])).toEqual([[ns, 'no-silences']]);
    const webhookErrors = alerts.filter((a) => a.labels.alertname === 'TelegramWebhookErrors');
    expect(webhookErrors.map((a) => [a.labels.route, a.labels.code])).toEqual([['/webhooks/alertmanager/:namespace/:name', '503']]);
    // One replica, leading, scraped: no operator-level alert.
    expect(alerts.map((a) => a.labels.alertname)).not.toContain('TelegramOperatorNoLeader');
    expect(alerts.map((a) => a.labels.alertname)).not.toContain('TelegramOperatorDown');
  });
});

describe('the dashboard in a real Prometheus', () => {
  it('its variables list this namespace and its channels that need attention', async () => {
    const namespaces = await prometheus.api<string[]>(`label/channel_namespace/values?match[]=telegram_operator_channel_condition`);
    expect(namespaces).toContain(ns);
    const channels = await prometheus.api<string[]>(
      `label/channel/values?match[]=${encodeURIComponent(`telegram_operator_channel_condition{channel_namespace=~"${ns}"}`)}`,
    );
    // Only channels with a condition that is not True have series: the healthy ones cost nothing.
    expect(channels.sort()).toEqual(['kicked', 'no-silences']);
  });

  const targets: [string, string][] = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => [p.title, t.expr]));

  it('every panel query runs without error; all but the expected-empty ones return series', async () => {
    const empty = new Set<string>();
    for (const [title, expr] of targets) {
      const r = await query(fill(expr)); // throws on a query error, naming it
      if (r.result.length === 0) empty.add(title);
    }
    expect([...empty].sort()).toEqual(Object.keys(EXPECTED_EMPTY).sort());
    expect(targets.filter(([t]) => !empty.has(t)).length).toBeGreaterThan(targets.length * 0.75);
  });

  it('the per-channel panels follow the channel variable', async () => {
    const notReady = dashboard.panels.find((p: any) => p.title === 'Which channels are not Ready, and why').targets[0].expr as string;
    const all = await query(fill(notReady));
    expect(all.result.map((s: any) => s.metric.channel)).toEqual(['kicked']);
    const onlyOps = await query(fill(notReady).replace('channel=~".*"', 'channel=~"ops"'));
    expect(onlyOps.result).toEqual([]);
  });

  it('the Silence press: counted as a press and as a silence created in Alertmanager', async () => {
    const one = async (expr: string) => {
      const r = await query(expr);
      return r.result.map((x: any) => Number(x.value[1]));
    };
    expect(await one('telegram_operator_button_presses_total{action="silence"}')).toEqual([1]);
    expect(await one('telegram_operator_silences_total{operation="create", result="ok"}')).toEqual([1]);
  });

  it('the headline numbers: channels Ready, sent and failed', async () => {
    const value = async (title: string) => {
      const expr = dashboard.panels.find((p: any) => p.title === title).targets[0].expr as string;
      const r = await query(fill(expr));
      return Number((r.result[0] as any).value[1]);
    };
    expect(await value('Channels Ready')).toBe(3);
    expect(await value('Channels not Ready')).toBe(1);
    // increase() counts only what happened between scrapes: a series born at 1 adds 0. A number, no more.
    expect(await value('Messages sent (24 h)')).toBeGreaterThanOrEqual(0);
    expect(await value('Messages failed (24 h)')).toBeGreaterThanOrEqual(0);
  });
});
