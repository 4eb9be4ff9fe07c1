// The notifications every template is rendered against when it is applied: the shapes that break
// templates in practice. Each comes as a firing notification and as its resolved counterpart.
import type { AlertmanagerAlert, AlertmanagerPayload } from '../format/alertmanager.js';

export interface TemplateSample {
  name: string;
  payload: AlertmanagerPayload;
}

const STARTS_AT = '2026-03-29T00:30:00Z';
const ENDS_AT = '2026-03-29T01:45:00Z';
/** Alertmanager's "not ended yet". */
const NOT_ENDED = '0001-01-01T00:00:00Z';

function alert(
  status: AlertmanagerAlert['status'],
  labels: Record<string, string>,
  annotations: Record<string, string>,
  index = 0,
): AlertmanagerAlert {
  return {
    status,
    labels,
    annotations,
    startsAt: STARTS_AT,
    endsAt: status === 'resolved' ? ENDS_AT : NOT_ENDED,
    generatorURL: `http://prometheus.monitoring:9090/graph?g0.expr=up&i=${index}`,
    fingerprint: (0x1000 + index).toString(16).padStart(16, '0'),
  };
}

function payload(status: AlertmanagerPayload['status'], alerts: AlertmanagerAlert[], common: Record<string, string>): AlertmanagerPayload {
  return {
    version: '4',
    groupKey: '{}:{alertname="sample"}',
    truncatedAlerts: 0,
    status,
    receiver: 'telegram',
    groupLabels: { alertname: alerts[0]?.labels['alertname'] ?? 'sample' },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts,
  };
}

const SEVERITIES = ['critical', 'warning', 'info'];

/** Firing notifications, or, for `resolved`, every alert ended. */
export function templateSamples(status: AlertmanagerPayload['status']): TemplateSample[] {
  const oneAlert = alert(
    status,
    { alertname: 'HighCPU', severity: 'warning', instance: 'web-1:9100', namespace: 'shop' },
    { summary: 'CPU above 90% for 10 minutes', description: 'web-1 is busy' },
  );
  // Fifty alerts, a third of them already resolved in a firing notification (Alertmanager sends both).
  const mixed = Array.from({ length: 50 }, (_, i) =>
    alert(
      status === 'resolved' || i % 3 === 2 ? 'resolved' : 'firing',
      { alertname: `Alert${i % 7}`, severity: SEVERITIES[i % 3] as string, instance: `node-${i}:9100`, namespace: `team-${i % 4}` },
      { summary: `summary of alert ${i}`, runbook_url: `https://runbooks.example.com/alert-${i % 7}` },
      i,
    ),
  );
  const hostile = alert(
    status,
    { alertname: '<b>&"', severity: '</b><a href="javascript:alert(1)">', instance: "it's {{ raw }} & {% if %}", namespace: '&nbsp;&amp;' },
    { summary: '<script>alert("x")</script>', description: 'ends with an ampersand &' },
  );
  const bare = alert(status, { alertname: 'NoAnnotations' }, {});
  bare.generatorURL = '';
  return [
    { name: 'one-alert', payload: payload(status, [oneAlert], oneAlert.labels) },
    { name: 'fifty-mixed', payload: payload(status, mixed, {}) },
    { name: 'hostile-labels', payload: payload(status, [hostile], hostile.labels) },
    { name: 'missing-annotations', payload: { ...payload(status, [bare], bare.labels), externalURL: '' } },
  ];
}
