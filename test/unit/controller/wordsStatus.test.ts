// TemplateValid and RoutesValid from a channel's spec, with the real render pool (worker threads) and
// a ConfigMap reader that answers from a map. Each bad input of the issue gets a clear verdict; none
// throws, none touches Ready.
import type { ClusterTelegramBot, Condition, TelegramChannel } from '../../../src/api/types.js';
import { applyWordsVerdicts, WordsStatus } from '../../../src/controller/wordsStatus.js';
import type { TemplateConfigMap } from '../../../src/kube/templateConfigMaps.js';
import type { VerifyResult } from '../../../src/telegram/verifier.js';
import { RenderPool, type RenderJob } from '../../../src/template/pool.js';

let pool: RenderPool;
const renders: RenderJob[] = [];
const configMaps = new Map<string, Record<string, string>>();
const OPTED_IN = { 'telegram.notify.dev/template': 'true' };
const configMapLabels = new Map<string, Record<string, string>>();
const bots = new Map<string, ClusterTelegramBot>();
let words: WordsStatus;

beforeAll(() => {
  pool = new RenderPool({ size: 2, deadlineMs: 500 });
  words = new WordsStatus({
    pool: { render: (job) => (renders.push(job), pool.render(job)) },
    readConfigMap: async (namespace, name): Promise<TemplateConfigMap> => {
      const data = configMaps.get(`${namespace}/${name}`);
      const labels = configMapLabels.get(`${namespace}/${name}`) ?? OPTED_IN;
      return data ? { found: true, data, labels } : { found: false, message: `ConfigMap ${namespace}/${name} not found` };
    },
    getBot: (name) => bots.get(name),
  });
});
afterAll(() => pool.close());
beforeEach(() => {
  renders.length = 0;
  configMaps.clear();
  configMapLabels.clear();
  bots.clear();
});

const verified: VerifyResult = {
  token: { status: 'True', reason: 'Verified', message: 'bot' },
  chat: { status: 'True', reason: 'Verified', message: 'chat' },
  topics: { isForum: true, canManageTopics: true },
};

function channel(spec: Record<string, unknown>, name = 'oncall'): TelegramChannel {
  return { metadata: { name, namespace: 'shop', generation: 1 }, spec: { tokenSecretRef: { name: 'bot' }, chatId: '-100123', ...spec } };
}

async function templateValid(spec: Record<string, unknown>) {
  return (await words.verdicts(channel(spec), verified)).TemplateValid;
}
async function routesValid(spec: Record<string, unknown>, ...result: [VerifyResult | undefined] | []) {
  return (await words.verdicts(channel(spec), result.length ? result[0] : verified)).RoutesValid;
}

