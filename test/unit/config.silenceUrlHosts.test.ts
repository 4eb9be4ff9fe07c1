// SILENCE_URL_HOSTS: a comma list of host[:port] entries, empty by default; a malformed entry stops
// start-up naming the variable and the expected shape, never echoing the value.
import { loadConfig } from '../../src/config.js';

test('empty by default; entries trimmed, lowercased, blanks dropped', () => {
  expect(loadConfig({}).silenceUrlHosts).toEqual([]);
  expect(loadConfig({ SILENCE_URL_HOSTS: '' }).silenceUrlHosts).toEqual([]);
  expect(loadConfig({ SILENCE_URL_HOSTS: ' Alertmanager-Operated.monitoring.svc:9093, ,*.am.example.com ' }).silenceUrlHosts).toEqual([
    'alertmanager-operated.monitoring.svc:9093',
    '*.am.example.com',
  ]);
});

test('a scheme, a path, a user or a space inside an entry stops start-up with the expected shape', () => {
  for (const bad of ['http://am:9093', 'am:9093/api', 'user@am-secret-host', 'am host']) {
    let message = '';
    try {
      loadConfig({ SILENCE_URL_HOSTS: bad });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid configuration: SILENCE_URL_HOSTS\.0: expected host\[:port\] as in the URL/);
    expect(message).not.toContain(bad);
  }
});
