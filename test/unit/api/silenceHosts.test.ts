// Allow-list entries for silence URLs: host[:port], the port included in the match, *.suffix for a domain.
import { SILENCE_HOST_PATTERN, silenceHostAllowed } from '../../../src/api/silenceHosts.js';

const SVC = ['alertmanager-operated.monitoring.svc:9093'];
const AM = ['am.example.com'];
const WILDCARD = ['*.monitoring.svc:9093'];

/** Each case: an allow-list, the URLs it allows and the URLs it refuses. */
test.each<[string, string[], { allows: string[]; refuses: string[] }]>([
  [
    'an entry with a port allows that host on that port only',
    SVC,
    {
      allows: ['http://alertmanager-operated.monitoring.svc:9093', 'http://alertmanager-operated.monitoring.svc:9093/prefix'],
      refuses: [
        'http://alertmanager-operated.monitoring.svc:9094',
        'http://alertmanager-operated.monitoring.svc',
        'http://alertmanager-operated.monitoring.svc.evil.example:9093',
        'http://evil.example:9093',
      ],
    },
  ],
  [
    "an entry without a port allows the scheme's default port only",
    AM,
    {
      allows: ['https://am.example.com', 'https://am.example.com:443', 'http://am.example.com'],
      refuses: ['https://am.example.com:8443', 'http://am.example.com:443'],
    },
  ],
  [
    '*.suffix allows hosts under the domain, not the domain itself nor a look-alike',
    WILDCARD,
    {
      allows: ['http://alertmanager-operated.monitoring.svc:9093', 'http://a.b.monitoring.svc:9093'],
      refuses: ['http://monitoring.svc:9093', 'http://evilmonitoring.svc:9093', 'http://am.monitoring.svc.evil:9093'],
    },
  ],
  ['names compare without case', ['am.example.com:9093'], { allows: ['http://AM.Example.COM:9093'], refuses: [] }],
  [
    'an IPv4 literal works; what is not a URL is refused',
    ['127.0.0.1:9093'],
    { allows: ['http://127.0.0.1:9093'], refuses: ['not a url'] },
  ],
  ['an IPv6 literal works', ['[::1]:9093'], { allows: ['http://[::1]:9093'], refuses: [] }],
  ['an empty list allows nothing', [], { allows: [], refuses: ['http://127.0.0.1:9093'] }],
])('%s', (_name, hosts, { allows, refuses }) => {
  for (const url of allows) expect([url, silenceHostAllowed(url, hosts)]).toEqual([url, true]);
  for (const url of refuses) expect([url, silenceHostAllowed(url, hosts)]).toEqual([url, false]);
});

test('the entry syntax: host[:port] in lowercase, no scheme, path or user', () => {
  for (const ok of ['am', 'am.monitoring.svc:9093', '*.monitoring.svc', '10.0.0.1:9093', '[fd00::1]:9093']) {
    expect(SILENCE_HOST_PATTERN.test(ok)).toBe(true);
  }
  for (const bad of ['http://am:9093', 'am:9093/path', 'user@am', '*', '*.', 'AM', 'am:', 'a b']) {
    expect(SILENCE_HOST_PATTERN.test(bad)).toBe(false);
  }
});
