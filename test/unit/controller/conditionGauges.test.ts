// The per-object condition gauges as Prometheus scrapes them: one series per channel or bot condition that
// is not True (healthy objects cost nothing), reasons only from the contract (anything else, a token-shaped
// string included, becomes "Other"), and a recovered or deleted object's series gone at the next update.
import type { ClusterTelegramBot, Condition, TelegramChannel } from '../../../src/api/types.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { NOT_RECONCILED, OTHER_REASON, updateConditionGauges } from '../../../src/controller/conditionGauges.js';

const cond = (type: string, status: Condition['status'], reason: string): Condition => ({
  type,
  status,
  reason,
  message: '',
  observedGeneration: 1,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});
const channel = (namespace: string, name: string, conditions?: Condition[]): TelegramChannel => ({
  apiVersion: 'telegram.notify.dev/v1alpha1',
  kind: 'TelegramChannel',
  metadata: { namespace, name },
  spec: {},
  status: conditions ? { conditions } : undefined,
});
const bot = (name: string, conditions?: Condition[]): ClusterTelegramBot => ({ metadata: { name }, spec: {}, status: { conditions } });

/** A channel condition's exposition line, as Prometheus scrapes it. */
const channelLine = (namespace: string, name: string, type: string, status: string, reason: string) =>
  `telegram_operator_channel_condition{channel_namespace="${namespace}",channel="${name}",type="${type}",status="${status}",reason="${reason}"} 1`;
/** A bot condition's exposition line. */
const botLine = (name: string, type: string, status: string, reason: string) =>
  `telegram_operator_cluster_bot_condition{bot="${name}",type="${type}",status="${status}",reason="${reason}"} 1`;

/** The exposition lines of one metric, without HELP/TYPE, sorted. */
async function series(metrics: ReturnType<typeof createMetrics>, name: string): Promise<string[]> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .sort();
}

/** The channel and the bot condition series, as one value to compare. */
async function bothSeries(metrics: ReturnType<typeof createMetrics>): Promise<{ channels: string[]; bots: string[] }> {
  return {
    channels: await series(metrics, 'telegram_operator_channel_condition'),
    bots: await series(metrics, 'telegram_operator_cluster_bot_condition'),
  };
}

describe('condition gauges', () => {
  it("export the Ready, Interactive and AlertmanagerConfigured conditions that are not True, and a bot's Ready", async () => {
    const metrics = createMetrics();
    updateConditionGauges(
      metrics,
      [
        channel('team-a', 'alerts', [
          cond('Ready', 'False', 'ChatNotFound'),
          cond('TokenValid', 'True', 'Verified'),
          cond('Interactive', 'False', 'UpdatesConflict'),
          cond('AlertmanagerConfigured', 'True', 'Applied'),
        ]),
        channel('team-b', 'ok', [cond('Ready', 'True', 'Verified'), cond('Interactive', 'True', 'Verified')]),
        channel('team-b', 'waiting', [cond('Ready', 'Unknown', 'TelegramUnavailable')]),
      ],
      [bot('shared', [cond('Ready', 'False', 'Unauthorized')]), bot('fine', [cond('Ready', 'True', 'Verified')])],
    );
    expect(await bothSeries(metrics)).toEqual({
      channels: [
        channelLine('team-a', 'alerts', 'Interactive', 'False', 'UpdatesConflict'),
        channelLine('team-a', 'alerts', 'Ready', 'False', 'ChatNotFound'),
        channelLine('team-b', 'waiting', 'Ready', 'Unknown', 'TelegramUnavailable'),
      ],
      bots: [botLine('shared', 'Ready', 'False', 'Unauthorized')],
    });
  });

  it('TemplateValid and RoutesValid that are not True are exported with their reasons', async () => {
    const metrics = createMetrics();
    updateConditionGauges(
      metrics,
      [
        channel('team-a', 'styled', [
          cond('Ready', 'True', 'Verified'),
          cond('TemplateValid', 'False', 'TemplateInvalid'),
          cond('RoutesValid', 'False', 'TopicsNotManageable'),
        ]),
        channel('team-b', 'fine', [cond('Ready', 'True', 'Verified'), cond('TemplateValid', 'True', 'Verified')]),
      ],
      [],
    );
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([
      channelLine('team-a', 'styled', 'RoutesValid', 'False', 'TopicsNotManageable'),
      channelLine('team-a', 'styled', 'TemplateValid', 'False', 'TemplateInvalid'),
    ]);
  });

  it('a channel or bot without a Ready condition yet is Ready Unknown, reason NotReconciled', async () => {
    const metrics = createMetrics();
    updateConditionGauges(metrics, [channel('ns', 'new')], [bot('fresh')]);
    expect(await bothSeries(metrics)).toEqual({
      channels: [channelLine('ns', 'new', 'Ready', 'Unknown', NOT_RECONCILED)],
      bots: [botLine('fresh', 'Ready', 'Unknown', NOT_RECONCILED)],
    });
  });

  it('a reason the contract does not know never becomes a label value (a token-shaped one included)', async () => {
    const metrics = createMetrics();
    const token = '123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0';
    updateConditionGauges(
      metrics,
      [channel('ns', 'edited', [cond('Ready', 'False', token)])],
      [bot('b', [cond('Ready', 'Unknown', 'x'.repeat(300))])],
    );
    const text = await metrics.registry.metrics();
    expect(text).not.toContain(token);
    expect(text).not.toContain('x'.repeat(300));
    expect(await bothSeries(metrics)).toEqual({
      channels: [channelLine('ns', 'edited', 'Ready', 'False', OTHER_REASON)],
      bots: [botLine('b', 'Ready', 'Unknown', OTHER_REASON)],
    });
  });

  it("a deleted channel's, a recovered channel's and a changed reason's old series are gone after the next update", async () => {
    const metrics = createMetrics();
    const before = [
      channel('ns', 'gone', [cond('Ready', 'False', 'ChatNotFound')]),
      channel('ns', 'recovers', [cond('Ready', 'False', 'BotNotMember')]),
      channel('ns', 'kept', [cond('Ready', 'Unknown', 'TelegramUnavailable')]),
    ];
    updateConditionGauges(metrics, before, []);
    expect(await series(metrics, 'telegram_operator_channel_condition')).toHaveLength(3);
    const after = [
      channel('ns', 'recovers', [cond('Ready', 'True', 'Verified')]),
      channel('ns', 'kept', [cond('Ready', 'False', 'BotKicked')]),
    ];
    updateConditionGauges(metrics, after, []);
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([
      channelLine('ns', 'kept', 'Ready', 'False', 'BotKicked'),
    ]);
  });

  it('10,000 healthy channels export no series', async () => {
    const metrics = createMetrics();
    const healthy = Array.from({ length: 10_000 }, (_, i) => channel(`team-${i % 50}`, `ch-${i}`, [cond('Ready', 'True', 'Verified')]));
    updateConditionGauges(metrics, healthy, []);
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([]);
  });
});
