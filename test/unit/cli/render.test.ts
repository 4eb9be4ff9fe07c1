// `telegram-channel-operator render` in-process: a channel manifest on disk, the real render pool, the
// output a CI job would read. Broken templates and routes exit 1 with where they are.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../../../src/cli/run.js';
import { fakeIo } from './fakeIo.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tgc-render-'));
});

const CHANNEL = `apiVersion: telegram.notify.dev/v1alpha1
kind: TelegramChannel
metadata: {name: ops, namespace: monitoring}
spec:
  tokenSecretRef: {name: bot}
  chatId: -1001234567890
  template:
    firing: |
      {% for a in firing %}🔥 <b>{{ a.labels.alertname }}</b> in {{ a.labels.namespace }}: {{ a.annotations.summary }}
      {% endfor %}{% if resolved.size > 0 %}✅ {{ resolved.size }} resolved{% endif %}
  routes:
  - matchers: ['severity="critical"']
    messageThreadId: 12
    mention: ["@oncall_lead", "123456789"]
  - matchers: ['severity=~"warning|info"']
    topic: {name: "{{ labels.namespace }}"}
    silent: true
  quietHours: {timeZone: Europe/Berlin, from: "22:00", to: "07:00", except: ['severity="critical"']}
`;

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function render(args: string[]) {
  const io = fakeIo();
  const code = await run(['render', ...args], io);
  return { code, out: io.outText(), err: io.errText() };
}

const payload = (alerts: { severity: string; namespace: string; name: string }[]) =>
  JSON.stringify({
    version: '4',
    groupKey: '{}:{}',
    status: 'firing',
    receiver: 'telegram',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((a, i) => ({
      status: 'firing',
      labels: { alertname: a.name, severity: a.severity, namespace: a.namespace },
      annotations: { summary: `summary ${i} </b><a href="x">` },
      startsAt: '2026-03-29T21:30:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: String(i),
    })),
  });

/** CHANNEL rendered for a notification of these alerts, at that time. */
const renderAlerts = (alerts: Parameters<typeof payload>[0], at: string) =>
  render(['-f', file('channel.yaml', CHANNEL), '--payload', file('alerts.json', payload(alerts)), '--at', at]);

