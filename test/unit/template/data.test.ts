// The data a template sees, from each source's Notification: Alertmanager's webhook fields under their
// own names, Grafana's the same plus its own (title, message, orgId; per alert values and links), and
// a routed share of a notification showing only its alerts.
import { readFileSync } from 'node:fs';
import { alertmanagerSource } from '../../../src/sources/alertmanager.js';
import { grafanaSource } from '../../../src/sources/grafana.js';
import { partOf, type Notification } from '../../../src/sources/notification.js';
import type { WebhookSource } from '../../../src/sources/source.js';
import { renderBody } from '../../../src/template/body.js';
import { templateData } from '../../../src/template/data.js';
import { RenderPool } from '../../../src/template/pool.js';
import { alertmanagerPayload } from '../../harness/alertmanagerPayload.js';

const channel = { namespace: 'shop', name: 'oncall' };

function parsed(source: WebhookSource, body: unknown): Notification {
  const result = source.parse(body);
  if (!result.ok) throw new Error(result.error);
  return result.notification;
}

const grafanaDocs = () =>
  parsed(grafanaSource, JSON.parse(readFileSync(new URL('../../fixtures/grafana-webhook-docs.json', import.meta.url), 'utf8')));

const alertmanager = () =>
  parsed(
    alertmanagerSource,
    alertmanagerPayload(
      [
        { name: 'HighCPU', labels: { severity: 'page' }, annotations: { summary: 'busy' }, fingerprint: 'f1' },
        { name: 'DiskFull', status: 'resolved', fingerprint: 'f2' },
      ],
      { groupKey: '{}:{alertname="HighCPU"}', receiver: 'telegram', externalURL: 'http://am:9093', commonLabels: { team: 'a' } },
    ),
  );

let pool: RenderPool;
beforeAll(() => {
  pool = new RenderPool({ size: 1 });
});
afterAll(() => pool.close());

describe('templateData', () => {
  it("an Alertmanager notification: the webhook's fields, firing and resolved, the channel, and nothing else", () => {
    const data = templateData(alertmanager(), channel);
    expect(Object.keys(data).sort()).toEqual(
      [
        'alerts',
        'channel',
        'commonAnnotations',
        'commonLabels',
        'externalURL',
        'firing',
        'groupKey',
        'groupLabels',
        'receiver',
        'resolved',
        'status',
        'truncatedAlerts',
      ].sort(),
    );
    expect(data).toMatchObject({
      status: 'firing',
      groupKey: '{}:{alertname="HighCPU"}',
      receiver: 'telegram',
      externalURL: 'http://am:9093',
      commonLabels: { team: 'a' },
      channel,
    });
    const alerts = data['alerts'] as Record<string, unknown>[];
    expect(Object.keys(alerts[0]!).sort()).toEqual([
      'annotations',
      'endsAt',
      'fingerprint',
      'generatorURL',
      'labels',
      'startsAt',
      'status',
    ]);
    expect(alerts[0]).toMatchObject({ labels: { alertname: 'HighCPU', severity: 'page' }, annotations: { summary: 'busy' } });
    expect((data['firing'] as unknown[]).map((a) => (a as { fingerprint: string }).fingerprint)).toEqual(['f1']);
    expect((data['resolved'] as unknown[]).map((a) => (a as { fingerprint: string }).fingerprint)).toEqual(['f2']);
  });

  it("a Grafana notification: Alertmanager's fields plus Grafana's own under Grafana's names", () => {
    const data = templateData(grafanaDocs(), channel);
    expect(data).toMatchObject({
      status: 'firing',
      title: '[FIRING:2]  (blue)',
      orgId: 1,
      state: 'alerting',
      message: expect.stringMatching(/^\*\*Firing\*\*/),
      externalURL: 'https://play.grafana.org/',
      commonLabels: { team: 'blue' },
      channel,
    });
    const [first] = data['alerts'] as Record<string, unknown>[];
    expect(first).toMatchObject({
      status: 'firing',
      labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
      fingerprint: 'c6eadffa33fcdf37',
      values: { B: 44.23943737541908, C: 1 },
      imageURL: '',
      dashboardURL: '',
      panelURL: '',
      silenceURL: expect.stringMatching(/^https:\/\/play\.grafana\.org\/alerting\/silence\/new\?/),
    });
  });

  it('a source extra never hides a common field, and the data is a copy the template cannot change', () => {
    const n = grafanaDocs();
    const clashing: Notification = {
      ...n,
      extras: { ...n.extras, status: 'burning' },
      alerts: n.alerts.map((a) => ({ ...a, extras: { ...a.extras, labels: 'not labels' } })),
    };
    const data = templateData(clashing, channel);
    expect(data['status']).toBe('firing');
    const first = (data['alerts'] as Record<string, unknown>[])[0]!;
    expect(first['labels']).toEqual(n.alerts[0]!.labels);
    (first['values'] as Record<string, unknown>)['B'] = 0;
    expect(n.alerts[0]!.extras['values']).toEqual({ B: 44.23943737541908, C: 1 });
  });

  it("a route's share of a Grafana notification: its own alerts, Grafana's title still there", () => {
    const n = grafanaDocs();
    const data = templateData(partOf(n, [n.alerts[1]!]), channel);
    expect((data['alerts'] as { fingerprint: string }[]).map((a) => a.fingerprint)).toEqual(['bc97ff14869b13e3']);
    expect(data).toMatchObject({ title: '[FIRING:2]  (blue)', commonLabels: { alertname: 'High CPU usage', team: 'blue', zone: 'eu-1' } });
  });
});

describe('a template over each source', () => {
  const template =
    '<b>{{ title | default: status }}</b>{% for a in alerts %}\n{{ a.labels.alertname }}{% if a.values %} B={{ a.values.B | round: 1 }}{% endif %}{% endfor %}';
  const inputs = () => ({ pool, templates: { firing: template }, channel, timeZone: 'UTC' });

  it("renders Grafana's title and values", async () => {
    const body = await renderBody(grafanaDocs(), () => 'built-in', inputs());
    expect(body).toEqual({ templated: true, html: '<b>[FIRING:2]  (blue)</b>\nHigh memory usage B=44.2\nHigh CPU usage B=44.2' });
  });

  it('renders an Alertmanager notification with the same template, the Grafana fields absent', async () => {
    const body = await renderBody(alertmanager(), () => 'built-in', inputs());
    expect(body).toEqual({ templated: true, html: '<b>firing</b>\nHighCPU\nDiskFull' });
  });
});
