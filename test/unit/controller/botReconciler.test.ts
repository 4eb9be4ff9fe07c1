// BotReconciler: one ClusterTelegramBot's status from its Secret and one getMe per verification cycle,
// with fakes for the caches, the Secret and the verifier, and a fake clock.
import type { ClusterTelegramBot, TelegramChannel } from '../../../src/api/types.js';
import { BOT_VERIFY_INTERVAL_MS, BotReconciler } from '../../../src/controller/botReconciler.js';
import type { SecretValue } from '../../../src/credentials/secrets.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { botKey } from '../../../src/runtime/keys.js';

const TOKEN = '123456789:AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const OK = { token: { status: 'True', reason: 'Verified', message: 'bot @ops_bot (id 1)' }, bot: { id: 1, username: 'ops_bot' } } as const;

function setup(opts: { secret?: SecretValue; check?: () => Promise<unknown> } = {}) {
  let now = 1_000_000;
  const bot: ClusterTelegramBot = {
    metadata: { name: 'ops', generation: 1 },
    spec: {
      tokenSecretRef: { name: 'tg', namespace: 'telegram-system' },
      allowedNamespaces: { names: ['a'], selector: { matchLabels: { t: 'y' } } },
    },
  };
  const channel = (namespace: string, name: string, botName = 'ops'): TelegramChannel => ({
    metadata: { namespace, name },
    spec: { botRef: { name: botName }, chatId: '-100123' },
  });
  const channels = [channel('a', 'one'), channel('b', 'two'), channel('c', 'three'), channel('a', 'invalid')];
  (channels[3]!.spec as Record<string, unknown>).tokenSecretRef = { name: 'x' }; // both refs: not counted
  const labels: Record<string, Record<string, string>> = { b: { t: 'y' }, c: { t: 'n' } };
  let secret: SecretValue = opts.secret ?? { ok: true, value: TOKEN };
  const verifyCalls: string[] = [];
  let check = opts.check ?? (async () => OK);
  const writes: Record<string, unknown>[] = [];
  const r = new BotReconciler({
    cache: { getBot: (n) => (n === 'ops' ? bot : undefined), channelsOfBot: () => channels, namespaceLabels: (ns) => labels[ns] ?? {} },
    secrets: { read: async () => secret },
    verifier: {
      verifyToken: async (token) => {
        verifyCalls.push(token);
        return (await check()) as never;
      },
    },
    writeStatus: async (b, patch) => {
      writes.push(patch);
      // What the API server stores from a merge patch (null removes a field), and the watch brings back.
      const merged: Record<string, unknown> = { ...b.status, ...(JSON.parse(JSON.stringify(patch)) as object) };
      b.status = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null));
      return b;
    },
    log: createLogger('silent'),
    metrics: createMetrics(),
    now: () => now,
  });
  return {
    r,
    bot,
    writes,
    verifyCalls,
    tick: (ms: number) => (now += ms),
    setSecret: (s: SecretValue) => (secret = s),
    setCheck: (c: () => Promise<unknown>) => (check = c),
    ready: () => bot.status?.conditions?.find((c) => c.type === 'Ready'),
    cond: (type: string) => bot.status?.conditions?.find((c) => c.type === type),
  };
}

test('verified once: Ready and TokenValid True, the bot, and only allowed channels with a valid spec counted', async () => {
  const t = setup();
  const res = await t.r.reconcile(botKey('ops'));
  expect(t.verifyCalls).toEqual([TOKEN]);
  expect(t.bot.status).toEqual(
    expect.objectContaining({
      observedGeneration: 1,
      bot: { id: 1, username: 'ops_bot' },
      channels: 2,
      lastVerifiedTime: expect.any(String),
    }),
  );
  expect(t.ready()).toEqual(expect.objectContaining({ status: 'True', reason: 'Verified', observedGeneration: 1 }));
  expect(t.cond('TokenValid')).toEqual(expect.objectContaining({ status: 'True', reason: 'Verified' }));
  expect(t.cond('Stalled')).toBeUndefined();
  expect(t.cond('Reconciling')).toBeUndefined();
  expect(res.requeueAfterMs).toBe(BOT_VERIFY_INTERVAL_MS);
});