describe('render', () => {
  it('splits a mixed notification by route: a thread with mentions, one topic per namespace, silent where the route says', async () => {
    const mixed = [
      { severity: 'critical', namespace: 'shop', name: 'Down' },
      { severity: 'warning', namespace: 'shop', name: 'Slow' },
      { severity: 'warning', namespace: 'db', name: 'Lag' },
      { severity: 'debug', namespace: 'shop', name: 'Chatty' },
    ];
    const { code, out } = await renderAlerts(mixed, '2026-03-29T12:00:00Z');
    expect(code).toBe(0);
    const headers = out.split('\n').filter((line) => line.startsWith('──'));
    expect(headers).toEqual([
      '── message 1 of 4 · routes[0] (severity="critical") → topic 12 · with notification',
      '── message 2 of 4 · routes[1] (severity=~"warning|info") → topic "shop" (found or created by name) · silent',
      '── message 3 of 4 · routes[1] (severity=~"warning|info") → topic "db" (found or created by name) · silent',
      "── message 4 of 4 · no route matched → the channel's own thread · with notification",
    ]);
    // As Telegram shows it: markup applied, the hostile annotation shown as the text it is.
    expect(out).toContain('🔥 Down in shop: summary 0 </b><a href="x">');
    expect(out).toContain('@oncall_lead 123456789');
  });

  it('quiet hours silence a message at night, except what the except matchers match', async () => {
    const night = [
      { severity: 'critical', namespace: 'shop', name: 'Down' },
      { severity: 'debug', namespace: 'shop', name: 'Chatty' },
    ];
    // 23:30 in Berlin (summer time, UTC+2).
    const { out } = await renderAlerts(night, '2026-03-29T21:30:00Z');
    expect(out).toContain('routes[0] (severity="critical") → topic 12 · with notification');
    expect(out).toContain("no route matched → the channel's own thread · silent");
  });

  it('-o html prints the Telegram HTML, every value escaped', async () => {
    const { code, out } = await render(['-f', file('channel.yaml', CHANNEL), '--sample', 'hostile-labels', '-o', 'html']);
    expect(code).toBe(0);
    expect(out).toContain('<b>&lt;b&gt;&amp;&#34;</b>');
    expect(out).not.toContain('<script>');
  });

  it('without a template, the built-in Alertmanager rendering', async () => {
    const plain = CHANNEL.replace(/ {2}template:[\s\S]*?(?= {2}routes:)/, '');
    const { code, out } = await render(['-f', file('plain.yaml', plain), '--sample', 'one-alert']);
    expect(code).toBe(0);
    expect(out).toContain('🔥 FIRING (1)');
  });

  it("a Grafana payload: the built-in Grafana rendering without a template, Grafana's fields in a template", async () => {
    const grafana = path.join(path.dirname(new URL(import.meta.url).pathname), '../../fixtures/grafana-webhook-docs.json');
    const plain = CHANNEL.replace(/ {2}template:[\s\S]*?(?= {2}routes:)/, '').replace(/ {2}routes:[\s\S]*?(?= {2}quietHours:)/, '');
    const builtIn = await render(['-f', file('plain-grafana.yaml', plain), '--payload', grafana, '-o', 'html']);
    expect(builtIn).toMatchObject({ code: 0, out: expect.stringContaining('<b>[FIRING:2]  (blue)</b>') });
    expect(builtIn.out).toContain('Values: B=<code>44.2394</code>');
    const templated = plain.replace(
      '  quietHours:',
      "  template:\n    firing: \"{{ title }}: {{ alerts | map: 'values' | map: 'B' | join: ', ' }}\"\n  quietHours:",
    );
    const withTemplate = await render(['-f', file('grafana.yaml', templated), '--payload', grafana]);
    expect(withTemplate).toMatchObject({
      code: 0,
      out: expect.stringContaining('[FIRING:2]  (blue): 44.23943737541908, 44.23943737541908'),
    });
  });

  it('a ConfigMap template comes from the same file', async () => {
    const withCm =
      CHANNEL.replace(/ {2}template:[\s\S]*?(?= {2}routes:)/, '  template: {configMapRef: {name: tpl}}\n') +
      '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: tpl, namespace: monitoring, labels: {telegram.notify.dev/template: "true"}}\ndata:\n  firing: "from the ConfigMap: {{ alerts.size }}"\n';
    const { code, out } = await render(['-f', file('cm.yaml', withCm), '--sample', 'one-alert']);
    expect(code).toBe(0);
    expect(out).toContain('from the ConfigMap: 1');
    const unlabelled = withCm.replace(', labels: {telegram.notify.dev/template: "true"}', '');
    expect(await render(['-f', file('cm-unlabelled.yaml', unlabelled)])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/ConfigMap monitoring\/tpl is not labelled telegram\.notify\.dev\/template: "true"/),
    });
    const missing = CHANNEL.replace(/ {2}template:[\s\S]*?(?= {2}routes:)/, '  template: {configMapRef: {name: tpl}}\n');
    const failed = await render(['-f', file('cm-missing.yaml', missing)]);
    expect(failed).toMatchObject({
      code: 1,
      err: expect.stringMatching(/names ConfigMap monitoring\/tpl: put that ConfigMap in the same file/),
    });
  });

  it.each([
    [
      'a template that does not parse',
      (s: string) => s.replace('{% endfor %}', '{% endfor'),
      /error: spec\.template: firing template, line 1, column 1, sample one-alert \(firing\): syntax error/,
    ],
    [
      'an unknown filter',
      (s: string) => s.replace('{{ a.labels.alertname }}', '{{ a.labels.alertname | shout }}'),
      /firing template, line 1, column 28, .*unknown filter: shout/,
    ],
    ['a tag Telegram refuses', (s: string) => s.replace('<b>', '<blink>').replace('</b>', '</blink>'), /output Telegram would refuse/],
    [
      'a template that renders empty',
      (s: string) => s.replace(/firing: \|[\s\S]*?(?= {2}routes:)/, 'firing: "{% if false %}x{% endif %}"\n'),
      /renders nothing/,
    ],
    [
      'a runaway loop',
      (s: string) => s.replace('{% for a in firing %}', '{% for i in (1..300000000) %}{% endfor %}{% for a in firing %}'),
      /over the render (limits|deadline)/,
    ],
    [
      'a label printed raw',
      (s: string) => s.replace('{{ a.labels.alertname }}', '{{ a.labels.alertname | raw }}'),
      /sample hostile-labels \(firing\): output Telegram would refuse/,
    ],
    [
      'a matcher that does not parse',
      (s: string) => s.replace(`['severity="critical"']`, `['severity="critical']`),
      /error: spec\.routes\[0\]\.matchers\[0\]: matcher value has no closing double quote at position 9/,
    ],
    [
      'an unknown time zone',
      (s: string) => s.replace('Europe/Berlin', 'Mars/Olympus'),
      /error: spec\.quietHours\.timeZone: unknown time zone "Mars\/Olympus"/,
    ],
    [
      'a topic name that does not parse',
      (s: string) => s.replace('"{{ labels.namespace }}"', '"{{ labels.namespace"'),
      /error: spec\.routes\[1\]\.topic\.name: the topic name template fails at line 1, column 1/,
    ],
  ])('%s exits 1 saying where', async (_name, edit, message) => {
    const { code, err } = await render(['-f', file('broken.yaml', edit(CHANNEL))]);
    expect(err).toMatch(message);
    expect(code).toBe(1);
  });

  it('64 KiB of template is checked like any other; 64 KiB + 1 is refused with the limit', async () => {
    const big = (n: number) => CHANNEL.replace(/firing: \|[\s\S]*?(?= {2}routes:)/, `firing: "${'x'.repeat(n)}"\n`);
    expect((await render(['-f', file('big.yaml', big(64 * 1024))])).code).toBe(0);
    expect(await render(['-f', file('bigger.yaml', big(64 * 1024 + 1))])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/spec\.template\.firing: must be at most 64 KiB/),
    });
  });

  it("a topic name that renders empty or over 128 characters on a real alert stays in the channel's own thread, and says why", async () => {
    const f = file('channel.yaml', CHANNEL);
    const p = file(
      'odd.json',
      payload([
        { severity: 'warning', namespace: '', name: 'NoNamespace' },
        { severity: 'warning', namespace: 'n'.repeat(129), name: 'LongNamespace' },
      ]),
    );
    const { code, out } = await render(['-f', f, '--payload', p]);
    expect(code).toBe(0);
    expect(out).toContain("→ the channel's own thread (the topic name renders empty)");
    expect(out).toContain("→ the channel's own thread (the topic name renders 129 characters, over Telegram's 128)");
  });

  it('an unknown sample lists the samples by name (usage, exit 2); bad inputs say what is wrong', async () => {
    const f = file('channel.yaml', CHANNEL);
    expect(await render(['-f', f, '--sample', 'nope'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown sample "nope": the samples are one-alert, one-alert-resolved, fifty-mixed'),
    });
    expect(await render(['-f', path.join(dir, 'absent.yaml')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/cannot read the manifest .*ENOENT/),
    });
    expect(await render(['-f', f, '--payload', file('bad.json', '{"version":"4"}')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/is not a webhook payload the operator takes; as Alertmanager's: status: .*; as Grafana's: status: /),
    });
    expect(await render(['-f', f, '--payload', file('bad.txt', 'nope')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/is not JSON/),
    });
    expect(await render(['-f', file('two.yaml', `${CHANNEL}---\n${CHANNEL}`)])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/exactly one TelegramChannel; it holds 2/),
    });
    expect(await render([])).toMatchObject({ code: 2, err: expect.stringMatching(/render needs -f FILE/) });
    expect(await render(['-f', f, '--sample', 'one-alert', '--payload', 'x.json'])).toMatchObject({ code: 2 });
    expect(await render(['-f', f, '--at', 'yesterday'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--at "yesterday" is not a time/),
    });
  });

  it('help render describes the command and its samples', async () => {
    const io = fakeIo();
    expect(await run(['help', 'render'], io)).toBe(0);
    expect(io.outText()).toMatch(/render -f channel\.yaml/);
    expect(io.outText()).toMatch(/one-alert, fifty-mixed, hostile-labels, missing-annotations/);
  });
});
