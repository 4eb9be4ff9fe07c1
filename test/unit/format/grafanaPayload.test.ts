// Grafana's webhook contact point payload: the documented example parses, Grafana's extras are kept,
// unknown fields are tolerated, bad input gets a clear error, and the rendering is escaped HTML that
// Telegram accepts and that splits without loss even for 500 alerts.
import { readFileSync } from 'node:fs';
import { parseGrafanaPayload, renderGrafanaAlertHtml, renderGrafanaHtml, type GrafanaPayload } from '../../../src/format/grafanaPayload.js';
import { checkMarkup, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { splitMessage, TELEGRAM_TEXT_LIMIT } from '../../../src/format/split.js';

/**
 * The example body of Grafana's documentation, "Configure the webhook notifier for Alerting":
 * https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 * (docs/sources/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier.md in grafana/grafana).
 */
function documentedExample(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../fixtures/grafana-webhook-docs.json', import.meta.url), 'utf8')) as Record<string, unknown>;
}

function parsed(json: unknown): GrafanaPayload {
  const result = parseGrafanaPayload(json);
  if (!result.ok) throw new Error(`expected a payload, got: ${result.error}`);
  return result.payload;
}

function shown(html: string): string {
  const result = parseMarkup(html, 'HTML');
  if (!result.ok) throw new Error(result.message);
  return parsedText(result.pieces);
}

test("the documented example parses with Grafana's extras", () => {
  const payload = parsed(documentedExample());
  expect(payload.version).toBe('1');
  expect(payload.orgId).toBe(1);
  expect(payload.title).toBe('[FIRING:2]  (blue)');
  expect(payload.state).toBe('alerting');
  expect(payload.message).toMatch(/^\*\*Firing\*\*/);
  expect(payload.alerts).toHaveLength(2);
  const [first] = payload.alerts;
  expect(first?.values).toEqual({ B: 44.23943737541908, C: 1 });
  expect(first?.silenceURL).toBe(
    'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
  );
  expect(first?.dashboardURL).toBe('');
  expect(first?.imageURL).toBe('');
});

test('the documented example renders as valid HTML: title, summaries, values, links as <a>', () => {
  const html = renderGrafanaHtml(parsed(documentedExample()));
  expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });
  const text = shown(html);
  expect(text).toContain('[FIRING:2]  (blue)');
  expect(text).toContain('🔥 FIRING (2)');
  expect(text).toContain('This alert was triggered for zone us-1');
  expect(text).toContain('This alert was triggered for zone eu-1');
  expect(text).toContain('Values: B=44.2394, C=1');
  expect(html).toContain(
    '<a href="https://play.grafana.org/alerting/silence/new?alertmanager=grafana&amp;matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1">Silence</a>',
  );
  expect(html).toContain('<a href="https://play.grafana.org/alerting/1afz29v7z/edit">Rule</a>');
  expect(html).toContain('<a href="https://play.grafana.org/">Open Grafana</a>');
  // Empty dashboard and panel URLs make no link.
  expect(html).not.toContain('>Dashboard</a>');
  expect(html).not.toContain('>Panel</a>');
});

test('dashboard and panel links, valueString, resolved time; imageURL never shown', () => {
  const example = documentedExample();
  const alert = {
    status: 'resolved',
    labels: { alertname: 'Disk <full>', severity: 'warning & more', grafana_folder: 'Infra', __alert_rule_uid__: 'u1d' },
    annotations: { summary: 'Disk "almost" full' },
    startsAt: '2024-05-01T09:00:00Z',
    endsAt: '2024-05-01T09:30:00Z',
    dashboardURL: 'http://grafana.monitoring.svc:3000/d/abc',
    panelURL: 'http://grafana.monitoring.svc:3000/d/abc?viewPanel=2',
    imageURL: 'http://grafana.monitoring.svc:3000/render/x.png?token=s3cr3t',
    valueString: "[ var='B' labels={} value=97.5 ]",
  };
  const html = renderGrafanaAlertHtml(parsed({ ...example, alerts: [alert] }).alerts[0]!);
  expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });
  expect(shown(html)).toContain('✅ Disk <full> · severity: warning & more');
  expect(shown(html)).toContain('Disk "almost" full');
  expect(shown(html)).toContain("Values: [ var='B' labels={} value=97.5 ]");
  expect(shown(html)).toContain('Resolved: 2024-05-01 09:30:00 UTC');
  expect(html).toContain('<a href="http://grafana.monitoring.svc:3000/d/abc">Dashboard</a>');
  expect(html).toContain('<a href="http://grafana.monitoring.svc:3000/d/abc?viewPanel=2">Panel</a>');
  expect(shown(html)).toContain('Labels: grafana_folder=Infra');
  expect(html).not.toContain('u1d');
  expect(html).not.toContain('s3cr3t');
  expect(html).not.toContain('render/x.png');
});

