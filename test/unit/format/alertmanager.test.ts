import { parseAlertmanagerPayload, renderAlertmanagerHtml, type AlertmanagerPayload } from '../../../src/format/alertmanager.js';
import { checkMarkup, parseMarkup } from '../../../src/format/markup.js';
import { parsedText } from '../../../src/format/pieces.js';
import { splitMessage } from '../../../src/format/split.js';

/** What Alertmanager's webhook notifier posts (notify/webhook/webhook.go, version "4"). */
function samplePayload(): Record<string, unknown> {
  return {
    receiver: 'telegram',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighCPU', severity: 'critical', instance: 'node-1:9100', job: 'node' },
        annotations: { summary: 'CPU above 90%', description: 'node-1 has been busy for 10m', runbook_url: 'https://runbooks/cpu' },
        startsAt: '2024-05-01T10:00:00.123456789Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu+%3E+0.9&g0.tab=1',
        fingerprint: 'a1b2c3d4e5f60718',
      },
      {
        status: 'resolved',
        labels: { alertname: 'DiskFull', severity: 'warning', instance: 'node-2:9100' },
        annotations: { summary: 'Disk almost full' },
        startsAt: '2024-05-01T09:00:00Z',
        endsAt: '2024-05-01T09:30:00Z',
        generatorURL: '',
        fingerprint: '0f1e2d3c4b5a6978',
      },
      {
        status: 'firing',
        labels: { alertname: 'HighMemory', severity: 'warning' },
        annotations: {},
        startsAt: '2024-05-01T10:05:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: '1111111111111111',
      },
    ],
    groupLabels: { alertname: 'HighCPU' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="HighCPU"}',
    truncatedAlerts: 0,
  };
}

function parsedOrThrow(json: unknown): AlertmanagerPayload {
  const result = parseAlertmanagerPayload(json);
  if (!result.ok) throw new Error(result.error);
  return result.payload;
}

const shown = (html: string): string => {
  const parsed = parseMarkup(html, 'HTML');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsedText(parsed.pieces);
};

describe('parseAlertmanagerPayload', () => {
  test('accepts a version 4 payload as Alertmanager sends it', () => {
    const payload = parsedOrThrow(samplePayload());
    expect(payload.version).toBe('4');
    expect(payload.status).toBe('firing');
    expect(payload.groupKey).toBe('{}:{alertname="HighCPU"}');
    expect(payload.alerts).toHaveLength(3);
    expect(payload.alerts[0]?.labels['instance']).toBe('node-1:9100');
    expect(payload.alerts[1]?.status).toBe('resolved');
  });

  test('ignores fields it does not know (newer Alertmanager versions add some)', () => {
    const json = samplePayload();
    json['newTopLevelField'] = { any: 'thing' };
    (json['alerts'] as Record<string, unknown>[])[0]!['silencedBy'] = ['x'];
    const payload = parsedOrThrow(json);
    expect(payload).not.toHaveProperty('newTopLevelField');
    expect(payload.alerts).toHaveLength(3);
  });

  test('fills in fields it can do without', () => {
    const payload = parsedOrThrow({ version: '4', status: 'resolved', alerts: [{ status: 'resolved', labels: { alertname: 'X' } }] });
    expect(payload.truncatedAlerts).toBe(0);
    expect(payload.externalURL).toBe('');
    expect(payload.alerts[0]?.annotations).toEqual({});
  });

  test.each([
    ['wrong version', { ...samplePayload(), version: '3' }, 'version: expected "4", got "3"'],
    ['missing version', { ...samplePayload(), version: undefined }, 'version: expected "4", got undefined'],
    ['numeric version', { ...samplePayload(), version: 4 }, 'version: expected "4", got 4'],
    ['unknown status', { ...samplePayload(), status: 'pending' }, 'status: '],
    ['alerts not a list', { ...samplePayload(), alerts: {} }, 'alerts: '],
    ['negative truncatedAlerts', { ...samplePayload(), truncatedAlerts: -1 }, 'truncatedAlerts: '],
    ['not an object', 'hello', 'payload: '],
    ['null', null, 'payload: '],
  ])('rejects %s, naming the field', (_name, json, error) => {
    const result = parseAlertmanagerPayload(json);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(error);
  });

  test.each([
    ['labels not a map', { labels: 'alertname=X' }, 'alerts.0.labels: '],
    ['a label value that is not a string', { labels: { alertname: 1 } }, 'alerts.0.labels.alertname: '],
    ['missing labels', { labels: undefined }, 'alerts.0.labels: '],
    ['bad alert status', { status: 'ok' }, 'alerts.0.status: '],
    ['annotations not a map', { annotations: ['x'] }, 'alerts.0.annotations: '],
  ])('rejects a malformed alert: %s', (_name, change, error) => {
    const json = samplePayload();
    const alerts = json['alerts'] as Record<string, unknown>[];
    alerts[0] = { ...alerts[0], ...change };
    const result = parseAlertmanagerPayload(json);
    expect(result).toEqual({ ok: false, error: expect.stringContaining(error) });
  });
});

