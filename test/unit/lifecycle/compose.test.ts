// What a notification becomes in a channel's chat: templated bodies (a real render pool), the built-in
// rendering with a note when the template fails, routes as separate episodes with their thread, sound
// and mentions, and quiet hours on a fixed clock.
import pino from 'pino';
import { parseSpec, type TelegramChannel } from '../../../src/api/types.js';
import { AlertmanagerPayloadSchema, renderAlertmanagerHtml } from '../../../src/format/alertmanager.js';
import { NotificationComposer, TEMPLATE_EVENT_EVERY_MS, type ComposerDeps } from '../../../src/lifecycle/compose.js';
import { alertmanagerNotification } from '../../../src/sources/alertmanager.js';
import { RenderPool } from '../../../src/template/pool.js';
import { alertmanagerPayload, type TestAlert } from '../../harness/alertmanagerPayload.js';

const log = pino({ level: 'silent' });
let pool: RenderPool;
beforeAll(() => {
  pool = new RenderPool({ size: 1 });
});
afterAll(() => pool.close());

function channel(spec: Record<string, unknown>): TelegramChannel {
  return {
    apiVersion: 'telegram.notify.dev/v1alpha1',
    kind: 'TelegramChannel',
    metadata: { namespace: 'team-a', name: 'oncall', uid: 'u1', generation: 1 },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001', ...spec },
  };
}

function input(spec: Record<string, unknown>, alerts: TestAlert[]) {
  const ch = channel(spec);
  const parsed = parseSpec(ch.spec);
  if (!parsed.ok) throw new Error(parsed.message);
  const notification = alertmanagerNotification(AlertmanagerPayloadSchema.parse(alertmanagerPayload(alerts, { groupKey: 'g1' })));
  return {
    channel: ch,
    spec: parsed.spec,
    notification,
    html: renderAlertmanagerHtml(notification),
    render: (n: typeof notification) => renderAlertmanagerHtml(n),
  };
}

function composer(over: Partial<ComposerDeps> = {}) {
  const events: { type: string; reason: string; message: string }[] = [];
  const failures: { reason: string }[] = [];
  let now = Date.parse('2026-03-02T12:00:00Z');
  const c = new NotificationComposer({
    pool,
    readConfigMap: async () => ({ found: false, message: 'ConfigMap team-a/t not found' }),
    recordEvent: (_obj, type, reason, message) => events.push({ type, reason, message }),
    templateFailed: (labels) => failures.push(labels),
    log,
    now: () => now,
    ...over,
  });
  return { c, events, failures, advance: (ms: number) => (now += ms) };
}

test('without template or routes: one message, the built-in rendering, the channel thread', async () => {
  const { c } = composer();
  const i = input({ messageThreadId: 9 }, [{ name: 'Disk' }]);
  expect(await c.compose(i)).toEqual([
    { episodeSuffix: '', part: i.notification, status: 'firing', commonLabels: {}, html: i.html, messageThreadId: 9, silent: false },
  ]);
});

test("a template renders the body; a label value's markup arrives escaped", async () => {
  const { c, events } = composer();
  const i = input({ template: { firing: '{% for a in firing %}🔥 <b>{{ a.labels.alertname }}</b> {{ a.labels.who }}{% endfor %}' } }, [
    { name: 'Disk', labels: { who: '</b><a href=x>' } },
  ]);
  const [m] = await c.compose(i);
  expect(m!.html).toBe('🔥 <b>Disk</b> &lt;/b&gt;&lt;a href=x&gt;');
  expect(events).toEqual([]);
});

test('the resolved template serves a notification whose alerts all resolved', async () => {
  const { c } = composer();
  const i = input({ template: { firing: 'F {{ firing.size }}', resolved: 'R {{ resolved.size }}' } }, [
    { name: 'Disk', status: 'resolved' },
  ]);
  expect((await c.compose(i))[0]!.html).toBe('R 1');
});

