// Templates and routes checked when applied, end to end: the real kube-apiserver + etcd with the
// project's CRDs (their CEL rules refuse what cannot be right), the built operator as a child process,
// and the Telegram emulator (a forum where the bot may manage topics, one where it may not, a
// supergroup that is no forum). What a user reads is status.conditions.
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { installCrds } from '../harness/crds.js';
import { G, channelHelpers, cond, type Channel } from '../harness/channels.js';
import { createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const { core, secret, channel, get, conditionWhen } = channelHelpers(() => ns);
/** Waits until the channel's TemplateValid message says `text`; resolves with the condition. */
const templateValidSays = (name: string, text: string, what: string) =>
  conditionWhen(name, 'TemplateValid', (c) => c.message.includes(text), { what });

const OPTED_IN = { 'telegram.notify.dev/template': 'true' };
const GOOD_TEMPLATE =
  '{% for a in firing %}🔥 <b>{{ a.labels.alertname }}</b> {{ a.annotations.summary }}\n{% endfor %}{{ resolved.size }} resolved';

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('words');
  emulator = new TelegramEmulator(demoScenario());
  const url = await emulator.start();
  await secret('bot', { token: DEMO.bot.token });
  operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns });
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

const base = (chat: number = DEMO.chats.ops) => ({ tokenSecretRef: { name: 'bot' }, chatId: String(chat) });

/** The channel once `type` is written for its current generation. */
function condition(name: string, type: string, status?: string): Promise<Channel> {
  return eventually(
    async () => {
      const ch = await get(name);
      const c = cond(ch, type);
      return c && c.observedGeneration === ch.metadata.generation && (!status || c.status === status) ? ch : undefined;
    },
    20_000,
    `${ns}/${name} ${type}${status ? ` ${status}` : ''}`,
  );
}