describe('renderAlertmanagerHtml', () => {
  test('groups firing then resolved alerts, each under its header with its count', () => {
    const html = renderAlertmanagerHtml(parsedOrThrow(samplePayload()));
    expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });
    const text = shown(html);
    const firing = text.indexOf('🔥 FIRING (2)');
    const resolved = text.indexOf('✅ RESOLVED (1)');
    expect(firing).toBe(0);
    expect(resolved).toBeGreaterThan(firing);
    expect(text.indexOf('HighCPU')).toBeGreaterThan(firing);
    expect(text.indexOf('HighMemory')).toBeLessThan(resolved);
    expect(text.indexOf('DiskFull')).toBeGreaterThan(resolved);
  });

  test('shows name, severity, summary, description, other annotations and labels, times and links', () => {
    const html = renderAlertmanagerHtml(parsedOrThrow(samplePayload()));
    expect(html).toContain('<b>HighCPU</b> · severity: <b>critical</b>\nCPU above 90%\nnode-1 has been busy for 10m\n');
    expect(html).toContain('<i>runbook_url</i>: https://runbooks/cpu');
    expect(html).toContain('Labels: instance=<code>node-1:9100</code>, job=<code>node</code>');
    expect(html).toContain('Started: 2024-05-01 10:00:00 UTC');
    expect(html).toContain('<a href="http://prometheus:9090/graph?g0.expr=cpu+%3E+0.9&amp;g0.tab=1">Source</a>');
    expect(html).toContain('Resolved: 2024-05-01 09:30:00 UTC');
    expect(html).toContain('<a href="http://alertmanager:9093">Open Alertmanager</a>');
    expect(html).not.toContain('0001-01-01');
    expect(html).not.toContain('truncated');
    expect(html).not.toContain('left out');
  });

  test('every label and annotation value is escaped and shown literally', () => {
    const json = samplePayload();
    (json['alerts'] as Record<string, unknown>[])[0] = {
      status: 'firing',
      labels: { alertname: '<b>Evil</b>', severity: 'a&b', 'odd<key>': '</code><pre>', path: '"/x"' },
      annotations: { summary: '5 < 6 && 7 > 3', description: '<script>alert(1)</script> &amp;', note: '<i>' },
      startsAt: 'not a time <x>',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://p/?a="1"&b=<2>',
      fingerprint: 'f',
    };
    json['externalURL'] = 'http://am/"><b>';
    const html = renderAlertmanagerHtml(parsedOrThrow(json));
    expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });
    const text = shown(html);
    for (const literal of [
      '<b>Evil</b>',
      'a&b',
      'odd<key>=</code><pre>',
      'path="/x"',
      '5 < 6 && 7 > 3',
      '<script>alert(1)</script> &amp;',
      'note: <i>',
      'Started: not a time <x>',
    ]) {
      expect(text).toContain(literal);
    }
    expect(html).toContain('<a href="http://p/?a=&quot;1&quot;&amp;b=&lt;2&gt;">Source</a>');
    expect(html).toContain('<a href="http://am/&quot;&gt;&lt;b&gt;">');
  });

  test('mentions alerts Alertmanager left out', () => {
    const html = renderAlertmanagerHtml(parsedOrThrow({ ...samplePayload(), truncatedAlerts: 7 }));
    expect(shown(html)).toContain('⚠️ 7 more alerts were left out by Alertmanager (max_alerts).');
  });

  test('a notification without alerts still says something', () => {
    const html = renderAlertmanagerHtml(parsedOrThrow({ version: '4', status: 'resolved', alerts: [] }));
    expect(shown(html)).toBe('✅ RESOLVED (no alerts in this notification)');
  });

  test('a storm of alerts splits into valid messages without losing any', () => {
    const json = samplePayload();
    json['alerts'] = Array.from({ length: 120 }, (_, i) => ({
      status: i % 3 === 0 ? 'resolved' : 'firing',
      labels: { alertname: `Alert${i}`, severity: 'warning', pod: `web-<${i}>` },
      annotations: { description: `Pod web-${i} & friends are down.\n${'details '.repeat(20)}` },
      startsAt: '2024-05-01T10:00:00Z',
      endsAt: '2024-05-01T11:00:00Z',
      generatorURL: `http://prometheus/graph?i=${i}&x=1`,
      fingerprint: String(i),
    }));
    const html = renderAlertmanagerHtml(parsedOrThrow(json));
    const parts = splitMessage(html, 'HTML');
    expect(parts.length).toBeGreaterThan(1);
    let joined = '';
    for (const [index, part] of parts.entries()) {
      expect(checkMarkup(part, 'HTML')).toEqual({ ok: true });
      const text = shown(part);
      expect(text.length).toBeLessThanOrEqual(4096);
      joined += text.slice(`(${index + 1}/${parts.length})\n`.length);
    }
    expect(joined).toBe(shown(html));
    for (let i = 0; i < 120; i++) expect(joined).toContain(`pod=web-<${i}>`);
  });
});

