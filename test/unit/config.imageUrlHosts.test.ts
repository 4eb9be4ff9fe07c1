// IMAGE_URL_HOSTS: the hosts an alert's image may be fetched from; empty by default (no image is
// fetched), the same host[:port] entries as SILENCE_URL_HOSTS, a malformed entry stops start-up.
import { silenceHostAllowed } from '../../src/api/silenceHosts.js';
import { loadConfig } from '../../src/config.js';

test('empty by default: no image host is allowed', () => {
  expect(loadConfig({}).imageUrlHosts).toEqual([]);
  expect(silenceHostAllowed('http://grafana.monitoring.svc:3000/render/x.png', loadConfig({}).imageUrlHosts)).toBe(false);
});

test('entries are trimmed and lowercased, and match host and port', () => {
  const hosts = loadConfig({ IMAGE_URL_HOSTS: ' Grafana.Monitoring.svc:3000, ,*.grafana.example.com ' }).imageUrlHosts;
  expect(hosts).toEqual(['grafana.monitoring.svc:3000', '*.grafana.example.com']);
  expect(silenceHostAllowed('http://grafana.monitoring.svc:3000/render/x.png', hosts)).toBe(true);
  expect(silenceHostAllowed('http://grafana.monitoring.svc:80/render/x.png', hosts)).toBe(false);
  expect(silenceHostAllowed('https://eu.grafana.example.com/x.png', hosts)).toBe(true);
});

test('a scheme or a path in an entry stops start-up naming the variable, without echoing the value', () => {
  for (const bad of ['http://grafana:3000', 'grafana:3000/render']) {
    expect(() => loadConfig({ IMAGE_URL_HOSTS: bad })).toThrow(
      /^invalid configuration: IMAGE_URL_HOSTS\.0: expected host\[:port\] as in the URL/,
    );
    try {
      loadConfig({ IMAGE_URL_HOSTS: bad });
    } catch (e) {
      expect((e as Error).message).not.toContain(bad);
    }
  }
});