test('unknown fields are tolerated; missing extras default; odd values are kept, not fatal', () => {
  const example = documentedExample();
  const alerts = [
    { status: 'firing', labels: { alertname: 'A' }, values: { A: null, B: 'NaN' }, somethingNew: { deep: true } },
    { status: 'firing', labels: { alertname: 'B' }, values: null },
  ];
  const payload = parsed({ ...example, alerts, futureField: 42, version: undefined, orgId: undefined, title: undefined });
  expect(payload.version).toBe('1');
  expect(payload.orgId).toBe(0);
  expect(payload.title).toBe('');
  expect(payload.alerts[0]?.values).toEqual({ A: null, B: 'NaN' });
  expect(payload.alerts[1]?.values).toEqual({});
  expect(payload.alerts[1]?.silenceURL).toBe('');
  expect('somethingNew' in (payload.alerts[0] as object)).toBe(false);
  expect(shown(renderGrafanaHtml(payload))).toContain('Values: A=null, B=NaN');
});

test('a link that is not http(s) is shown as no link at all', () => {
  const example = documentedExample();
  const alert = { status: 'firing', labels: { alertname: 'A' }, silenceURL: 'javascript:alert(1)', panelURL: 'grafana/d/abc' };
  const html = renderGrafanaHtml(parsed({ ...example, alerts: [alert] }));
  expect(html).not.toContain('<a href="javascript');
  expect(html).not.toContain('>Silence</a>');
  expect(html).not.toContain('>Panel</a>');
});

test('bad input gets a clear error naming the field', () => {
  const example = documentedExample();
  const noStatus = parseGrafanaPayload({ ...example, alerts: [{ labels: {} }] });
  expect(noStatus).toEqual({ ok: false, error: expect.stringMatching(/^alerts\.0\.status: /) });
  const badValue = parseGrafanaPayload({ ...example, alerts: [{ status: 'firing', labels: {}, values: { B: { x: 1 } } }] });
  expect(badValue).toEqual({ ok: false, error: expect.stringMatching(/^alerts\.0\.values\.B: /) });
  expect(parseGrafanaPayload('not an object')).toEqual({ ok: false, error: expect.stringMatching(/^payload: /) });
  expect(parseGrafanaPayload({ ...example, orgId: 'one' })).toEqual({ ok: false, error: expect.stringMatching(/^orgId: /) });
});

test('lone surrogates become U+FFFD, so Telegram never refuses the text', () => {
  const example = documentedExample();
  const payload = parsed({ ...example, title: 'bad \ud800 title', alerts: [{ status: 'firing', labels: { alertname: 'x\udc00' } }] });
  expect(payload.title).toBe('bad \ufffd title');
  expect(renderGrafanaHtml(payload).isWellFormed()).toBe(true);
});

test('500 alerts with markup in every value render, split into valid parts, and lose nothing', () => {
  const example = documentedExample();
  const alerts = Array.from({ length: 500 }, (_, i) => ({
    status: i % 3 === 0 ? 'resolved' : 'firing',
    labels: { alertname: `Alert <${i}>`, pod: `web-${i} & co` },
    annotations: { summary: `summary ${i}: <b>not bold</b> &amp;`, description: 'x'.repeat(i % 50) },
    startsAt: '2024-05-01T09:00:00Z',
    endsAt: i % 3 === 0 ? '2024-05-01T09:30:00Z' : '0001-01-01T00:00:00Z',
    silenceURL: `https://grafana.example.com/alerting/silence/new?matchers=alertname%3D${i}&a=b`,
    panelURL: `https://grafana.example.com/d/abc?viewPanel=${i}`,
    values: { B: i + 0.123456789, C: i % 2 },
  }));
  const payload = parsed({ ...example, alerts });
  const html = renderGrafanaHtml(payload);
  expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });

  const parts = splitMessage(html, 'HTML');
  expect(parts.length).toBeGreaterThan(10);
  for (const part of parts) {
    expect(checkMarkup(part, 'HTML')).toEqual({ ok: true });
    expect(shown(part).length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  }
  const withoutNumbering = parts.map((part) => shown(part).replace(/^\(\d+\/\d+\)\n/, '')).join('');
  expect(withoutNumbering).toBe(shown(html));
  for (const i of [0, 1, 249, 499]) expect(withoutNumbering).toContain(`Alert <${i}>`);
  expect(withoutNumbering).toContain('summary 499: <b>not bold</b> &amp;');
});
