// The demo's closing summary reads the series the dashboard's top row queries, from the text format.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dashboardSummary, parseMetrics } from '../../../demo/dashboardSummary.js';
import { createMetrics } from '../../../src/observability/metrics.js';

test('channels Ready and not Ready (with reasons), messages sent and failed, from a real registry', async () => {
  const m = createMetrics();
  const ids = (channel: string) => ({ channel_namespace: 'demo', channel, type: 'Ready' });
  m.channels.set({ ready: 'True' }, 2);
  m.channels.set({ ready: 'False' }, 1);
  m.channelCondition.set({ ...ids('legacy-ops'), status: 'False', reason: 'ChatMigrated' }, 1);
  m.channelCondition.set({ channel_namespace: 'demo', channel: 'ops', type: 'Interactive', status: 'False', reason: 'UpdatesConflict' }, 1);
  m.messagesSent.inc({ source: 'alert' }, 2);
  m.messagesSent.inc({ source: 'alertmanager' }, 3);
  m.messagesFailed.inc({ source: 'test', reason: 'ChatNotFound' });
  expect(dashboardSummary(await m.registry.metrics())).toEqual({
    channelsReady: 2,
    notReady: ['demo/legacy-ops (ChatMigrated)'],
    sent: 5,
    failed: ['test ChatNotFound: 1'],
    failedTotal: 1,
  });
});

test('nothing scraped yet: zeros', () => {
  expect(dashboardSummary('# HELP x\n')).toEqual({ channelsReady: 0, notReady: [], sent: 0, failed: [], failedTotal: 0 });
});

test('label values with escaped quotes, backslashes and commas are read back whole', () => {
  expect(parseMetrics('m{a="x\\"y",b="c\\\\d,e"} 2')).toEqual([{ name: 'm', labels: { a: 'x"y', b: 'c\\d,e' }, value: 2 }]);
});

test("the dashboard's top row queries the same series", () => {
  const dashboard = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../monitoring/dashboard.json'), 'utf8'));
  const expr = (title: string) => dashboard.panels.find((p: any) => p.title === title).targets[0].expr as string;
  expect(expr('Channels Ready')).toBe('sum(max by (namespace, job) (telegram_operator_channels{ready="True"}))');
  expect(expr('Channels not Ready')).toContain('telegram_operator_channel_condition{type="Ready", status!="True"');
  expect(expr('Messages sent (24 h)')).toContain('telegram_operator_messages_sent_total');
  expect(expr('Messages failed (24 h)')).toContain('telegram_operator_messages_failed_total');
});
