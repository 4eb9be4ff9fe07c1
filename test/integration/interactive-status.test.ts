// The Interactive condition and chat discovery, on the real API server with the built operator, the
// Telegram emulator and a real Alertmanager: Verified while presses can be received and Alertmanager
// answers; AlertmanagerUnreachable when it does not; UpdatesConflict (which wins) when the bot has a
// webhook; and the chats the bot is added to appear in a ConfigMap in the operator's namespace.
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers, cond, G } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { clients, createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let am: AlertmanagerProcess;
const { secret, channel, get, readyReason } = channelHelpers(() => ns);
const { core, custom } = clients();

const interactive = async (name: string, reason: string) =>
  eventually(
    async () => {
      const c = cond(await get(name), 'Interactive');
      return c?.reason === reason ? c : undefined;
    },
    40_000,
    `${name} Interactive ${reason}`,
  );

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('interactive');
  emulator = new TelegramEmulator(demoScenario(), { limits: false });
  const url = await emulator.start();
  am = await startAlertmanager('route: {receiver: none}\nreceivers: [{name: none}]\n');
  await secret('bot', { token: DEMO.bot.token });
  await secret('am-webhook', { token: 'webhook-secret-1' });
  // POD_NAMESPACE: the operator's own namespace, where it records the bot's chats.
  operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns, POD_NAMESPACE: ns });
});

afterAll(async () => {
  await operator?.stop();
  await am?.stop();
  await emulator?.stop();
});

test('a channel with silence is Interactive; one without carries no Interactive; Ready is unaffected', async () => {
  const silence = { url: am.url, durations: ['1h', '24h'] };
  await channel('buttons', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence },
  });
  await channel('plain', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  const c = await interactive('buttons', 'Verified');
  expect(c.status).toBe('True');
  expect(c.message).toContain(new URL(am.url).host);
  await readyReason('plain', 'Verified');
  expect(cond(await get('plain'), 'Interactive')).toBeUndefined();
  // The operator polls the bot, asking only for what it needs.
  await eventually(
    async () => emulator.requests.some((r) => r.method === 'getUpdates' && r.token === DEMO.bot.token),
    20_000,
    'getUpdates',
  );
  const polls = emulator.requests.filter((r) => r.method === 'getUpdates');
  expect(polls.every((r) => JSON.stringify(r.params.allowed_updates ?? '').includes('callback_query'))).toBe(true);
});

test('the bot is added to a chat: the chat is recorded in telegram-bot-<id>-chats', async () => {
  emulator.changeBotMembership(DEMO.bot.token, DEMO.chats.privateNotMember, 'member', DEMO.users.olga);
  const name = `telegram-bot-${DEMO.bot.id}-chats`;
  const cm = await eventually(
    async () => {
      try {
        const m = await core.readNamespacedConfigMap({ namespace: ns, name });
        return m.data?.[String(DEMO.chats.privateNotMember)] ? m : undefined;
      } catch {
        return undefined;
      }
    },
    30_000,
    'chats ConfigMap',
  );
  const rec = JSON.parse(cm.data![String(DEMO.chats.privateNotMember)]!) as Record<string, string>;
  expect(rec).toEqual({
    id: String(DEMO.chats.privateNotMember),
    type: 'supergroup',
    title: 'Ops Private',
    status: 'member',
    at: expect.any(String),
  });
  // The same status again is not written again.
  const rv = cm.metadata!.resourceVersion;
  emulator.changeBotMembership(DEMO.bot.token, DEMO.chats.privateNotMember, 'member', DEMO.users.olga);
  emulator.changeBotMembership(DEMO.bot.token, DEMO.chats.publicNotMember, 'administrator', DEMO.users.olga);
  const after = await eventually(
    async () => {
      const m = await core.readNamespacedConfigMap({ namespace: ns, name });
      return m.data?.[String(DEMO.chats.publicNotMember)] ? m : undefined;
    },
    30_000,
    'second chat',
  );
  expect(Number(after.metadata!.resourceVersion)).toBeGreaterThan(Number(rv));
  expect(JSON.parse(after.data![String(DEMO.chats.privateNotMember)]!)).toEqual(rec);
});

test('Alertmanager down: AlertmanagerUnreachable at the next verification', async () => {
  await am.stop();
  // A spec change verifies the channel again (as the verify interval would).
  await custom.patchNamespacedCustomObject({
    ...G,
    namespace: ns,
    name: 'buttons',
    body: [{ op: 'replace', path: '/spec/alertmanager/silence/durations', value: ['2h'] }],
  });
  const c = await interactive('buttons', 'AlertmanagerUnreachable');
  expect(c.status).toBe('False');
  expect(c.message).toMatch(/cannot reach Alertmanager at 127\.0\.0\.1:\d+ to read its status/);
  expect(cond(await get('buttons'), 'Ready')?.status).toBe('True');
});

test('a webhook on the bot: UpdatesConflict (it wins over AlertmanagerUnreachable), and the operator does not delete it', async () => {
  emulator.setWebhook(DEMO.bot.token, 'https://hooks.example.com/telegram');
  const c = await interactive('buttons', 'UpdatesConflict');
  expect(c.status).toBe('False');
  expect(c.message).toMatch(/webhook is set.*deleteWebhook.*dedicated bot/);
  expect(emulator.requests.some((r) => r.method === 'deleteWebhook' || r.method === 'setWebhook')).toBe(false);
  expect(cond(await get('buttons'), 'Ready')?.status).toBe('True');
});