test('a good template is TemplateValid True, and Ready is Verified as without one', async () => {
  await channel('good', { ...base(), template: { firing: GOOD_TEMPLATE } });
  const ch = await condition('good', 'TemplateValid', 'True');
  expect(cond(ch, 'TemplateValid')).toMatchObject({ reason: 'Verified', message: expect.stringMatching(/every built-in sample/) });
  expect(cond(ch, 'RoutesValid')).toBeUndefined();
  expect((await condition('good', 'Ready', 'True')).status?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('Verified');
});

test.each([
  ['syntax', '{% for a in firing %}{{ a.labels.alertname }}\n{% endfor', /firing template, line 2, column 1, .*syntax error/],
  ['filter', 'Hello\n  {{ alerts | frobnicate }}', /firing template, line 2, column 3, .*unknown filter: frobnicate/],
  ['markup', '<blink>{{ status }}</blink>', /markup Telegram would refuse|Telegram would refuse/],
  ['empty', '{% if false %}x{% endif %}', /renders nothing/],
  ['raw-label', '{{ alerts[0].labels.severity | raw }}', /sample hostile-labels.*Telegram would refuse/],
])(
  'a template with a %s problem is TemplateValid False (TemplateInvalid) naming where, and Ready is not touched',
  async (name, firing, message) => {
    await channel(`bad-${name}`, { ...base(), template: { firing } });
    const ch = await condition(`bad-${name}`, 'TemplateValid', 'False');
    expect(cond(ch, 'TemplateValid')).toMatchObject({ reason: 'TemplateInvalid', message: expect.stringMatching(message) });
    expect(cond(await condition(`bad-${name}`, 'Ready', 'True'), 'Ready')?.reason).toBe('Verified');
  },
);

test('hostile templates fail their own check; the operator keeps answering /healthz and judging other channels', async () => {
  const attacks = {
    'empty-for': '{% for i in (1..300000000) %}{% endfor %}x',
    'date-padding': '{{ "2026-01-01T00:00:00Z" | date: "%500000000d" }}',
    'doubling-concat': '{% assign a = "x,y" | split: "," %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}{{ a.size }}',
  };
  for (const [name, firing] of Object.entries(attacks)) await channel(`attack-${name}`, { ...base(), template: { firing } });
  await channel('innocent', { ...base(), template: { firing: GOOD_TEMPLATE } });
  // Asked while the attacks are being judged: the event loop that serves it is not the one that renders.
  expect((await fetch(`${operator.url}/healthz`)).status).toBe(200);
  await condition('innocent', 'TemplateValid', 'True');
  for (const name of Object.keys(attacks)) {
    const ch = await condition(`attack-${name}`, 'TemplateValid', 'False');
    expect(cond(ch, 'TemplateValid')?.message).toMatch(/over the render (limits|deadline|memory cap)/);
  }
  expect((await fetch(`${operator.url}/healthz`)).status).toBe(200);
});

test('a ConfigMap template: missing, then created with a broken key, then fixed', async () => {
  await channel('from-cm', { ...base(), template: { configMapRef: { name: 'team-templates', firingKey: 'firing.liquid' } } });
  const ch = await condition('from-cm', 'TemplateValid', 'False');
  expect(cond(ch, 'TemplateValid')?.message).toMatch(new RegExp(`ConfigMap ${ns}/team-templates not found`));

  await core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: 'team-templates' }, data: { 'firing.liquid': 'secret {{' } },
  });
  // Naming a ConfigMap is not enough: only one labelled telegram.notify.dev/template=true is read.
  await touch('from-cm');
  const unlabelled = await templateValidSays('from-cm', 'not labelled telegram.notify.dev/template=true', 'the missing label reported');
  expect(unlabelled.message).not.toContain('secret');
  await core.replaceNamespacedConfigMap({
    namespace: ns,
    name: 'team-templates',
    body: { metadata: { name: 'team-templates', labels: OPTED_IN }, data: { other: 'x' } },
  });
  // A ConfigMap is read at each reconcile of the channel; touching the channel wakes it now.
  await touch('from-cm');
  const missingKey = await templateValidSays('from-cm', 'no key "firing.liquid"', 'the missing key reported');
  expect(missingKey).toMatchObject({ status: 'False', reason: 'TemplateInvalid' });

  await core.replaceNamespacedConfigMap({
    namespace: ns,
    name: 'team-templates',
    body: { metadata: { name: 'team-templates', labels: OPTED_IN }, data: { 'firing.liquid': GOOD_TEMPLATE } },
  });
  await touch('from-cm');
  await condition('from-cm', 'TemplateValid', 'True');
});

