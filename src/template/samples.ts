// The notifications every template is rendered against when it is applied: the shapes that break
// templates in practice, and one of each source's own fields. Each comes as a firing notification and
// as its resolved counterpart. They are Notifications as the sources' parsers make them, so a sample
// reaches a template exactly as a real notification of that source does.
import type { AlertmanagerAlert, AlertmanagerPayload } from '../format/alertmanager.js';
import type { GrafanaPayload } from '../format/grafanaPayload.js';
import { alertmanagerNotification } from '../sources/alertmanager.js';
import { grafanaNotification } from '../sources/grafana.js';
import type { Notification, NotificationStatus } from '../sources/notification.js';

export interface TemplateSample {
  name: string;
  notification: Notification;
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

function payload(status: NotificationStatus, alerts: AlertmanagerAlert[], common: Record<string, string>): AlertmanagerPayload {
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

/** The samples' names, as the TemplateValid condition and the CLI's `--sample` list them. */
export function templateSampleNames(): string[] {
  return templateSamples('firing').map((sample) => sample.name);
}

const SEVERITIES = ['critical', 'warning', 'info'];

/** Firing notifications, or, for `resolved`, every alert ended. */
export function templateSamples(status: NotificationStatus): TemplateSample[] {
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
    { name: 'one-alert', notification: alertmanagerNotification(payload(status, [oneAlert], oneAlert.labels)) },
    { name: 'fifty-mixed', notification: alertmanagerNotification(payload(status, mixed, {})) },
    { name: 'hostile-labels', notification: alertmanagerNotification(payload(status, [hostile], hostile.labels)) },
    { name: 'missing-annotations', notification: alertmanagerNotification({ ...payload(status, [bare], bare.labels), externalURL: '' }) },
    { name: 'grafana', notification: grafanaNotification(grafanaPayload(status, oneAlert)) },
  ];
}

/** A Grafana contact point's notification of one alert, every Grafana field set (values, links, title). */
function grafanaPayload(status: NotificationStatus, base: AlertmanagerAlert): GrafanaPayload {
  const grafana = 'http://grafana.monitoring:3000';
  const alert = {
    ...base,
    silenceURL: `${grafana}/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHighCPU`,
    dashboardURL: `${grafana}/d/node-exporter`,
    panelURL: `${grafana}/d/node-exporter?viewPanel=3`,
    imageURL: '',
    values: { B: 93.57142857142857, C: 1 },
    valueString: "[ var='B' labels={instance=web-1:9100} value=93.57142857142857 ]",
  };
  return {
    ...payload(status, [base], base.labels),
    version: '1',
    externalURL: `${grafana}/`,
    orgId: 1,
    title: `[${status.toUpperCase()}:1] HighCPU (web-1:9100)`,
    state: status === 'resolved' ? 'ok' : 'alerting',
    message: `**${status === 'resolved' ? 'Resolved' : 'Firing'}**\n\nValue: B=93.57, C=1\nLabels:\n - alertname = HighCPU`,
    alerts: [alert],
  };
}
