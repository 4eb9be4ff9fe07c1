// ClusterTelegramBot end to end: the built operator, running as the ServiceAccount deploy/base defines
// (its own token, the shipped ClusterRole), on the real control plane, against the Telegram emulator.
// One platform namespace holds the token; team namespaces are allowed by name, by label, or not at all.
import type * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { DEMO, bot as botSpec, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { channelHelpers, cond, type Channel, type Cond } from '../harness/channels.js';
import { installCrds, kubectl, kubectlResult } from '../harness/crds.js';
import { createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { deployedServiceAccountKubeconfig, namespacedServiceAccountKubeconfig } from '../harness/serviceAccount.js';
import { BOTS, createClusterBot } from '../harness/resources.js';

const suffix = randomBytes(3).toString('hex');
/** A label only this file's namespaces carry: other files' namespaces must never match the selector. */
const LABEL = `alerts-${suffix}.example.com/telegram`;
/** A bot of its own, so its getMe calls can be counted apart from the rest of the file. */
const COUNTED = botSpec(7000000077, 'counted_bot');
const AM_TOKEN = 'am-webhook-token-0123456789';

interface Bot {
  metadata: { name: string; generation: number };
  status?: { observedGeneration?: number; conditions?: Cond[]; bot?: { id: number; username: string }; channels?: number };
}

let emulator: TelegramEmulator;
let emulatorUrl: string;
let operator: OperatorProcess;
let platform: string;
const ns = { byName: '', byLabel: '', outside: '', counted: '', team: '' };
const botNames: string[] = [];
const { custom, core, secret, channel, get, readyReason } = channelHelpers(() => ns.byName);

async function createBot(name: string, spec: Record<string, unknown>): Promise<string> {
  const full = `${name}-${suffix}`;
  botNames.push(full);
  await createClusterBot(custom, full, spec);
  return full;
}
const getBot = async (name: string) => (await custom.getClusterCustomObject({ ...BOTS, name })) as Bot;
const botCond = (b: Bot, type: string) => b.status?.conditions?.find((c) => c.type === type);
const botReady = (name: string, reason: string, timeoutMs = 20_000) =>
  eventually(
    async () => {
      const b = await getBot(name);
      const r = botCond(b, 'Ready');
      return r?.reason === reason && b.status?.observedGeneration === b.metadata.generation ? b : undefined;
    },
    timeoutMs,
    `ClusterTelegramBot ${name} Ready reason ${reason}`,
  );
const tokenSpec = (name = 'telegram-bot') => ({ tokenSecretRef: { name, namespace: platform } });

beforeAll(async () => {
  installCrds();
  emulator = new TelegramEmulator(demoScenario());
  emulatorUrl = await emulator.start();
  emulator.setBot(COUNTED);
  emulator.setMembership({ chatId: DEMO.chats.ops, botId: COUNTED.id, status: 'administrator' });
  platform = await createNamespace('ctgb-platform');
  ns.byName = await createNamespace('ctgb-byname');
  ns.byLabel = await createNamespace('ctgb-bylabel');
  ns.outside = await createNamespace('ctgb-outside');
  ns.counted = await createNamespace('ctgb-counted');
  ns.team = await createNamespace('ctgb-team');
  kubectl(['label', 'namespace', ns.byLabel, `${LABEL}=true`]);
  await secret('telegram-bot', { token: DEMO.bot.token }, platform);
  await secret('counted-bot', { token: COUNTED.token }, platform);
  await secret('revoked-bot', { token: DEMO.unknownToken }, platform);
  const kubeconfig = await deployedServiceAccountKubeconfig(platform);
  operator = await startOperator({
    KUBECONFIG: kubeconfig,
    TELEGRAM_API_URL: emulatorUrl,
    // The channels of this file only (other files run their own operators); bots and namespaces cluster-wide.
    // The platform namespace is listed too, so that its Secrets are watched (a rotated bot token seen at once).
    WATCH_NAMESPACE: [platform, ...Object.values(ns)].join(','),
    WATCH_CLUSTER_BOTS: 'true',
    // The operator's own namespace (the Deployment sets it): its Lease and remembered state live there.
    POD_NAMESPACE: platform,
  });
}, 60_000);

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
  for (const name of botNames) await custom.deleteClusterCustomObject({ ...BOTS, name }).catch(() => undefined);
});

