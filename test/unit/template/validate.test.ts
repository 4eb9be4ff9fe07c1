import { RenderPool } from '../../../src/template/pool.js';
import { templateSamples } from '../../../src/template/samples.js';
import { describeTemplateProblem, validateTemplates } from '../../../src/template/validate.js';

let pool: RenderPool;
beforeAll(() => {
  pool = new RenderPool({ size: 2 });
});
afterAll(() => pool.close());

const channel = { namespace: 'shop', name: 'oncall' };
const validate = (firing: string, resolved?: string) => validateTemplates(pool, { firing, resolved }, { channel });

describe('validateTemplates against the built-in samples', () => {
  it('accepts the SPEC example templates', async () => {
    const firing =
      '{% for a in firing %}🔥 <b>{{ a.labels.alertname }}</b> on {{ a.labels.instance }}\n{{ a.annotations.summary }}\n{% endfor %}' +
      '{% if firing.size == 0 %}all clear in {{ channel.namespace }}/{{ channel.name }}{% endif %}';
    const resolved = '✅ {{ resolved.size }} resolved: {{ resolved | map: "labels" | map: "alertname" | join: ", " }}';
    expect(await validate(firing, resolved)).toEqual({ ok: true });
  });

  it('a syntax error names the part, line, column and sample', async () => {
    const check = await validate('ok', 'line one\n{% for a in resolved %}{{ a.labels.alertname }}');
    expect(check).toMatchObject({ ok: false, part: 'resolved', kind: 'syntax', line: 2, column: 1, sample: 'one-alert (resolved)' });
    if (!check.ok) {
      expect(check.what).toContain('syntax error: tag {% for a in resolved %} not closed');
      expect(describeTemplateProblem(check)).toBe(
        'resolved template, line 2, column 1, sample one-alert (resolved): syntax error: tag {% for a in resolved %} not closed',
      );
    }
  });

  it('an unknown filter is reported as such', async () => {
    expect(await validate('{{ status | shout }}')).toMatchObject({
      ok: false,
      part: 'firing',
      kind: 'filter',
      line: 1,
      column: 1,
      what: 'unknown filter: shout',
    });
  });

  it('output Telegram would refuse: a tag it does not support, found on the sample that produces it', async () => {
    const check = await validate('<b>{{ status }}</b>\n<div>{{ receiver }}</div>');
    expect(check).toMatchObject({ ok: false, part: 'firing', kind: 'markup', sample: 'one-alert (firing)' });
    if (!check.ok) expect(check.what).toContain('output Telegram would refuse (rendered output line 2, column 1): unsupported tag <div>');
  });

  it('raw on a hostile label value breaks the markup, and the hostile sample says so', async () => {
    const check = await validate('<b>{{ commonLabels.severity | raw }}</b>');
    expect(check).toMatchObject({ ok: false, kind: 'markup', sample: 'hostile-labels (firing)' });
  });

  it('an empty render is a problem; the firing template stands in for a missing resolved one and is named', async () => {
    expect(await validate('  {% if false %}x{% endif %}\n')).toMatchObject({
      ok: false,
      part: 'firing',
      kind: 'empty',
      sample: 'one-alert (firing)',
    });
    expect(await validate('{% for a in firing %}{{ a.labels.alertname }}{% endfor %}')).toMatchObject({
      ok: false,
      part: 'firing',
      kind: 'empty',
      sample: 'one-alert (resolved)',
    });
  });

  it('missing annotations render as empty, not as an error', async () => {
    expect(await validate('{{ alerts[0].labels.alertname }}: {{ alerts[0].annotations.summary }}{{ commonAnnotations.nothing }}')).toEqual({
      ok: true,
    });
  });

  it('a runaway template is reported, and validation of the next template still works', async () => {
    const check = await validate('{% for i in (1..300000000) %}{% endfor %}x');
    expect(check).toMatchObject({ ok: false, part: 'firing', sample: 'one-alert (firing)' });
    if (!check.ok) expect(['limit', 'deadline', 'memory']).toContain(check.kind);
    expect(await validate('{{ status }}')).toEqual({ ok: true });
  });
});

describe('samples', () => {
  it('cover one alert, fifty mixed, hostile label values, missing annotations and a Grafana notification, firing and resolved', () => {
    for (const status of ['firing', 'resolved'] as const) {
      const samples = templateSamples(status);
      expect(samples.map((sample) => sample.name)).toEqual([
        'one-alert',
        'fifty-mixed',
        'hostile-labels',
        'missing-annotations',
        'grafana',
      ]);
      for (const sample of samples) expect(sample.notification.status).toBe(status);
      const mixed = samples[1]?.notification.alerts ?? [];
      expect(mixed).toHaveLength(50);
      if (status === 'firing') expect(new Set(mixed.map((alert) => alert.status))).toEqual(new Set(['firing', 'resolved']));
      expect(samples[2]?.notification.alerts[0]?.labels['alertname']).toBe('<b>&"');
      expect(samples[3]?.notification.alerts[0]?.annotations).toEqual({});
      expect(samples.map((sample) => sample.notification.source)).toEqual([
        'alertmanager',
        'alertmanager',
        'alertmanager',
        'alertmanager',
        'grafana',
      ]);
      expect(samples[4]?.notification.alerts[0]?.extras).toMatchObject({ values: { B: 93.57142857142857, C: 1 } });
    }
  });

  it("a template that reads Grafana's own fields is valid: the Alertmanager samples render them empty", async () => {
    expect(
      await validate('{{ title }}{% for a in alerts %} {{ a.values.B | round: 1 }} {{ a.dashboardURL }}{% endfor %} {{ status }}'),
    ).toEqual({
      ok: true,
    });
  });
});