describe('lone UTF-16 surrogates in a payload', () => {
  // As Alertmanager may send them: JSON allows "\ud800" escapes that are not valid Unicode.
  const body = String.raw`{"version":"4","status":"firing","receiver":"r\udc00","groupLabels":{},"commonLabels":{},
    "commonAnnotations":{"note\ud800":"x"},"externalURL":"http://am/\udfff",
    "alerts":[{"status":"firing","labels":{"alertname":"Disk\ud83d","zone\udc01":"eu\ud800west"},
    "annotations":{"summary":"half an emoji: \ud83d!"},"startsAt":"2024-05-01T10:00:00Z","generatorURL":"http://prom/\ud800"}]}`;

  test('become U+FFFD, so the message is valid Unicode and goes out', () => {
    const r = parseAlertmanagerPayload(JSON.parse(body));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.payload.alerts[0]!.labels).toEqual({ alertname: 'Disk\uFFFD', 'zone\uFFFD': 'eu\uFFFDwest' });
    expect(r.payload.alerts[0]!.annotations.summary).toBe('half an emoji: \uFFFD!');
    expect(r.payload.commonAnnotations).toEqual({ 'note\uFFFD': 'x' });
    expect(r.payload.receiver).toBe('r\uFFFD');
    const html = renderAlertmanagerHtml(r.payload);
    expect(html.isWellFormed()).toBe(true);
    expect(html).toContain('half an emoji: \uFFFD!');
    expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });
  });

  test('a well-formed surrogate pair (an emoji) is kept as it is', () => {
    const r = parseAlertmanagerPayload(JSON.parse(body.replace(String.raw`\ud83d!`, String.raw`\ud83d\udd25!`)));
    expect(r.ok && r.payload.alerts[0]!.annotations.summary).toBe('half an emoji: 🔥!');
  });
});