test('allowed by name and by label: channels verify with the bot token, the bot counts them, an alert arrives', async () => {
  const bot = await createBot('ops', {
    ...tokenSpec(),
    allowedNamespaces: { names: [ns.byName], selector: { matchLabels: { [LABEL]: 'true' } } },
  });
  await channel('by-name', { botRef: { name: bot }, chatId: String(DEMO.chats.ops) }, ns.byName, {
    'telegram.notify.dev/alert': 'disk full (botRef)',
  });
  await channel('by-label', { botRef: { name: bot }, chatId: String(DEMO.chats.group) }, ns.byLabel);
  const a = await readyReason('by-name', 'Verified', 20_000, ns.byName);
  const b = await readyReason('by-label', 'Verified', 20_000, ns.byLabel);
  expect(a.status?.bot?.username).toBe(DEMO.bot.username);
  expect(b.status?.bot?.username).toBe(DEMO.bot.username);
  expect(cond(a, 'TokenValid')).toEqual(expect.objectContaining({ status: 'True', reason: 'Verified' }));
  await eventually(async () => emulator.messagesTo(DEMO.chats.ops).some((m) => m.text === 'disk full (botRef)'), 15_000, 'alert');

  const verified = await eventually(
    async () => {
      const v = await botReady(bot, 'Verified');
      return v.status?.channels === 2 ? v : undefined;
    },
    15_000,
    'status.channels 2',
  );
  expect(verified.status?.bot).toEqual({ id: DEMO.bot.id, username: DEMO.bot.username });
  expect(botCond(verified, 'TokenValid')).toEqual(expect.objectContaining({ status: 'True', reason: 'Verified' }));
  expect(botCond(verified, 'Stalled')).toBeUndefined();
  expect(botCond(verified, 'Reconciling')).toBeUndefined();
  // The printer columns a platform engineer reads.
  const row = kubectl(['get', 'ctgb', bot, '--no-headers']).trim().split(/\s+/);
  expect(row.slice(0, 5)).toEqual([bot, 'True', 'Verified', DEMO.bot.username, '2']);
});

test('a namespace that is not allowed gets BotNotAllowed and nothing is sent; relabelling it is noticed without a restart', async () => {
  const bot = await createBot('strict', { ...tokenSpec(), allowedNamespaces: { selector: { matchLabels: { [LABEL]: 'yes' } } } });
  await channel('nope', { botRef: { name: bot }, chatId: String(DEMO.chats.channel) }, ns.outside, {
    'telegram.notify.dev/alert': 'must wait for permission',
  });
  const ch = await readyReason('nope', 'BotNotAllowed', 20_000, ns.outside);
  expect(cond(ch, 'Ready')?.status).toBe('False');
  expect(cond(ch, 'Ready')?.message).toContain(`namespace ${ns.outside} may not use ClusterTelegramBot "${bot}"`);
  expect(cond(ch, 'TokenValid')?.reason).toBe('BotNotAllowed');
  expect(cond(ch, 'Stalled')?.status).toBe('True');
  await new Promise((r) => setTimeout(r, 2_000));
  expect(emulator.messagesTo(DEMO.chats.channel).map((m) => m.text)).not.toContain('must wait for permission');
  expect((await botReady(bot, 'Verified')).status?.channels).toBe(0);

  const operatorPid = operator.child.pid;
  kubectl(['label', 'namespace', ns.outside, `${LABEL}=yes`]);
  await readyReason('nope', 'Verified', 15_000, ns.outside);
  await eventually(async () => (await getBot(bot)).status?.channels === 1, 15_000, 'status.channels 1 after relabel');
  // The alert still on the channel goes out once the namespace is allowed.
  await eventually(async () => emulator.messagesTo(DEMO.chats.channel).some((m) => m.text === 'must wait for permission'), 15_000, 'alert');
  expect(operator.child.pid).toBe(operatorPid);

  // And back: removing the label takes the permission away again.
  kubectl(['label', 'namespace', ns.outside, `${LABEL}-`]);
  await readyReason('nope', 'BotNotAllowed', 15_000, ns.outside);
  await eventually(async () => (await getBot(bot)).status?.channels === 0, 15_000, 'status.channels 0 after unlabel');
});

test('a missing bot is BotNotFound until it is created', async () => {
  const name = `later-${suffix}`;
  await channel('early', { botRef: { name }, chatId: String(DEMO.chats.ops) }, ns.byName);
  const ch = await readyReason('early', 'BotNotFound', 20_000, ns.byName);
  expect(cond(ch, 'Ready')).toEqual(expect.objectContaining({ status: 'False', message: `ClusterTelegramBot "${name}" not found` }));
  await createBot('later', { ...tokenSpec(), allowedNamespaces: { names: [ns.byName] } });
  await readyReason('early', 'Verified', 20_000, ns.byName);
});