describe('TemplateValid', () => {
  it('a firing-only loop renders nothing for a resolved notification: it needs a resolved template', async () => {
    expect(await templateValid({ template: { firing: '{% for a in firing %}{{ a.labels.alertname }}{% endfor %}' } })).toMatchObject({
      status: 'False',
      message: 'spec.template: firing template, sample one-alert (resolved): the template renders nothing',
    });
  });

  it('is absent without a template, True for a good one', async () => {
    expect(await templateValid({})).toBeUndefined();
    expect(
      await templateValid({
        template: {
          firing: '{% for a in firing %}<b>{{ a.labels.alertname }}</b>\n{% endfor %}',
          resolved: '{{ resolved.size }} resolved',
        },
      }),
    ).toMatchObject({
      status: 'True',
      reason: 'Verified',
      message: expect.stringMatching(/^spec\.template: renders every built-in sample/),
    });
  });

  it.each([
    [
      'a template that does not parse',
      'one\n  {% if status %}open',
      /^spec\.template: firing template, line 2, column 3, sample one-alert \(firing\): syntax error/,
    ],
    ['an unknown filter', '{{ status | shout }}', /line 1, column 1, .*unknown filter: shout/],
    ['a tag Telegram refuses', '<blink>{{ status }}</blink>', /output Telegram would refuse .*blink/],
    ['a template that renders empty', '{% if false %}never{% endif %}', /the template renders nothing/],
    ['a runaway loop', '{% for i in (1..300000000) %}{% endfor %}x', /over the render (limits|deadline)/],
    [
      'a label printed raw: </b><a href=...>',
      '<b>{{ alerts[0].labels.severity | raw }}</b>',
      /sample hostile-labels \(firing\): output Telegram would refuse/,
    ],
  ])('%s is False with reason TemplateInvalid, naming where', async (_name, firing, message) => {
    expect(await templateValid({ template: { firing } })).toMatchObject({
      status: 'False',
      reason: 'TemplateInvalid',
      message: expect.stringMatching(message),
    });
  });

  it('the same label escaped, as every {{ }} is, is valid', async () => {
    expect(await templateValid({ template: { firing: '<b>{{ alerts[0].labels.severity }}</b>' } })).toMatchObject({ status: 'True' });
  });

  it('renders unchanged text once: the verdict is remembered by the text', async () => {
    const template = { firing: 'remembered {{ status }}' };
    await templateValid({ template });
    const first = renders.length;
    expect(first).toBeGreaterThan(0);
    await templateValid({ template });
    expect(renders.length).toBe(first);
    await templateValid({ template: { firing: 'changed {{ status }}' } });
    expect(renders.length).toBeGreaterThan(first);
  });

  it('a render stopped by the clock is not remembered: the next reconcile judges the text again', async () => {
    const runaway = { firing: '{% for i in (1..300000000) %}{% endfor %}remember me?' };
    expect(await templateValid({ template: runaway })).toMatchObject({ status: 'False' });
    const once = renders.length;
    expect(await templateValid({ template: runaway })).toMatchObject({ status: 'False' });
    expect(renders.length).toBe(2 * once);
  });

  it('a template that never names `channel` is checked once for every channel; one that does, per channel', async () => {
    const shared = { firing: 'house style {{ status }}' };
    await words.verdicts(channel({ template: shared }, 'a'), verified);
    const once = renders.length;
    await words.verdicts(channel({ template: shared }, 'b'), verified);
    expect(renders.length).toBe(once);
    const named = { firing: '{{ channel.name }}: {{ status }}' };
    await words.verdicts(channel({ template: named }, 'a'), verified);
    const first = renders.length;
    await words.verdicts(channel({ template: named }, 'b'), verified);
    expect(renders.length).toBe(first + (first - once));
  });

  it('a ConfigMap not labelled telegram.notify.dev/template=true is not read: its data appears nowhere', async () => {
    const template = { configMapRef: { name: 'app-config', firingKey: 'password' } };
    configMaps.set('shop/app-config', { password: 'hunter2 {{' });
    configMapLabels.set('shop/app-config', {});
    const verdict = await templateValid({ template });
    expect(verdict).toMatchObject({
      status: 'False',
      reason: 'TemplateInvalid',
      message: expect.stringMatching(/not labelled telegram\.notify\.dev\/template=true/),
    });
    expect(JSON.stringify(verdict)).not.toContain('hunter2');
    expect(renders).toEqual([]);
  });

  it('a ConfigMap template: missing ConfigMap, missing key, over 64 KiB, then good', async () => {
    const template = { configMapRef: { name: 'tpl', firingKey: 'firing.liquid', resolvedKey: 'resolved.liquid' } };
    expect(await templateValid({ template })).toMatchObject({
      status: 'False',
      reason: 'TemplateInvalid',
      message: 'spec.template (ConfigMap shop/tpl): ConfigMap shop/tpl not found',
    });
    configMaps.set('shop/tpl', { 'firing.liquid': '{{ status }}' });
    expect((await templateValid({ template }))?.valueOf()).toMatchObject({ message: expect.stringMatching(/no key "resolved.liquid"/) });
    configMaps.set('shop/tpl', { 'firing.liquid': 'x'.repeat(64 * 1024 + 1), 'resolved.liquid': 'ok' });
    expect(await templateValid({ template })).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/65537 bytes, over the 64 KiB/),
    });
    configMaps.set('shop/tpl', { 'firing.liquid': '{{ status }}', 'resolved.liquid': 'resolved: {{ resolved.size }}' });
    expect(await templateValid({ template })).toMatchObject({ status: 'True', message: expect.stringMatching(/ConfigMap shop\/tpl/) });
  });

  it("a botRef channel without a template uses its bot's defaults.template, read from the bot's namespace", async () => {
    bots.set('house', {
      metadata: { name: 'house' },
      spec: { tokenSecretRef: { name: 'bot', namespace: 'platform' }, defaults: { template: { configMapRef: { name: 'house-style' } } } },
    });
    const spec = { tokenSecretRef: undefined, botRef: { name: 'house' } };
    expect(await templateValid(spec)).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/^ClusterTelegramBot house spec\.defaults\.template \(ConfigMap platform\/house-style\)/),
    });
    configMaps.set('platform/house-style', { firing: 'house {{ status }}' });
    expect(await templateValid(spec)).toMatchObject({ status: 'True' });
    // The channel's own template wins.
    expect(await templateValid({ ...spec, template: { firing: '{{ status | nope }}' } })).toMatchObject({
      message: expect.stringMatching(/^spec\.template: .*unknown filter/),
    });
  });

  it('a ConfigMap the API server does not answer for gives no verdict: the condition is kept, nothing throws', async () => {
    const status = new WordsStatus({
      pool,
      readConfigMap: () => Promise.reject(new Error('reading ConfigMap shop/tpl: connect ECONNREFUSED')),
    });
    const ch = channel({ template: { configMapRef: { name: 'tpl' } }, routes: [{ messageThreadId: 12 }] });
    expect(await status.verdicts(ch, verified)).toEqual({
      TemplateValid: 'keep',
      RoutesValid: { status: 'True', reason: 'Verified', message: '1 route compiled' },
    });
  });

  it('a closed pool gives no verdict: the condition is kept as it was', async () => {
    const closed = new RenderPool({ size: 1 });
    await closed.close();
    const status = new WordsStatus({ pool: closed, readConfigMap: async () => ({ found: false, message: '' }) });
    expect((await status.verdicts(channel({ template: { firing: 'closed {{ status }}' } }), verified)).TemplateValid).toBe('keep');
  });
});

