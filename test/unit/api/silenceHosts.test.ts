// Allow-list entries for silence URLs: host[:port], the port included in the match, *.suffix for a domain.
import { SILENCE_HOST_PATTERN, silenceHostAllowed } from '../../../src/api/silenceHosts.js';

test('an entry with a port allows that host on that port only', () => {
  const hosts = ['alertmanager-operated.monitoring.svc:9093'];
  expect(silenceHostAllowed('http://alertmanager-operated.monitoring.svc:9093', hosts)).toBe(true);
  expect(silenceHostAllowed('http://alertmanager-operated.monitoring.svc:9093/prefix', hosts)).toBe(true);
  expect(silenceHostAllowed('http://alertmanager-operated.monitoring.svc:9094', hosts)).toBe(false);
  expect(silenceHostAllowed('http://alertmanager-operated.monitoring.svc', hosts)).toBe(false);
  expect(silenceHostAllowed('http://alertmanager-operated.monitoring.svc.evil.example:9093', hosts)).toBe(false);
  expect(silenceHostAllowed('http://evil.example:9093', hosts)).toBe(false);
});

test("an entry without a port allows the scheme's default port only", () => {
  expect(silenceHostAllowed('https://am.example.com', ['am.example.com'])).toBe(true);
  expect(silenceHostAllowed('https://am.example.com:443', ['am.example.com'])).toBe(true);
  expect(silenceHostAllowed('http://am.example.com', ['am.example.com'])).toBe(true);
  expect(silenceHostAllowed('https://am.example.com:8443', ['am.example.com'])).toBe(false);
  expect(silenceHostAllowed('http://am.example.com:443', ['am.example.com'])).toBe(false);
});

test('*.suffix allows hosts under the domain, not the domain itself nor a look-alike', () => {
  const hosts = ['*.monitoring.svc:9093'];
  expect(silenceHostAllowed('http://alertmanager-operated.monitoring.svc:9093', hosts)).toBe(true);
  expect(silenceHostAllowed('http://a.b.monitoring.svc:9093', hosts)).toBe(true);
  expect(silenceHostAllowed('http://monitoring.svc:9093', hosts)).toBe(false);
  expect(silenceHostAllowed('http://evilmonitoring.svc:9093', hosts)).toBe(false);
  expect(silenceHostAllowed('http://am.monitoring.svc.evil:9093', hosts)).toBe(false);
});

test('names compare without case; IPv4 and IPv6 literals work; an empty list allows nothing', () => {
  expect(silenceHostAllowed('http://AM.Example.COM:9093', ['am.example.com:9093'])).toBe(true);
  expect(silenceHostAllowed('http://127.0.0.1:9093', ['127.0.0.1:9093'])).toBe(true);
  expect(silenceHostAllowed('http://[::1]:9093', ['[::1]:9093'])).toBe(true);
  expect(silenceHostAllowed('http://127.0.0.1:9093', [])).toBe(false);
  expect(silenceHostAllowed('not a url', ['127.0.0.1:9093'])).toBe(false);
});

test('the entry syntax: host[:port] in lowercase, no scheme, path or user', () => {
  for (const ok of ['am', 'am.monitoring.svc:9093', '*.monitoring.svc', '10.0.0.1:9093', '[fd00::1]:9093']) {
    expect(SILENCE_HOST_PATTERN.test(ok)).toBe(true);
  }
  for (const bad of ['http://am:9093', 'am:9093/path', 'user@am', '*', '*.', 'AM', 'am:', 'a b']) {
    expect(SILENCE_HOST_PATTERN.test(bad)).toBe(false);
  }
});