test("a bad token: the bot is Ready=False, its channels BotNotReady with the bot's reason, nothing sent", async () => {
  const bot = await createBot('revoked', { ...tokenSpec('revoked-bot'), allowedNamespaces: { names: [ns.byName] } });
  await channel('on-revoked', { botRef: { name: bot }, chatId: String(DEMO.chats.ops) }, ns.byName, {
    'telegram.notify.dev/alert': 'never sent',
  });
  const b = await botReady(bot, 'Unauthorized');
  expect(botCond(b, 'Ready')?.status).toBe('False');
  expect(botCond(b, 'Stalled')).toEqual(expect.objectContaining({ status: 'True', reason: 'Unauthorized' }));
  // Unknown while the bot is being verified ("waiting for…"), then False with the bot's verdict.
  const ch = await eventually(
    async () => {
      const c = await get('on-revoked', ns.byName);
      return cond(c, 'Ready')?.reason === 'BotNotReady' && cond(c, 'Ready')?.status === 'False' ? c : undefined;
    },
    20_000,
    'BotNotReady False',
  );
  expect(cond(ch, 'Ready')?.message).toMatch(new RegExp(`^ClusterTelegramBot "${bot}" is not ready \\(Unauthorized\\): `));
  expect(emulator.messagesTo(DEMO.chats.ops).map((m) => m.text)).not.toContain('never sent');

  // Fixing the bot's Secret fixes its channels.
  await secret('revoked-bot', { token: DEMO.bot.token }, platform);
  await readyReason('on-revoked', 'Verified', 20_000, ns.byName);
  await eventually(async () => emulator.messagesTo(DEMO.chats.ops).some((m) => m.text === 'never sent'), 15_000, 'alert after fix');
});

test('getMe is called once per bot verification, not once per channel', async () => {
  const getMes = () => emulator.requests.filter((r) => r.method === 'getMe' && r.token === COUNTED.token).length;
  expect(getMes()).toBe(0);
  const bot = await createBot('counted', {
    tokenSecretRef: { name: 'counted-bot', namespace: platform },
    allowedNamespaces: { names: [ns.counted] },
  });
  const names = Array.from({ length: 8 }, (_, i) => `c${i}`);
  await Promise.all(names.map((n) => channel(n, { botRef: { name: bot }, chatId: String(DEMO.chats.ops) }, ns.counted)));
  for (const n of names) await readyReason(n, 'Verified', 30_000, ns.counted);
  await eventually(async () => (await getBot(bot)).status?.channels === names.length, 15_000, 'status.channels 8');
  const chatChecks = emulator.requests.filter((r) => r.method === 'getChat' && r.token === COUNTED.token).length;
  expect(chatChecks).toBeGreaterThanOrEqual(names.length); // each channel checked its chat…
  expect(getMes()).toBe(1); // …and none of them asked getMe
});