describe('RoutesValid', () => {
  it('is absent without routes or quiet hours', async () => {
    expect(await routesValid({})).toBeUndefined();
  });

  it.each([
    [
      'a matcher that does not parse',
      { routes: [{ matchers: ['severity="critical'], messageThreadId: 12 }] },
      /^routes\[0\]\.matchers\[0\]: matcher value has no closing double quote at position 9/,
    ],
    [
      'a regex that does not compile',
      {
        routes: [
          { matchers: ['a="b"'], messageThreadId: 12 },
          { matchers: ['x=~"("'], messageThreadId: 13 },
        ],
      },
      /^routes\[1\]\.matchers\[0\]: invalid regular expression at position 3/,
    ],
    [
      'an unknown time zone',
      { quietHours: { timeZone: 'Mars/Olympus', from: '22:00', to: '07:00' } },
      /^quietHours\.timeZone: unknown time zone "Mars\/Olympus"/,
    ],
    [
      'an except matcher that does not parse',
      { quietHours: { timeZone: 'UTC', from: '22:00', to: '07:00', except: ['=x'] } },
      /^quietHours\.except\[0\]: bad matcher format/,
    ],
    [
      'a topic name that does not parse',
      { routes: [{ topic: { name: 'ns {{ labels.namespace' } }] },
      /^routes\[0\]\.topic\.name: the topic name template fails at line 1, column 4/,
    ],
    ['a topic name that renders empty', { routes: [{ topic: { name: '{{ labels.absent }}' } }] }, /renders empty/],
    [
      'a topic name over 128 characters',
      { routes: [{ topic: { name: '{{ annotations.summary }}'.concat('-'.repeat(120)) } }] },
      /over Telegram's 128/,
    ],
  ])('%s is False with RouteInvalid, naming where', async (_name, spec, message) => {
    expect(await routesValid(spec)).toMatchObject({ status: 'False', reason: 'RouteInvalid', message: expect.stringMatching(message) });
  });

  it('a catastrophic regex compiles and is judged in linear time', async () => {
    expect(await routesValid({ routes: [{ matchers: ['instance=~"(a+)+$"'], messageThreadId: 12 }] })).toMatchObject({ status: 'True' });
  });

  const topicRoute = { routes: [{ matchers: ['severity="critical"'], topic: { name: '{{ labels.namespace }}' } }] };
  it.each([
    ['a forum where the bot manages topics', verified, 'True', 'Verified', /the chat is a forum and the bot can manage its topics/],
    [
      'a chat that is not a forum',
      { ...verified, topics: { isForum: false, canManageTopics: false } },
      'False',
      'TopicsNotManageable',
      /not a forum/,
    ],
    ['a private chat (no getChatMember)', { ...verified, topics: undefined }, 'False', 'TopicsNotManageable', /not a forum/],
    [
      'a bot without can_manage_topics',
      { ...verified, topics: { isForum: true, canManageTopics: false } },
      'False',
      'TopicsNotManageable',
      /can_manage_topics/,
    ],
    ['a chat not verified yet', undefined, 'Unknown', 'TopicsNotManageable', /not checked until the chat is verified/],
  ])('a topic route on %s: %s %s', async (_name, result, status, reason, message) => {
    expect(await routesValid(topicRoute, result)).toMatchObject({ status, reason, message: expect.stringMatching(message) });
  });

  it('routes by thread id need no forum check', async () => {
    expect(
      await routesValid(
        { routes: [{ matchers: [], messageThreadId: 12 }], quietHours: { timeZone: 'Europe/Berlin', from: '22:00', to: '07:00' } },
        undefined,
      ),
    ).toEqual({
      status: 'True',
      reason: 'Verified',
      message: '1 route compiled; quiet hours 22:00-07:00 Europe/Berlin',
    });
  });
});

describe('applyWordsVerdicts', () => {
  const existing: Condition[] = [
    { type: 'Ready', status: 'True', reason: 'Verified', message: 'ok', observedGeneration: 1, lastTransitionTime: 't0' },
    { type: 'RoutesValid', status: 'False', reason: 'RouteInvalid', message: 'old', observedGeneration: 1, lastTransitionTime: 't0' },
  ];
  it('writes, removes or keeps each condition, and leaves Ready alone', () => {
    const next = applyWordsVerdicts(
      existing,
      { TemplateValid: { status: 'False', reason: 'TemplateInvalid', message: 'm' }, RoutesValid: undefined },
      2,
      't1',
    );
    expect(next.map((c) => c.type)).toEqual(['Ready', 'TemplateValid']);
    expect(next[0]).toBe(existing[0]);
    expect(applyWordsVerdicts(existing, { TemplateValid: 'keep', RoutesValid: 'keep' }, 2, 't1')).toEqual(existing);
    expect(applyWordsVerdicts(existing, undefined, 2, 't1')).toBe(existing);
  });
});
