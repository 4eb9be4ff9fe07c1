// Which silences API a press of each source calls, and what an episode without a source is.
import { channelSilence, channelSilences, silenceApiBase, silenceField, sourceOf } from '../../../src/api/silenceSources.js';
import { parseSpec, type ChannelSpec } from '../../../src/api/types.js';

function spec(fields: Record<string, unknown>): ChannelSpec {
  const p = parseSpec({ tokenSecretRef: { name: 'bot' }, chatId: '-1001', ...fields });
  if (!p.ok) throw new Error(p.message);
  return p.spec;
}

const am = { tokenSecretRef: { name: 'am' }, silence: { url: 'http://am.monitoring.svc:9093' } };
const grafana = { tokenSecretRef: { name: 'g' }, silence: { url: 'http://grafana.monitoring.svc:3000', durations: ['30m'] } };

test("Grafana's URL is its base: the API lives under /api/alertmanager/grafana (a sub-path and a trailing slash kept right)", () => {
  expect(silenceApiBase('grafana', 'http://grafana.monitoring.svc:3000')).toBe(
    'http://grafana.monitoring.svc:3000/api/alertmanager/grafana',
  );
  expect(silenceApiBase('grafana', 'https://ops.example/grafana/')).toBe('https://ops.example/grafana/api/alertmanager/grafana');
  expect(silenceApiBase('alertmanager', 'http://am:9093/prefix')).toBe('http://am:9093/prefix');
});

test('an episode without a source is an Alertmanager one; a source without buttons is none', () => {
  expect(sourceOf(undefined)).toBe('alertmanager');
  expect(sourceOf('alertmanager')).toBe('alertmanager');
  expect(sourceOf('grafana')).toBe('grafana');
  expect(sourceOf('kubernetesEvents')).toBeUndefined();
  expect(silenceField(undefined)).toBe('spec.alertmanager.silence');
  expect(silenceField('grafana')).toBe('spec.grafana.silence');
});

test("each source's own settings: never the other source's", () => {
  const both = spec({ alertmanager: am, grafana });
  expect(channelSilence(both, 'grafana')).toMatchObject({
    source: 'grafana',
    field: 'spec.grafana.silence',
    displayName: 'Grafana',
    apiBase: 'http://grafana.monitoring.svc:3000/api/alertmanager/grafana',
    silence: { durations: ['30m'] },
  });
  expect(channelSilence(both, undefined)).toMatchObject({ source: 'alertmanager', apiBase: 'http://am.monitoring.svc:9093' });
  expect(channelSilences(both).map((s) => s.source)).toEqual(['alertmanager', 'grafana']);
  const grafanaOnly = spec({ alertmanager: am, grafana: { tokenSecretRef: { name: 'g' } } });
  expect(channelSilence(grafanaOnly, 'grafana')).toBeUndefined();
  expect(channelSilences(grafanaOnly).map((s) => s.source)).toEqual(['alertmanager']);
  expect(channelSilence(both, 'kubernetesEvents')).toBeUndefined();
});
