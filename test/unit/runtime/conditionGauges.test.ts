// The per-object condition gauges as Prometheus scrapes them: one series per channel condition and per bot,
// reasons only from the contract (anything else, a token-shaped string included, becomes "Other"), and a
// deleted object's series gone at the next update.
import type { ClusterTelegramBot, Condition, TelegramChannel } from '../../../src/api/types.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { NOT_RECONCILED, OTHER_REASON, updateConditionGauges } from '../../../src/runtime/conditionGauges.js';

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

describe('condition gauges', () => {
  it('export Ready, Interactive and AlertmanagerConfigured per channel, and Ready per bot', async () => {
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
        channel('team-b', 'ok', [cond('Ready', 'True', 'Verified')]),
      ],
      [bot('shared', [cond('Ready', 'False', 'Unauthorized')])],
    );
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([
      'telegram_operator_channel_condition{channel_namespace="team-a",channel="alerts",type="AlertmanagerConfigured",status="True",reason="Applied"} 1',
      'telegram_operator_channel_condition{channel_namespace="team-a",channel="alerts",type="Interactive",status="False",reason="UpdatesConflict"} 1',
      'telegram_operator_channel_condition{channel_namespace="team-a",channel="alerts",type="Ready",status="False",reason="ChatNotFound"} 1',
      'telegram_operator_channel_condition{channel_namespace="team-b",channel="ok",type="Ready",status="True",reason="Verified"} 1',
    ]);
    expect(await series(metrics, 'telegram_operator_cluster_bot_condition')).toEqual([
      'telegram_operator_cluster_bot_condition{bot="shared",type="Ready",status="False",reason="Unauthorized"} 1',
    ]);
  });

  it('a channel or bot without a Ready condition yet is Ready Unknown, reason NotReconciled', async () => {
    const metrics = createMetrics();
    updateConditionGauges(metrics, [channel('ns', 'new')], [bot('fresh')]);
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([
      `telegram_operator_channel_condition{channel_namespace="ns",channel="new",type="Ready",status="Unknown",reason="${NOT_RECONCILED}"} 1`,
    ]);
    expect(await series(metrics, 'telegram_operator_cluster_bot_condition')).toEqual([
      `telegram_operator_cluster_bot_condition{bot="fresh",type="Ready",status="Unknown",reason="${NOT_RECONCILED}"} 1`,
    ]);
  });

  it('a reason the contract does not know never becomes a label value (a token-shaped one included)', async () => {
    const metrics = createMetrics();
    const token = '123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0';
    updateConditionGauges(
      metrics,
      [channel('ns', 'edited', [cond('Ready', 'False', token)])],
      [bot('b', [cond('Ready', 'True', 'x'.repeat(300))])],
    );
    const text = await metrics.registry.metrics();
    expect(text).not.toContain(token);
    expect(text).not.toContain('x'.repeat(300));
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([
      `telegram_operator_channel_condition{channel_namespace="ns",channel="edited",type="Ready",status="False",reason="${OTHER_REASON}"} 1`,
    ]);
  });

  it("a deleted channel's series and a changed reason's old series are gone after the next update", async () => {
    const metrics = createMetrics();
    updateConditionGauges(
      metrics,
      [
        channel('ns', 'gone', [cond('Ready', 'True', 'Verified')]),
        channel('ns', 'kept', [cond('Ready', 'Unknown', 'TelegramUnavailable')]),
      ],
      [],
    );
    updateConditionGauges(metrics, [channel('ns', 'kept', [cond('Ready', 'False', 'BotKicked')])], []);
    expect(await series(metrics, 'telegram_operator_channel_condition')).toEqual([
      'telegram_operator_channel_condition{channel_namespace="ns",channel="kept",type="Ready",status="False",reason="BotKicked"} 1',
    ]);
  });
});