test('a failing template: the built-in rendering under one escaped note, one Event per channel per period, every failure counted', async () => {
  const { c, events, failures, advance } = composer();
  const i = input({ template: { firing: '<blink>{{ status }}</blink>' } }, [{ name: 'Disk' }]);
  const [m] = await c.compose(i);
  const [note, ...rest] = m!.html.split('\n\n');
  expect(note).toMatch(/^⚠️ the template's output is markup Telegram would refuse: /);
  expect(note).not.toMatch(/[<>]/);
  expect(rest.join('\n\n')).toBe(i.html);
  await c.compose(i);
  expect(events).toEqual([{ type: 'Warning', reason: 'TemplateFailed', message: expect.stringMatching(/built-in format/) }]);
  advance(TEMPLATE_EVENT_EVERY_MS);
  await c.compose(i);
  expect(events).toHaveLength(2);
  expect(failures).toEqual([0, 1, 2].map(() => ({ namespace: 'team-a', name: 'oncall', reason: 'markup' })));
});

test('a runaway template is stopped at the deadline and falls back', async () => {
  const small = new RenderPool({ size: 1, deadlineMs: 200, workerLimits: { renderLimitMs: 0 } });
  try {
    const { c, failures } = composer({ pool: small });
    const i = input({ template: { firing: '{% for i in (1..300000000) %}{% endfor %}x' } }, [{ name: 'Disk' }]);
    const [m] = await c.compose(i);
    expect(m!.html).toMatch(/^⚠️ the template failed/);
    expect(m!.html).toContain(i.html);
    expect(failures[0]!.reason).toMatch(/deadline|limit/);
  } finally {
    await small.close();
  }
});

test('a ConfigMap template that cannot be read: built-in rendering with the reason', async () => {
  const { c, failures } = composer();
  const i = input({ template: { configMapRef: { name: 't' } } }, [{ name: 'Disk' }]);
  const [m] = await c.compose(i);
  expect(m!.html).toMatch(/^⚠️ the template could not be used: spec.template \(ConfigMap team-a\/t\): ConfigMap team-a\/t not found/);
  expect(failures).toEqual([{ namespace: 'team-a', name: 'oncall', reason: 'unreadable' }]);
});

test('routes: one message per route, each its own episode, thread, sound and escaped mentions; unrouted alerts in the channel thread', async () => {
  const { c } = composer();
  const spec = {
    messageThreadId: 5,
    routes: [
      { matchers: ['severity="critical"'], messageThreadId: 12, mention: ['@oncall_lead', '123456789'] },
      { matchers: ['severity="warning"'], messageThreadId: 13, silent: true },
    ],
  };
  const i = input(spec, [
    { name: 'Down', labels: { severity: 'critical' } },
    { name: 'Slow', labels: { severity: 'warning' } },
    { name: 'Info', labels: { severity: 'info' } },
  ]);
  const messages = await c.compose(i);
  expect(messages.map((m) => [m.episodeSuffix, m.messageThreadId, m.silent, m.commonLabels['alertname']])).toEqual([
    ['#routes[0]', 12, false, 'Down'],
    ['#routes[1]', 13, true, 'Slow'],
    ['', 5, false, 'Info'],
  ]);
  expect(messages[0]!.html).toContain('Down');
  expect(messages[0]!.html).not.toContain('Slow');
  expect(messages[0]!.html.endsWith('\n\n@oncall_lead <a href="tg://user?id=123456789">123456789</a>')).toBe(true);
});

test('quiet hours: silent inside the window unless an alert of the message is excepted', async () => {
  const { c, advance } = composer();
  const spec = { quietHours: { timeZone: 'Europe/Berlin', from: '12:30', to: '14:00', except: ['severity="critical"'] } };
  const calm = input(spec, [{ name: 'Slow', labels: { severity: 'warning' } }]);
  const mixed = input(spec, [
    { name: 'Slow', labels: { severity: 'warning' } },
    { name: 'Down', labels: { severity: 'critical' } },
  ]);
  // 12:00 UTC is 13:00 in Berlin (winter): inside.
  expect((await c.compose(calm))[0]!.silent).toBe(true);
  expect((await c.compose(mixed))[0]!.silent).toBe(false);
  advance(60 * 60_000); // 14:00 Berlin: outside
  expect((await c.compose(calm))[0]!.silent).toBe(false);
});
