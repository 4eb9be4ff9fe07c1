// What a team that may create TelegramChannels can make the operator do with its own rights, on the
// real API server with the built operator, the Telegram emulator, a real Alertmanager and a small HTTP
// server standing in for an attacker's collector:
//   - a channel names a database password Secret as silence.authorizationSecretRef and the collector
//     as silence.url: the collector never receives the password (and, for a botRef channel, nothing
//     at all) until the Secret's owner labels it or the platform allows the host;
//   - a botRef channel's silences carry its namespace, and a press on another namespace's alerts is refused;
//   - a ClusterTelegramBot's allowedChats keeps its channels out of other chats.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { channelHelpers, cond } from '../harness/channels.js';
import { kubectl } from '../harness/crds.js';
import { startTeamAndPlatform } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { listenOnLoopback } from '../harness/recordingServer.js';
import { BOTS, createClusterBot } from '../harness/resources.js';

const suffix = randomBytes(3).toString('hex');
const PASSWORD = `Db-Passw0rd-${suffix}-do-not-leak`;
const WEBHOOK_TOKEN = 'am-webhook-token-0123456789';
const OPS = DEMO.chats.ops;

/** An HTTP server that records every request and answers like an Alertmanager's status endpoint. */
interface Collector {
  url: string;
  host: string;
  requests: { path: string; authorization?: string }[];
  server: http.Server;
}

async function collector(): Promise<Collector> {
  const requests: Collector['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ cluster: { status: 'ready' }, versionInfo: { version: 'collector' } }));
  });
  return { ...(await listenOnLoopback(server)), requests, server };
}

let ns: string;
let platform: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let am: AlertmanagerProcess;
let ownCollector: Collector;
let botCollector: Collector;
const botNames: string[] = [];
const { custom, channel, get, readyReason } = channelHelpers(() => ns);

async function createBot(name: string, spec: Record<string, unknown>): Promise<string> {
  const full = `${name}-${suffix}`;
  botNames.push(full);
  await createClusterBot(custom, full, spec);
  return full;
}

