// The reconciler's schedule, with an injected clock and a scripted verifier (pure logic; the
// Kubernetes side is exercised for real in test/integration): when it verifies again, and what
// it asks the queue for.
import { ChannelReconciler } from '../../../src/controller/channelReconciler.js';
import { Verification } from '../../../src/controller/verification.js';
import { wordsStatus } from '../../../src/controller/wordsStatus.js';
import { ChannelResolver } from '../../../src/credentials/resolver.js';
import { SecretUnavailable } from '../../../src/credentials/secrets.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createLogger } from '../../../src/observability/log.js';
import type { Verifier, VerifyResult } from '../../../src/telegram/verifier.js';
import { BOT_TOKEN as TOKEN, VERIFIED as ok } from '../../harness/verified.js';
import type { ClusterTelegramBot, TelegramChannel } from '../../../src/api/types.js';

const kicked: VerifyResult = { ...ok, chat: { status: 'False', reason: 'BotKicked', message: 'kicked' } };
const down: VerifyResult = { ...ok, chat: { status: 'Unknown', reason: 'RateLimited', message: 'retry after 7s' }, retryAfterMs: 7_000 };

function setup(results: VerifyResult[]) {
  let now = 1_000_000_000;
  const calls: number[] = [];
  const ch: TelegramChannel = {
    metadata: { name: 'ops', namespace: 'ns', generation: 1 },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001', verifyInterval: '1h' },
  };
  const verifier = {
    verify: async () => (calls.push(now), results[Math.min(calls.length - 1, results.length - 1)]!),
  } as unknown as Verifier;
  const resolver = new ChannelResolver({ read: async () => ({ ok: true, value: TOKEN }) });
  const metrics = createMetrics();
  const verification = new Verification({ resolver, verifier, now: () => now });
  const r = new ChannelReconciler({
    channels: { getChannel: () => ch },
    contributors: [verification],
    channelState: [],
    writeStatus: async (c, patch) => ({ ...c, status: { ...(c.status ?? {}), ...(patch as object) } }),
    recordEvent: () => {},
    log: createLogger('silent'),
    metrics,
    now: () => now,
  });
  return { r, calls, advance: (ms: number) => (now += ms), ch, metrics, verification };
}

// Each: what Telegram answers, the wait the first reconcile asks for, and a wake-up `early` ms later
// that asks only for the rest of that wait and costs no Telegram call; the next call comes once it is over.
test.each([
  ['Verified: the next check is the interval away, and wake-ups before then cost no Telegram call', [ok], 3_600_000, 60_000],
  ['a failure fixed in Telegram (bot kicked) is looked at again within 5 minutes, not the 1 h interval', [kicked, ok], 300_000, 299_000],
  ['rate limited: no new attempt before retry_after, even when something else wakes the channel', [down, ok], 7_000, 3_000],
])('%s', async (_name, answers, wait, early) => {
  const { r, calls, advance } = setup(answers);
  expect((await r.reconcile('ns/ops')).requeueAfterMs).toBe(wait);
  advance(early);
  expect((await r.reconcile('ns/ops')).requeueAfterMs).toBe(wait - early);
  expect(calls).toHaveLength(1);
  advance(wait - early);
  await r.reconcile('ns/ops');
  expect(calls).toHaveLength(2);
});

test('a send refused for a reason about the chat makes the next reconcile verify at once, once', async () => {
  const { r, calls, verification } = setup([ok]);
  await r.reconcile('ns/ops');
  verification.chatFailed('ns/ops'); // what the ledger reports
  await r.reconcile('ns/ops');
  expect(calls).toHaveLength(2);
  await r.reconcile('ns/ops');
  expect(calls).toHaveLength(2);
});

test('a spec change verifies at once', async () => {
  const { r, calls, ch } = setup([ok]);
  await r.reconcile('ns/ops');
  ch.metadata.generation = 2;
  await r.reconcile('ns/ops');
  expect(calls).toHaveLength(2);
});

test('a Secret that cannot be read now fails the reconcile (the queue retries it) and writes no status', async () => {
  const { ch } = setup([ok]);
  const writes: unknown[] = [];
  const busy = new ChannelReconciler({
    channels: { getChannel: () => ch },
    contributors: [
      new Verification({
        resolver: new ChannelResolver({
          read: async () => {
            throw new SecretUnavailable('reading Secret ns/bot: 500 etcdserver: request timed out');
          },
        }),
        verifier: { verify: async () => ok } as unknown as Verifier,
      }),
    ],
    channelState: [],
    writeStatus: async (c, patch) => (writes.push(patch), c),
    recordEvent: () => {},
    log: createLogger('silent'),
    metrics: createMetrics(),
  });
  await expect(busy.reconcile('ns/ops')).rejects.toThrow('reading Secret ns/bot: 500 etcdserver: request timed out');
  expect(writes).toEqual([]);
  expect(ch.status).toBeUndefined();
});

