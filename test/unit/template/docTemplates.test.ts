// What docs/templates-and-routes.md tells a user to paste works: the three ready-to-paste templates pass
// the check TemplateValid runs, and every Liquid cell of the table translating Alertmanager's Go template
// idioms renders what its Go counterpart would, on the built-in one-alert sample.
import { goTemplateIdioms, readyToPasteTemplates } from '../../../bench/lib/docTemplates.js';
import { templateData } from '../../../src/template/data.js';
import { RenderPool } from '../../../src/template/pool.js';
import { templateSamples } from '../../../src/template/samples.js';
import { validateTemplates } from '../../../src/template/validate.js';

let pool: RenderPool;
beforeAll(() => {
  pool = new RenderPool({ size: 2 });
});
afterAll(() => pool.close());

const channel = { namespace: 'shop', name: 'oncall' };

test.each(readyToPasteTemplates().map((t) => [t.title, t] as const))(
  'ready-to-paste template "%s" passes TemplateValid',
  async (_title, t) => {
    expect(await validateTemplates(pool, t, { channel })).toEqual({ ok: true });
  },
);

// The one-alert sample: HighCPU, severity warning, instance web-1:9100, namespace shop, since 00:30 UTC.
const EXPECTED: Record<string, string> = {
  '{{ range .Alerts }}…{{ end }}': '…',
  '{{ range .Alerts.Firing }}': '',
  '{{ .Labels.alertname }}': 'HighCPU',
  '{{ .CommonLabels.severity }}': 'warning',
  '{{ .CommonLabels.severity | toUpper }}': 'WARNING',
  '{{ .GroupLabels.alertname }}': 'HighCPU',
  '{{ range .Alerts }}{{ .Labels.alertname }} {{ end }}': 'HighCPU',
  '{{ len .Alerts.Firing }}': '1',
  '{{ if eq .Status "firing" }}': '',
  '{{ .CommonLabels.Values | join ", " }}': 'HighCPU, warning, web-1:9100, shop',
  '{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}':
    'alertname=HighCPU severity=warning instance=web-1:9100 namespace=shop ',
  '{{ .CommonLabels.severity | toLower }}': 'warning',
  '{{ .StartsAt.Format "15:04" }}': '00:30',
  '{{ reReplaceAll ":.*" "" .Labels.instance }}': 'web-1',
  '{{ .Annotations.summary | safeHtml }}': 'CPU above 90% for 10 minutes',
  '{{ .ExternalURL }}': 'http://alertmanager.monitoring:9093',
};

/** A table cell is a fragment: an opened block is closed, and one about an alert `a` runs inside the loop over the alerts. */
function runnable(liquid: string): string {
  let t = liquid;
  if (/{%\s*for\b/.test(t) && !/{%\s*endfor/.test(t)) t += '{% endfor %}';
  if (/{%\s*if\b/.test(t) && !/{%\s*endif/.test(t)) t += '{% endif %}';
  return /\ba\./.test(t) && !/for a in/.test(t) ? `{% for a in alerts %}${t}{% endfor %}` : t;
}

test('every Liquid cell of the Go-idiom table renders what the Go template would', async () => {
  const idioms = goTemplateIdioms();
  // The idioms the issue names are in the table.
  for (const go of ['range .Alerts', '.CommonLabels', 'toUpper', 'join']) expect(idioms.some((i) => i.go.includes(go))).toBe(true);
  expect(idioms.map((i) => i.go).sort()).toEqual(Object.keys(EXPECTED).sort());
  const data = templateData(templateSamples('firing').find((s) => s.name === 'one-alert')!.notification, channel);
  for (const { go, liquid } of idioms) {
    const result = await pool.render({ template: runnable(liquid), data });
    expect({ go, result }).toEqual({ go, result: { ok: true, output: EXPECTED[go] } });
  }
});