test('no getMe again within the cycle, however often it is woken; then one when the cycle is due', async () => {
  const t = setup();
  await t.r.reconcile(botKey('ops'));
  for (let i = 0; i < 50; i++) await t.r.reconcile(botKey('ops')); // 50 channels appearing, say
  expect(t.verifyCalls).toHaveLength(1);
  expect(t.writes).toHaveLength(1); // and nothing changed, so nothing written
  t.tick(BOT_VERIFY_INTERVAL_MS);
  await t.r.reconcile(botKey('ops'));
  expect(t.verifyCalls).toHaveLength(2);
});

test('a rotated token is verified at once', async () => {
  const t = setup();
  await t.r.reconcile(botKey('ops'));
  t.setSecret({ ok: true, value: '987654321:BBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' });
  await t.r.reconcile(botKey('ops'));
  expect(t.verifyCalls).toHaveLength(2);
});

test('a missing Secret: Ready False SecretNotFound, Stalled, no getMe, no bot', async () => {
  const t = setup({ secret: { ok: false, reason: 'SecretNotFound', message: 'Secret telegram-system/tg not found' } });
  await t.r.reconcile(botKey('ops'));
  expect(t.verifyCalls).toEqual([]);
  expect(t.ready()).toEqual(expect.objectContaining({ status: 'False', reason: 'SecretNotFound' }));
  expect(t.cond('Stalled')).toEqual(expect.objectContaining({ status: 'True', reason: 'SecretNotFound' }));
  expect(t.bot.status?.bot).toBeUndefined();
});

test('a value that is not a token: InvalidTokenFormat, and the value is not echoed', async () => {
  const t = setup({ secret: { ok: true, value: 'hunter2-not-a-token' } });
  await t.r.reconcile(botKey('ops'));
  expect(t.ready()).toEqual(expect.objectContaining({ status: 'False', reason: 'InvalidTokenFormat' }));
  expect(JSON.stringify(t.bot.status)).not.toContain('hunter2');
  expect(t.verifyCalls).toEqual([]);
});

test('Telegram unavailable: Ready Unknown, Reconciling, retried with backoff; revoked: False and the identity dropped', async () => {
  const down = { token: { status: 'Unknown', reason: 'TelegramUnavailable', message: 'getMe: timeout' } };
  const t = setup({ check: async () => down });
  expect((await t.r.reconcile(botKey('ops'))).requeueAfterMs).toBe(2_000);
  expect(t.ready()).toEqual(expect.objectContaining({ status: 'Unknown', reason: 'TelegramUnavailable' }));
  expect(t.cond('Reconciling')).toEqual(expect.objectContaining({ status: 'True', reason: 'TelegramUnavailable' }));
  t.tick(2_000);
  expect((await t.r.reconcile(botKey('ops'))).requeueAfterMs).toBe(4_000);

  t.setCheck(async () => OK);
  t.tick(4_000);
  await t.r.reconcile(botKey('ops'));
  expect(t.ready()?.status).toBe('True');
  t.setCheck(async () => ({ token: { status: 'False', reason: 'Unauthorized', message: 'getMe: 401' } }));
  t.tick(BOT_VERIFY_INTERVAL_MS);
  await t.r.reconcile(botKey('ops'));
  expect(t.ready()).toEqual(expect.objectContaining({ status: 'False', reason: 'Unauthorized' }));
  expect(t.cond('Stalled')?.status).toBe('True');
  expect(t.cond('Reconciling')).toBeUndefined();
  expect(t.bot.status?.bot).toBeUndefined();
});

test('an invalid spec (stored before the CRD said otherwise): InvalidSpec, nothing read or verified', async () => {
  const t = setup();
  t.bot.spec = { tokenSecretRef: { name: 'tg' } };
  await t.r.reconcile(botKey('ops'));
  expect(t.ready()).toEqual(expect.objectContaining({ status: 'False', reason: 'InvalidSpec' }));
  expect(t.ready()?.message).toContain('spec.tokenSecretRef.namespace');
  expect(t.bot.status?.channels).toBe(0);
  expect(t.verifyCalls).toEqual([]);
});

test('a deleted bot is forgotten, nothing written', async () => {
  const t = setup();
  expect(await t.r.reconcile(botKey('gone'))).toEqual({});
  expect(t.writes).toEqual([]);
});