async function patchBot(name: string, spec: Record<string, unknown>): Promise<void> {
  await custom.patchClusterCustomObject(
    { ...BOTS, name, body: { spec } },
    (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'),
  );
}

/** The channel's Interactive condition, once the current generation carries one. */
const interactive = (name: string, reason?: string) =>
  eventually(
    async () => {
      const c = cond(await get(name), 'Interactive');
      return c && (reason === undefined || c.reason === reason) ? c : undefined;
    },
    40_000,
    `${name} Interactive ${reason ?? '(any)'}`,
  );

const botSpec = (extra: Record<string, unknown> = {}) => ({
  tokenSecretRef: { name: 'telegram-bot', namespace: platform },
  allowedNamespaces: { names: [ns] },
  ...extra,
});

beforeAll(async () => {
  let env: Record<string, string>;
  ({ ns, platform, emulator, env } = await startTeamAndPlatform('tenant', {
    'am-webhook': { token: WEBHOOK_TOKEN },
    // Not a token for Alertmanager at all: a database password the team's channel names.
    db: { password: PASSWORD },
  }));
  ownCollector = await collector();
  botCollector = await collector();
  am = await startAlertmanager('route: {receiver: none}\nreceivers: [{name: none}]\n');
  operator = await startOperator(env);
});

afterAll(async () => {
  for (const name of botNames) await custom.deleteClusterCustomObject({ ...BOTS, name }).catch(() => undefined);
  await operator?.stop();
  await am?.stop();
  await emulator?.stop();
  ownCollector?.server.close();
  botCollector?.server.close();
});

describe('silence credentials go only where they are allowed to', () => {
  const stolen = (c: Collector) => c.requests.filter((r) => r.authorization?.includes(PASSWORD));

  /**
   * Creates a channel sending with `sender` (its own token or a bot) whose Silence button would call
   * `collector` with the database password; checks the collector was never called and resolves with
   * the channel's Interactive condition, the refusal.
   */
  async function refusedSilenceChannel(name: string, sender: Record<string, unknown>, collector: Collector) {
    await channel(name, {
      ...sender,
      chatId: String(OPS),
      alertmanager: {
        tokenSecretRef: { name: 'am-webhook' },
        silence: { url: collector.url, authorizationSecretRef: { name: 'db', key: 'password' } },
      },
    });
    const refused = await interactive(name);
    expect(collector.requests).toEqual([]);
    return refused;
  }

  test('a channel with its own token: the password is not read for sending until its Secret opts in', async () => {
    const refused = await refusedSilenceChannel('own-token', { tokenSecretRef: { name: 'bot' } }, ownCollector);
    expect(refused).toMatchObject({ status: 'False', reason: 'CredentialsNotAllowed' });
    expect(refused.message).toContain(`Secret ${ns}/db`);
    expect(refused.message).toContain('telegram.notify.dev/silence-credentials=true');
    expect(cond(await get('own-token'), 'Ready')?.status).toBe('True'); // alerts still go out

    // The Secret's owner opts in: the label is seen through the Secret watch, and the bearer goes out.
    kubectl(['label', 'secret', '-n', ns, 'db', 'telegram.notify.dev/silence-credentials=true']);
    await interactive('own-token', 'Verified');
    expect(stolen(ownCollector).length).toBeGreaterThan(0);
    expect(ownCollector.requests.every((r) => r.authorization === `Bearer ${PASSWORD}`)).toBe(true);
    expect(operator.output()).not.toContain(PASSWORD);
  });

  test('a botRef channel: no request at all to a host its bot and the operator do not list, even with an opted-in Secret', async () => {
    const bot = await createBot('creds', botSpec());
    const refused = await refusedSilenceChannel('shared-bot', { botRef: { name: bot } }, botCollector);
    expect(refused).toMatchObject({ status: 'False', reason: 'URLNotAllowed' });
    expect(refused.message).toContain(`ClusterTelegramBot "${bot}" (spec.silence.urlHosts: none)`);
    expect(refused.message).toContain(botCollector.host);

    // The platform team allows the host on the bot: its channels' credentials go there.
    await patchBot(bot, { silence: { urlHosts: [botCollector.host] } });
    await interactive('shared-bot', 'Verified');
    expect(stolen(botCollector).length).toBeGreaterThan(0);
    expect(operator.output()).not.toContain(PASSWORD);
  });
});

describe('a botRef channel silences its own namespace only', () => {
  let messageCount = 0;

  /** Posts a firing notification with these common labels and returns the new message's id. */
  async function notify(channelName: string, groupKey: string, commonLabels: Record<string, string>): Promise<number> {
    const payload = { ...alertmanagerPayload([{ name: commonLabels.alertname!, labels: commonLabels }], { groupKey }), commonLabels };
    const r = await fetch(`${operator.url}/webhooks/alertmanager/${ns}/${channelName}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify(payload),
    });
    expect(r.status).toBe(200);
    const m = await eventually(
      async () => {
        const all = emulator.messagesTo(OPS).filter((x) => x.text.includes(commonLabels.alertname!) && x.replyMarkup);
        return all.length > 0 ? all.at(-1) : undefined;
      },
      20_000,
      `a message with buttons for ${commonLabels.alertname}`,
    );
    messageCount++;
    return m.messageId;
  }

  async function pressSilence(messageId: number): Promise<string> {
    const rec = emulator.pressButton(DEMO.bot.token, { chatId: OPS, messageId, userId: DEMO.users.olga, button: '🔕 Silence 1h' });
    const answered = await eventually(async () => emulator.callbackQueries.find((q) => q.id === rec.id && q.answer), 20_000, 'answer');
    return answered.answer!.text ?? '';
  }

  const silences = async () =>
    (await (await fetch(`${am.url}/api/v2/silences`)).json()) as {
      matchers: { name: string; value: string }[];
      status: { state: string };
    }[];

  test('the silence carries namespace="<channel namespace>"; alerts labelled with another namespace are refused', async () => {
    const amHost = new URL(am.url).host;
    const bot = await createBot('scoped', botSpec({ silence: { urlHosts: [amHost] } }));
    await channel('scoped', {
      botRef: { name: bot },
      chatId: String(OPS),
      alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence: { url: am.url, durations: ['1h'] } },
    });
    await readyReason('scoped', 'Verified', 30_000);
    await interactive('scoped', 'Verified');

    const own = await notify('scoped', 'g-own', { alertname: `OwnDiskFull${suffix}`, severity: 'page' });
    expect(await pressSilence(own)).toMatch(/^Silenced for 1h/);
    const created = await eventually(async () => ((await silences()).length === 1 ? await silences() : undefined), 10_000, 'one silence');
    expect(created[0]!.matchers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'namespace', value: ns }),
        expect.objectContaining({ name: 'alertname', value: `OwnDiskFull${suffix}` }),
      ]),
    );

    const foreign = await notify('scoped', 'g-foreign', { alertname: `TheirDiskFull${suffix}`, namespace: 'payments' });
    expect(await pressSilence(foreign)).toMatch(/its own namespace's alerts only\. Nothing was silenced\.$/);
    expect(await silences()).toHaveLength(1);
    expect(messageCount).toBe(2);
  });
});

test('allowedChats: a botRef channel with a chat its bot does not list is not Ready, and the chat is never called', async () => {
  // A second ClusterTelegramBot on the same token Secret: one per trust boundary.
  const bot = await createBot('chats', botSpec({ allowedChats: [String(OPS)] }));
  await channel('listed-chat', { botRef: { name: bot }, chatId: String(OPS) });
  await channel('other-chat', { botRef: { name: bot }, chatId: String(DEMO.chats.group) });
  await readyReason('listed-chat', 'Verified', 30_000);
  const refused = await readyReason('other-chat', 'ChatNotAllowed', 30_000);
  expect(cond(refused, 'Ready')).toEqual(
    expect.objectContaining({
      status: 'False',
      message: `chat ${DEMO.chats.group} is not in the spec.allowedChats of ClusterTelegramBot "${bot}": use a chat it lists, or ask the platform team to add this one`,
    }),
  );
  expect(cond(refused, 'ChatReachable')).toEqual(expect.objectContaining({ status: 'False', reason: 'ChatNotAllowed' }));
  expect(cond(refused, 'Stalled')?.status).toBe('True');
  expect(emulator.requests.filter((r) => String(r.params.chat_id) === String(DEMO.chats.group))).toEqual([]);
});

test('the CRD refuses a chat that is not a chat id and a host entry with a scheme, path or capitals, naming the rule', async () => {
  const refusal = async (spec: Record<string, unknown>) => {
    try {
      await createBot(`bad-${randomBytes(2).toString('hex')}`, botSpec(spec));
    } catch (e) {
      return String((e as { body?: unknown }).body ?? e);
    }
    return 'accepted';
  };
  expect(await refusal({ allowedChats: ['general'] })).toContain('allowedChats entries must be chat ids such as -1001234567890');
  // Unlike a channel's chatId, entries are strings only (a per-entry rule on an int-or-string list costs
  // more than the API server allows): an unquoted id is refused at apply time, naming the field.
  expect(await refusal({ allowedChats: [-1001234567890] })).toMatch(/spec\.allowedChats\[0\] in body must be of type string/);
  for (const host of ['http://am:9093', 'am:9093/api', 'AM:9093']) {
    expect(await refusal({ silence: { urlHosts: [host] } })).toContain('urlHosts entries are host[:port] in lowercase');
  }
  expect(await refusal({ silence: { scope: 'Everything' } })).toContain('spec.silence.scope: Unsupported value');
  expect(await refusal({ silence: { urlHosts: ['*.monitoring.svc:9093', '[fd00::1]:9093'], scope: 'Unrestricted' } })).toBe('accepted');
});
