// Allow-list entries for silence URLs: host[:port], the port included in the match, *.suffix for a domain.
import { SILENCE_HOST_PATTERN, silenceHostAllowed } from '../../../src/api/silenceHosts.js';

const SVC = ['alertmanager-operated.monitoring.svc:9093'];
const AM = ['am.example.com'];
const WILDCARD = ['*.monitoring.svc:9093'];

/** Each case: URLs, each with the allow-list it is checked against and whether it is allowed. */
test.each<[string, [string, string[], boolean][]]>([
  [
    'an entry with a port allows that host on that port only',
    [
      ['http://alertmanager-operated.monitoring.svc:9093', SVC, true],
      ['http://alertmanager-operated.monitoring.svc:9093/prefix', SVC, true],
      ['http://alertmanager-operated.monitoring.svc:9094', SVC, false],
      ['http://alertmanager-operated.monitoring.svc', SVC, false],
      ['http://alertmanager-operated.monitoring.svc.evil.example:9093', SVC, false],
      ['http://evil.example:9093', SVC, false],
    ],
  ],
  [
    "an entry without a port allows the scheme's default port only",
    [
      ['https://am.example.com', AM, true],
      ['https://am.example.com:443', AM, true],
      ['http://am.example.com', AM, true],
      ['https://am.example.com:8443', AM, false],
      ['http://am.example.com:443', AM, false],
    ],
  ],
  [
    '*.suffix allows hosts under the domain, not the domain itself nor a look-alike',
    [
      ['http://alertmanager-operated.monitoring.svc:9093', WILDCARD, true],
      ['http://a.b.monitoring.svc:9093', WILDCARD, true],
      ['http://monitoring.svc:9093', WILDCARD, false],
      ['http://evilmonitoring.svc:9093', WILDCARD, false],
      ['http://am.monitoring.svc.evil:9093', WILDCARD, false],
    ],
  ],
  [
    'names compare without case; IPv4 and IPv6 literals work; an empty list allows nothing',
    [
      ['http://AM.Example.COM:9093', ['am.example.com:9093'], true],
      ['http://127.0.0.1:9093', ['127.0.0.1:9093'], true],
      ['http://[::1]:9093', ['[::1]:9093'], true],
      ['http://127.0.0.1:9093', [], false],
      ['not a url', ['127.0.0.1:9093'], false],
    ],
  ],
])('%s', (_name, urls) => {
  for (const [url, hosts, allowed] of urls) expect([url, hosts, silenceHostAllowed(url, hosts)]).toEqual([url, hosts, allowed]);
});

test('the entry syntax: host[:port] in lowercase, no scheme, path or user', () => {
  for (const ok of ['am', 'am.monitoring.svc:9093', '*.monitoring.svc', '10.0.0.1:9093', '[fd00::1]:9093']) {
    expect(SILENCE_HOST_PATTERN.test(ok)).toBe(true);
  }
  for (const bad of ['http://am:9093', 'am:9093/path', 'user@am', '*', '*.', 'AM', 'am:', 'a b']) {
    expect(SILENCE_HOST_PATTERN.test(bad)).toBe(false);
  }
});