test('an application team that may only create and get TelegramChannels: its channel works, the token stays out of its reach', async () => {
  const bot = await createBot('shared', { ...tokenSpec(), allowedNamespaces: { names: [ns.team] } });
  await secret('am', { token: AM_TOKEN }, ns.team); // created by whoever runs Alertmanager, not the team
  const team = await namespacedServiceAccountKubeconfig(ns.team, 'app-team', [
    { apiGroups: ['telegram.notify.dev'], resources: ['telegramchannels'], verbs: ['create', 'get'] },
  ]);
  const as = (args: string[], input?: string) => kubectlResult(['--kubeconfig', team, ...args], input);

  const manifest = {
    apiVersion: 'telegram.notify.dev/v1alpha1',
    kind: 'TelegramChannel',
    metadata: { name: 'team-alerts', namespace: ns.team, annotations: { 'telegram.notify.dev/alert': 'hello from the team' } },
    spec: { botRef: { name: bot }, chatId: String(DEMO.chats.forum), alertmanager: { tokenSecretRef: { name: 'am' } } },
  };
  const created = as(['create', '-f', '-'], JSON.stringify(manifest));
  expect(created.stderr).toBe('');
  const ch = await eventually(
    async () => {
      const r = as(['get', 'telegramchannel', 'team-alerts', '-n', ns.team, '-o', 'json']);
      const c = JSON.parse(r.stdout || '{}') as Channel;
      return cond(c, 'Ready')?.reason === 'Verified' ? c : undefined;
    },
    30_000,
    'team channel Ready (read as the team)',
  );
  await eventually(async () => emulator.messagesTo(DEMO.chats.forum).some((m) => m.text === 'hello from the team'), 15_000, 'team alert');

  // The token, and its secret half alone, must appear nowhere the team can look.
  const secretHalf = DEMO.bot.token.split(':')[1]!;
  const leaks = (text: string) => text.includes(DEMO.bot.token) || text.includes(secretHalf);
  expect(leaks(JSON.stringify(ch))).toBe(false);

  // Not through the Secret: neither the bot's nor any in its own namespace.
  for (const [name, where] of [
    ['telegram-bot', platform],
    ['am', ns.team],
  ] as const) {
    const r = as(['get', 'secret', name, '-n', where, '-o', 'json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/forbidden/i);
    expect(leaks(r.stdout + r.stderr)).toBe(false);
  }
  const ctgb = as(['get', 'clustertelegrambot', bot, '-o', 'json']);
  expect(ctgb.stderr).toMatch(/forbidden/i);

  // Not through Events (read as an admin: the team cannot even list them) nor the operator's logs.
  const events = await core.listNamespacedEvent({ namespace: ns.team });
  expect(leaks(JSON.stringify(events))).toBe(false);
  expect(leaks(operator.output())).toBe(false);

  // Not through the webhook's answers: right bearer, wrong bearer, a channel that is not Ready.
  const post = async (name: string, bearer: string) => {
    const r = await fetch(`${operator.url}/webhooks/alertmanager/${ns.team}/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(alertmanagerPayload([{ name: 'TeamAlert' }])),
    });
    return { status: r.status, text: `${JSON.stringify([...r.headers])}${await r.text()}` };
  };
  const ok = await post('team-alerts', AM_TOKEN);
  expect(ok.status).toBe(200);
  const wrong = await post('team-alerts', 'not-the-token-0123456789');
  expect(wrong.status).toBe(401);
  const missing = await post('no-such-channel', AM_TOKEN);
  expect(missing.status).toBeGreaterThanOrEqual(400);
  for (const r of [ok, wrong, missing]) expect(leaks(r.text)).toBe(false);
});

test('the API server refuses bad input, with messages that say what to fix', async () => {
  const ns0 = ns.byName;
  const apply = (obj: unknown) => kubectlResult(['apply', '--server-side', '--field-manager=ctgb-test', '-f', '-'], JSON.stringify(obj));
  const tgc = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'telegram.notify.dev/v1alpha1',
    kind: 'TelegramChannel',
    metadata: { name, namespace: ns0 },
    spec: { chatId: String(DEMO.chats.ops), ...spec },
  });
  const ctgb = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'telegram.notify.dev/v1alpha1',
    kind: 'ClusterTelegramBot',
    metadata: { name },
    spec,
  });
  const exactlyOne = /set exactly one of tokenSecretRef \(a Secret in this namespace\) and botRef \(a ClusterTelegramBot\)/;
  expect(apply(tgc('both', { botRef: { name: 'ops' }, tokenSecretRef: { name: 'bot' } })).stderr).toMatch(exactlyOne);
  expect(apply(tgc('neither', {})).stderr).toMatch(exactlyOne);
  expect(apply(tgc('badref', { botRef: { name: 'Ops_Bot' } })).stderr).toMatch(/botRef.name must be a ClusterTelegramBot name/);
  expect(apply(tgc('emptyref', { botRef: {} })).stderr).toMatch(/spec.botRef.name: Required value/);
  expect(apply(ctgb(`nons-${suffix}`, { tokenSecretRef: { name: 'x' } })).stderr).toMatch(/spec.tokenSecretRef.namespace: Required value/);
  expect(apply(ctgb(`Bad_Bot-${suffix}`, tokenSpec())).stderr).toMatch(/metadata.name: Invalid value.*RFC 1123 subdomain/);
  const selector = apply(
    ctgb(`sel-${suffix}`, {
      ...tokenSpec(),
      allowedNamespaces: {
        names: ['Team_A'],
        selector: {
          matchExpressions: [
            { key: 'a', operator: 'In' },
            { key: 'b', operator: 'Exists', values: ['x'] },
          ],
        },
      },
    }),
  ).stderr;
  expect(selector).toMatch(/matchExpressions\[0\]: Invalid value: .*In and NotIn need values; Exists and DoesNotExist take none/);
  expect(selector).toMatch(/matchExpressions\[1\]: Invalid value/);
  expect(selector).toMatch(/allowedNamespaces.names must be namespace names/);
  expect(
    apply(ctgb(`op-${suffix}`, { ...tokenSpec(), allowedNamespaces: { selector: { matchExpressions: [{ key: 'a', operator: 'Like' }] } } }))
      .stderr,
  ).toMatch(/Unsupported value: "Like"/);
  expect(apply(ctgb(`nospec-${suffix}`, {})).stderr).toMatch(/spec.tokenSecretRef: Required value/);
  // Nothing of the above was stored.
  const names = JSON.parse(kubectl(['get', 'ctgb', '-o', 'json'])).items.map((b: k8s.KubernetesObject) => b.metadata?.name);
  expect(names.filter((n: string) => n.endsWith(suffix) && !botNames.includes(n))).toEqual([]);
});

test('an empty allowedNamespaces allows nobody, and so does an empty selector', async () => {
  const none = await createBot('none', tokenSpec());
  const empty = await createBot('empty', { ...tokenSpec(), allowedNamespaces: { selector: {} } });
  await channel('to-none', { botRef: { name: none }, chatId: String(DEMO.chats.ops) }, ns.byLabel);
  await channel('to-empty', { botRef: { name: empty }, chatId: String(DEMO.chats.ops) }, ns.byLabel);
  expect(cond(await readyReason('to-none', 'BotNotAllowed', 20_000, ns.byLabel), 'Ready')?.message).toContain(
    'no namespace (allowedNamespaces is empty)',
  );
  await readyReason('to-empty', 'BotNotAllowed', 20_000, ns.byLabel);
});

test('a deleted bot turns its channels BotNotFound', async () => {
  const bot = await createBot('gone', { ...tokenSpec(), allowedNamespaces: { names: [ns.byName] } });
  await channel('orphan', { botRef: { name: bot }, chatId: String(DEMO.chats.ops) }, ns.byName);
  await readyReason('orphan', 'Verified', 20_000, ns.byName);
  await custom.deleteClusterCustomObject({ ...BOTS, name: bot });
  await readyReason('orphan', 'BotNotFound', 20_000, ns.byName);
  expect((await get('orphan', ns.byName)).status?.bot).toBeUndefined();
});

test("a bot's defaults.template is its channels' house style, read from its ConfigMap as the shipped ServiceAccount; a channel's own template wins", async () => {
  await core.createNamespacedConfigMap({
    namespace: platform,
    body: {
      metadata: { name: 'house-style', labels: { 'telegram.notify.dev/template': 'true' } },
      data: { firing: '🏠 {% for a in alerts %}<b>{{ a.labels.alertname }}</b> {% endfor %}' },
    },
  });
  const bot = await createBot('styled', {
    ...tokenSpec(),
    allowedNamespaces: { names: [ns.team] },
    defaults: { template: { configMapRef: { name: 'house-style' } } },
  });
  await channel('house', { botRef: { name: bot }, chatId: String(DEMO.chats.ops) }, ns.team);
  // The channel's own ConfigMap is in its namespace, not the operator's: read with the ClusterRole's configmaps get.
  await core.createNamespacedConfigMap({
    namespace: ns.team,
    body: {
      metadata: { name: 'team-style', labels: { 'telegram.notify.dev/template': 'true' } },
      data: { firing: '{{ status | shout }}' },
    },
  });
  await channel(
    'own-style',
    { botRef: { name: bot }, chatId: String(DEMO.chats.ops), template: { configMapRef: { name: 'team-style' } } },
    ns.team,
  );
  const templateValid = (name: string) =>
    eventually(
      async () => {
        const c = cond(await get(name, ns.team), 'TemplateValid');
        return c && c.status !== 'Unknown' ? c : undefined;
      },
      20_000,
      `${ns.team}/${name} TemplateValid`,
    );
  expect(await templateValid('house')).toMatchObject({
    status: 'True',
    reason: 'Verified',
    message: expect.stringContaining(`ClusterTelegramBot ${bot} spec.defaults.template (ConfigMap ${platform}/house-style)`),
  });
  expect(await templateValid('own-style')).toMatchObject({
    status: 'False',
    reason: 'TemplateInvalid',
    message: expect.stringMatching(new RegExp(`^spec\\.template \\(ConfigMap ${ns.team}/team-style\\): .*unknown filter: shout`)),
  });
});
