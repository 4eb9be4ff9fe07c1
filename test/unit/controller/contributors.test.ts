// The channel reconciler as a composition of status contributors: they run in their listed order, each
// seeing what the ones before computed (verification's token and chat too), their parts are written in
// ONE status write, told "written" only after it, the soonest requeue wins, and a gone channel is
// forgotten by every contributor and every other holder of per-channel state.
import type { ChannelStatus, TelegramChannel } from '../../../src/api/types.js';
import type { ResolvedChannel } from '../../../src/credentials/resolver.js';
import { ChannelReconciler } from '../../../src/controller/channelReconciler.js';
import { withCondition, type StatusContext, type StatusContributor } from '../../../src/controller/statusContributor.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';

const resolved = { token: 't', chatId: '-1001' } as ResolvedChannel;

/** order: where the status writes are logged (pass the contributors' log to see them interleaved). */
function setup(contributors: StatusContributor[], order: string[] = []) {
  const ch: TelegramChannel = { metadata: { name: 'ops', namespace: 'ns', generation: 3 }, spec: {} };
  const forgotten: string[] = [];
  const r = new ChannelReconciler({
    channels: { getChannel: (_ns, name) => (name === 'ops' ? ch : undefined) },
    contributors,
    channelState: [{ forget: (key) => forgotten.push(`episodes ${key}`) }],
    writeStatus: async (c, patch) => {
      order.push(`write ${JSON.stringify(patch)}`);
      return { ...c, status: { ...(c.status ?? {}), ...(patch as ChannelStatus) } };
    },
    recordEvent: () => {},
    log: createLogger('silent'),
    metrics: createMetrics(),
    now: () => Date.UTC(2026, 0, 1),
  });
  return { r, ch, order, forgotten };
}

function contributor(
  name: string,
  order: string[],
  part: (ctx: StatusContext) => ChannelStatus,
  requeueAfterMs?: number,
): StatusContributor {
  return {
    name,
    contribute: (ctx) => {
      order.push(`${name} sees ${JSON.stringify(ctx.status.conditions?.map((c) => c.type) ?? [])} verified=${ctx.verified}`);
      return { status: part(ctx), requeueAfterMs, written: () => order.push(`${name} written`) };
    },
    forget: (key) => order.push(`${name} forgets ${key}`),
  };
}

test('contributors run in order on what the ones before computed; one write; written after it; the soonest requeue', async () => {
  const order: string[] = [];
  const first: StatusContributor = {
    name: 'verification',
    contribute: (ctx) => {
      order.push('verification');
      return {
        status: withCondition(ctx, 'Ready', { status: 'True', reason: 'Verified', message: 'ok' }),
        requeueAfterMs: 60_000,
        resolved,
        verified: true,
      };
    },
    forget: () => {},
  };
  const seen: (ResolvedChannel | undefined)[] = [];
  const second = contributor('interactive', order, (ctx) => {
    seen.push(ctx.resolved);
    return withCondition(ctx, 'Interactive', { status: 'True', reason: 'Verified', message: 'buttons work' });
  });
  const third = contributor('alertmanagerConfig', order, (ctx) => ctx.status, 20_000);
  const t = setup([first, second, third]);
  const result = await t.r.reconcile('ns/ops');

  expect(result).toEqual({ requeueAfterMs: 20_000 });
  expect(seen).toEqual([resolved]);
  expect(t.order.filter((l) => l.startsWith('write'))).toHaveLength(1);
  expect(order).toEqual([
    'verification',
    'interactive sees ["Ready"] verified=true',
    'alertmanagerConfig sees ["Ready","Interactive"] verified=true',
    'interactive written',
    'alertmanagerConfig written',
  ]);
  expect(t.ch.status?.conditions?.map((c) => [c.type, c.observedGeneration, c.lastTransitionTime])).toEqual([
    ['Ready', 3, '2026-01-01T00:00:00Z'],
    ['Interactive', 3, '2026-01-01T00:00:00Z'],
  ]);
});

test('order: each contributor after the one before; written callbacks only after the single status write', async () => {
  const order: string[] = [];
  const a = contributor('a', order, (ctx) => withCondition(ctx, 'A', { status: 'True', reason: 'Verified', message: '' }));
  const b = contributor('b', order, (ctx) => withCondition(ctx, 'B', { status: 'False', reason: 'BotKicked', message: '' }));
  await setup([a, b], order).r.reconcile('ns/ops');
  expect(order.map((l) => (l.startsWith('write') ? 'write' : l))).toEqual([
    'a sees [] verified=false',
    'b sees ["A"] verified=false',
    'write',
    'a written',
    'b written',
  ]);
});

test('a status write that fails tells no contributor its part was written', async () => {
  const order: string[] = [];
  const a = contributor('a', order, (ctx) => withCondition(ctx, 'A', { status: 'True', reason: 'Verified', message: '' }));
  const t = setup([a]);
  const failing = new ChannelReconciler({
    channels: { getChannel: () => t.ch },
    contributors: [a],
    channelState: [],
    writeStatus: () => Promise.reject(new Error('apiserver down')),
    recordEvent: () => {},
    log: createLogger('silent'),
    metrics: createMetrics(),
  });
  await expect(failing.reconcile('ns/ops')).rejects.toThrow('apiserver down');
  expect(order).toEqual(['a sees [] verified=false']);
});

test('a channel that is gone is forgotten by every contributor and every other per-channel state', async () => {
  const order: string[] = [];
  const t = setup([contributor('a', order, (ctx) => ctx.status), contributor('b', order, (ctx) => ctx.status)]);
  expect(await t.r.reconcile('ns/gone')).toEqual({});
  expect(order).toEqual(['a forgets ns/gone', 'b forgets ns/gone']);
  expect(t.forgotten).toEqual(['episodes ns/gone']);
  expect(t.order).toEqual([]);
});
