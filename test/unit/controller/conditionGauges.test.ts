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
        'telegram_operator_channel_condition{channel_namespace="team-a",channel="alerts",type="Interactive",status="False",reason="UpdatesConflict"} 1',
        'telegram_operator_channel_condition{channel_namespace="team-a",channel="alerts",type="Ready",status="False",reason="ChatNotFound"} 1',
        'telegram_operator_channel_condition{channel_namespace="team-b",channel="waiting",type="Ready",status="Unknown",reason="TelegramUnavailable"} 1',
      ],
      bots: ['telegram_operator_cluster_bot_condition{bot="shared",type="Ready",status="False",reason="Unauthorized"} 1'],
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
      'telegram_operator_channel_condition{channel_namespace="team-a",channel="styled",type="RoutesValid",status="False",reason="TopicsNotManageable"} 1',
      'telegram_operator_channel_condition{channel_namespace="team-a",channel="styled",type="TemplateValid",status="False",reason="TemplateInvalid"} 1',
    ]);
  });

  it('a channel or bot without a Ready condition yet is Ready Unknown, reason NotReconciled', async () => {
    const metrics = createMetrics();
    updateConditionGauges(metrics, [channel('ns', 'new')], [bot('fresh')]);
    expect(await bothSeries(metrics)).toEqual({
      channels: [
        `telegram_operator_channel_condition{channel_namespace="ns",channel="new",type="Ready",status="Unknown",reason="${NOT_RECONCILED}"} 1`,
      ],
      bots: [`telegram_operator_cluster_bot_condition{bot="fresh",type="Ready",status="Unknown",reason="${NOT_RECONCILED}"} 1`],
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
      channels: [
        `telegram_operator_channel_condition{channel_namespace="ns",channel="edited",type="Ready",status="False",reason="${OTHER_REASON}"} 1`,
      ],
      bots: [`telegram_operator_cluster_bot_condition{bot="b",type="Ready",status="Unknown",reason="${OTHER_REASON}"} 1`],
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
      'telegram_operator_channel_condition{channel_namespace="ns",channel="kept",type="Ready",status="False",reason="BotKicked"} 1',
    ]);
  });

  it('10,000 healthy channels export no series', async () => {
    const metrics = createMetrics();
    const healthy = Array.from({ length: 10_000 }, (_, i) => channel(`team-${i % 50}`, `ch-${i}`, [cond('Ready', 'True', 'Verified')]));
    updateConditionGauges(metrics, healthy, []);
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([]);
  });
});