test('every reconcile is timed in telegram_operator_reconcile_duration_seconds', async () => {
  const { r, metrics } = setup([ok]);
  await r.reconcile('ns/ops');
  await r.reconcile('ns/ops');
  const count = (await metrics.reconcileDuration.get()).values.find((v) => v.metricName?.endsWith('_count'));
  expect(count?.value).toBe(2);
});

test('a botRef channel verifies its chat with the identity its ClusterTelegramBot verified (no getMe of its own)', async () => {
  const ch: TelegramChannel = {
    metadata: { namespace: 'team', name: 'ops', generation: 1 },
    spec: { botRef: { name: 'ops-bot' }, chatId: '-1001' },
  };
  const bot: ClusterTelegramBot = {
    metadata: { name: 'ops-bot', generation: 1 },
    spec: { tokenSecretRef: { name: 'tg', namespace: 'platform' }, allowedNamespaces: { names: ['team'] } },
    status: {
      bot: { id: 7, username: 'ops_bot' },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Verified', message: 'bot @ops_bot', observedGeneration: 1, lastTransitionTime: '' },
      ],
    },
  };
  const knownBots: unknown[] = [];
  const r = new ChannelReconciler({
    channels: { getChannel: () => ch },
    contributors: [
      new Verification({
        resolver: new ChannelResolver(
          { read: async () => ({ ok: true, value: TOKEN }) },
          { getBot: () => bot, namespaceLabels: () => ({}) },
        ),
        verifier: {
          verify: async (_t: string, _c: string, _th?: number, known?: unknown) => (knownBots.push(known), ok),
        } as unknown as Verifier,
      }),
    ],
    channelState: [],
    writeStatus: async (c, patch) => ((c.status = { ...c.status, ...(patch as object) }), c),
    recordEvent: () => {},
    log: createLogger('silent'),
    metrics: createMetrics(),
  });
  await r.reconcile('team/ops');
  expect(knownBots).toEqual([{ id: 7, username: 'ops_bot' }]);
  expect(ch.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

  // The bot's token stops working: the channel says so with the bot's reason, and verifies nothing.
  bot.status!.conditions = [
    { type: 'Ready', status: 'False', reason: 'Unauthorized', message: 'getMe: 401', observedGeneration: 1, lastTransitionTime: '' },
  ];
  await r.reconcile('team/ops');
  expect(knownBots).toHaveLength(1);
  const ready = ch.status?.conditions?.find((c) => c.type === 'Ready');
  expect(ready).toEqual(
    expect.objectContaining({
      status: 'False',
      reason: 'BotNotReady',
      message: 'ClusterTelegramBot "ops-bot" is not ready (Unauthorized): getMe: 401',
    }),
  );
  expect(ch.status?.conditions?.find((c) => c.type === 'TokenValid')?.reason).toBe('BotNotReady');
  expect(ch.status?.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('True');
});

test('TemplateValid and RoutesValid: the words verdicts are written with the last verification, Ready untouched', async () => {
  const seen: (VerifyResult | undefined)[] = [];
  const ch: TelegramChannel = {
    metadata: { name: 'ops', namespace: 'ns', generation: 3 },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001' },
  };
  const verification = new Verification({
    resolver: new ChannelResolver({ read: async () => ({ ok: true, value: TOKEN }) }),
    verifier: { verify: async () => ok } as unknown as Verifier,
    now: () => 1_000_000_000,
  });
  const words = {
    verdicts: async (_ch: TelegramChannel, verified: VerifyResult | undefined) => {
      seen.push(verified);
      return {
        TemplateValid: {
          status: 'False' as const,
          reason: 'TemplateInvalid' as const,
          message: 'firing template, line 2, column 3: syntax error',
        },
        RoutesValid: undefined,
      };
    },
  };
  const r = new ChannelReconciler({
    channels: { getChannel: () => ch },
    contributors: [verification, wordsStatus(words, verification)],
    channelState: [],
    writeStatus: async (c, patch) => ({ ...c, status: { ...(c.status ?? {}), ...(patch as object) } }),
    recordEvent: () => {},
    log: createLogger('silent'),
    metrics: createMetrics(),
    now: () => 1_000_000_000,
  });
  await r.reconcile('ns/ops');
  expect(seen).toEqual([ok]);
  const conditions = ch.status?.conditions ?? [];
  expect(conditions.find((c) => c.type === 'TemplateValid')).toMatchObject({
    status: 'False',
    reason: 'TemplateInvalid',
    message: 'firing template, line 2, column 3: syntax error',
    observedGeneration: 3,
  });
  expect(conditions.find((c) => c.type === 'RoutesValid')).toBeUndefined();
  expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
});
