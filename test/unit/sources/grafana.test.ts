// The Grafana source on its own: the payload from Grafana's docs (test/fixtures) becomes a Notification
// with Grafana's fields in `extras`, the channel's spec.grafana is its opt-in (without buttons in this
// version), and a retry is the same notification while a changed value or image is not.
import { readFileSync } from 'node:fs';
import { parseSpec } from '../../../src/api/types.js';
import { grafanaSource } from '../../../src/sources/grafana.js';
import { partOf } from '../../../src/sources/notification.js';
import { SOURCES } from '../../../src/sources/registry.js';

const fixture = () =>
  JSON.parse(readFileSync(new URL('../../fixtures/grafana-webhook-docs.json', import.meta.url), 'utf8')) as Record<string, any>;

function parsed(body: unknown) {
  const result = grafanaSource.parse(body);
  if (!result.ok) throw new Error(result.error);
  return result.notification;
}

test('the registry serves it as /webhooks/grafana/…, opted in by spec.grafana', () => {
  expect(SOURCES.map((s) => s.name)).toEqual(['alertmanager', 'grafana']);
  expect(grafanaSource).toMatchObject({ name: 'grafana', displayName: 'Grafana', optInField: 'spec.grafana' });
});

test("Grafana's docs payload: the Alertmanager fields as they are, Grafana's own in extras", () => {
  const n = parsed(fixture());
  expect(n).toMatchObject({
    source: 'grafana',
    groupKey: '{}:{}',
    status: 'firing',
    externalURL: 'https://play.grafana.org/',
    truncatedAlerts: 0,
  });
  expect(n.extras).toMatchObject({ title: '[FIRING:2]  (blue)', orgId: 1, state: 'alerting' });
  expect(n.alerts[0]).toMatchObject({ fingerprint: 'c6eadffa33fcdf37', labels: { alertname: 'High memory usage' } });
  expect(n.alerts[0]!.extras).toMatchObject({ values: { B: 44.23943737541908, C: 1 }, imageURL: '', dashboardURL: '' });
  expect(n.alerts[0]!.extras['silenceURL']).toMatch(/^https:\/\/play\.grafana\.org\/alerting\/silence\/new/);
  expect(grafanaSource.render(n)).toContain('<b>[FIRING:2]  (blue)</b>');
});

test("the built-in message of a route's share of a notification shows that share's alerts only", () => {
  const n = parsed(fixture());
  const html = grafanaSource.render(partOf(n, [n.alerts[1]!]));
  expect(html).toContain('<b>🔥 FIRING (1)</b>');
  expect(html).toContain('High CPU usage');
  expect(html).not.toContain('High memory usage');
  expect(html).toContain('Values: B=<code>44.2394</code>, C=<code>1</code>');
  expect(html).toContain('<b>[FIRING:2]  (blue)</b>');
});

test('a body that is not Grafana’s shape is refused naming the field', () => {
  const body = fixture();
  body.alerts[0].status = 'burning';
  const result = grafanaSource.parse(body);
  expect(result.ok).toBe(false);
  expect(!result.ok && result.error).toMatch(/^alerts\.0\.status: /);
});

test("spec.grafana is the opt-in; its silence is handed on: Grafana's alerts get buttons", () => {
  const spec = parseSpec({
    tokenSecretRef: { name: 'bot' },
    chatId: '-100123',
    grafana: { tokenSecretRef: { name: 'grafana-webhook' }, resolved: 'Reply', silence: { url: 'http://grafana.monitoring.svc:3000' } },
  });
  if (!spec.ok) throw new Error(JSON.stringify(spec));
  expect(grafanaSource.optIn(spec.spec)).toEqual({
    tokenSecretRef: { name: 'grafana-webhook', key: 'token' },
    resolved: 'Reply',
    silence: { url: 'http://grafana.monitoring.svc:3000', durations: ['1h', '24h'], allowed: 'Administrators', allowedUserIds: [] },
  });
  const noButtons = parseSpec({ tokenSecretRef: { name: 'bot' }, chatId: '-100123', grafana: { tokenSecretRef: { name: 'g' } } });
  expect(noButtons.ok && grafanaSource.optIn(noButtons.spec)).toEqual({ tokenSecretRef: { name: 'g', key: 'token' }, resolved: 'Edit' });
  const alertmanagerOnly = parseSpec({
    tokenSecretRef: { name: 'bot' },
    chatId: '-100123',
    alertmanager: { tokenSecretRef: { name: 'am' } },
  });
  expect(alertmanagerOnly.ok && grafanaSource.optIn(alertmanagerOnly.spec)).toBeUndefined();
});

test('a retry is the same notification; another value or image is not', () => {
  const identity = (body: Record<string, any>) => JSON.stringify(parsed(body).identity);
  const body = fixture();
  expect(identity(fixture())).toBe(identity(body));
  const otherValue = fixture();
  otherValue.alerts[0].values.B = 51;
  expect(identity(otherValue)).not.toBe(identity(body));
  const withImage = fixture();
  withImage.alerts[0].imageURL = 'http://grafana:3000/public/img/a.png';
  expect(identity(withImage)).not.toBe(identity(body));
});