test.each([
  ['matcher', { routes: [{ matchers: ['severity="critical'], messageThreadId: 42 }] }, /routes\[0\]\.matchers\[0\]: .*position 9/],
  [
    'regex',
    { routes: [{ matchers: ['team="a"', 'instance=~"web-(.*"'], messageThreadId: 42 }] },
    /routes\[0\]\.matchers\[1\]: invalid regular expression at position 10/,
  ],
  [
    'zone',
    { quietHours: { timeZone: 'Mars/Olympus', from: '22:00', to: '07:00' } },
    /quietHours\.timeZone: unknown time zone "Mars\/Olympus"/,
  ],
  ['topic-syntax', { routes: [{ matchers: [], topic: { name: '{{ labels.namespace' } }] }, /routes\[0\]\.topic\.name: .*line 1, column 1/],
  [
    'topic-empty',
    { routes: [{ matchers: [], topic: { name: '{{ labels.nothing }}' } }] },
    /routes\[0\]\.topic\.name: the topic name renders empty/,
  ],
  ['topic-long', { routes: [{ matchers: [], topic: { name: `${'x'.repeat(125)}{{ labels.alertname }}` } }] }, /over Telegram's 128/],
])('a broken route (%s) is RoutesValid False (RouteInvalid) naming where', async (name, spec, message) => {
  await channel(`route-${name}`, { ...base(DEMO.chats.managedForum), ...spec });
  const ch = await condition(`route-${name}`, 'RoutesValid', 'False');
  expect(cond(ch, 'RoutesValid')).toMatchObject({ reason: 'RouteInvalid', message: expect.stringMatching(message) });
  expect(cond(await condition(`route-${name}`, 'Ready', 'True'), 'Ready')?.reason).toBe('Verified');
});

test.each([
  ['managed', DEMO.chats.managedForum, 'True', 'Verified', /can manage its topics/],
  ['no-right', DEMO.chats.forum, 'False', 'TopicsNotManageable', /can_manage_topics/],
  ['not-forum', DEMO.chats.ops, 'False', 'TopicsNotManageable', /not a forum/],
])('a topic route on a %s chat (%d): RoutesValid %s %s', async (name, chat, status, reason, message) => {
  await channel(`topics-${name}`, {
    ...base(chat),
    routes: [
      { matchers: ['severity="critical"'], topic: { name: '{{ labels.namespace }}' }, mention: ['@oncall_lead', '123456789'] },
      { matchers: ['severity=~"warning|info"'], topic: { name: 'Warnings' }, silent: true },
    ],
    quietHours: { timeZone: 'Europe/Berlin', from: '22:00', to: '07:00', except: ['severity="critical"'] },
  });
  const ch = await condition(`topics-${name}`, 'RoutesValid', status);
  expect(cond(ch, 'RoutesValid')).toMatchObject({ reason, message: expect.stringMatching(message) });
});

test('the CRD refuses what cannot be right, with its CEL messages', async () => {
  const refused = async (name: string, spec: Record<string, unknown>) => {
    try {
      await channel(name, { ...base(), ...spec });
    } catch (e) {
      return String((e as { body?: unknown }).body ?? e);
    }
    throw new Error(`${name} was accepted`);
  };
  expect(await refused('both', { template: { firing: 'x', configMapRef: { name: 'cm' } } })).toMatch(
    /set either firing .* or configMapRef, not both/,
  );
  expect(await refused('neither', { template: { resolved: 'x' } })).toMatch(/set either firing/);
  expect(await refused('two-dest', { routes: [{ matchers: [], messageThreadId: 42, topic: { name: 'x' } }] })).toMatch(
    /exactly one of messageThreadId and topic/,
  );
  expect(await refused('no-dest', { routes: [{ matchers: ['a="b"'] }] })).toMatch(/exactly one of messageThreadId and topic/);
  expect(await refused('same-times', { quietHours: { timeZone: 'UTC', from: '07:00', to: '07:00' } })).toMatch(/from and to must differ/);
  expect(await refused('bad-mention', { routes: [{ messageThreadId: 42, mention: ['oncall'] }] })).toMatch(/mention/);
  expect(await refused('too-big', { template: { firing: 'x'.repeat(64 * 1024 + 1) } })).toMatch(/firing/);
  expect(await refused('too-many', { routes: Array.from({ length: 33 }, () => ({ messageThreadId: 42 })) })).toMatch(/routes/);
  // And accepts the SPEC's own example, with a 64 KiB template at the limit.
  await channel('accepted', {
    ...base(),
    template: { firing: 'x'.repeat(64 * 1024), resolved: '{{ resolved.size }} resolved' },
    routes: [{ matchers: ['severity="critical"'], messageThreadId: 12, mention: ['@oncall_lead', '123456789'] }],
    quietHours: { timeZone: 'Europe/Berlin', from: '22:00', to: '24:00' },
  });
});

/** A spec change wakes the channel at once (a ConfigMap is not watched: otherwise the periodic resync reads it). */
let touches = 0;
async function touch(name: string): Promise<void> {
  const { setHeaderOptions } = await import('@kubernetes/client-node');
  const { custom } = channelHelpers(() => ns);
  await custom.patchNamespacedCustomObject(
    { ...G, namespace: ns, name, body: { spec: { linkPreview: ++touches % 2 === 1 } } },
    setHeaderOptions('Content-Type', 'application/merge-patch+json'),
  );
}
