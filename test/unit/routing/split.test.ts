// Routes compiled with positions in their errors, and a notification's alerts grouped by the first
// route each matches: the function the delivery path reuses to send one message per route.
import { compileQuietHoursSpec, compileRoutes, RouteSpecError } from '../../../src/routing/routes.js';
import { routeOf, splitByRoute } from '../../../src/routing/split.js';

const routes = compileRoutes([
  { matchers: ['severity="critical"'], name: 'critical' },
  { matchers: ['severity=~"warning|info"', 'team!="db"'], name: 'warnings' },
  { matchers: ['severity=~"warning|info"'], name: 'db warnings' },
]);
const alert = (id: string, labels: Record<string, string>) => ({ id, labels });

describe('splitByRoute', () => {
  it('groups alerts by the first route they match, routes in order, the unrouted last, alerts in order', () => {
    const groups = splitByRoute(
      [
        alert('w1', { severity: 'warning', team: 'web' }),
        alert('x', { severity: 'debug' }),
        alert('c1', { severity: 'critical', team: 'db' }),
        alert('d1', { severity: 'info', team: 'db' }),
        alert('c2', { severity: 'critical' }),
        alert('none', {}),
      ],
      routes,
    );
    expect(groups.map((g) => [g.route?.spec.name, g.alerts.map((a) => a.id)])).toEqual([
      ['critical', ['c1', 'c2']],
      ['warnings', ['w1']],
      ['db warnings', ['d1']],
      [undefined, ['x', 'none']],
    ]);
  });

  it('gives no empty groups, and everything to the channel without routes', () => {
    expect(splitByRoute([alert('a', { severity: 'critical' })], routes)).toHaveLength(1);
    expect(splitByRoute([alert('a', {}), alert('b', {})], [])).toEqual([{ alerts: [alert('a', {}), alert('b', {})] }]);
    expect(splitByRoute([], routes)).toEqual([]);
  });

  it('an empty matcher list matches every alert, as an Alertmanager route does', () => {
    const all = compileRoutes([{ matchers: [] }]);
    expect(routeOf(all, { anything: 'x' })?.index).toBe(0);
  });

  it("a catastrophic regex, (a+)+$, on 10,000 a's answers (RE2: linear time, no backtracking)", () => {
    const [route] = compileRoutes([{ matchers: ['instance=~"(a+)+$"'] }]);
    expect(routeOf([route!], { instance: 'a'.repeat(10_000) })?.index).toBe(0);
    expect(routeOf([route!], { instance: `${'a'.repeat(10_000)}!` })).toBeUndefined();
  });
});

describe('compileRoutes and compileQuietHoursSpec', () => {
  it('name the route, the matcher and the position of a matcher that does not parse', () => {
    expect(() => compileRoutes([{ matchers: ['a="b"'] }, { matchers: ['team="web"', 'severity="critical'] }])).toThrow(
      new RouteSpecError('routes[1].matchers[1]', 'matcher value has no closing double quote at position 9: "critical'),
    );
    expect(() => compileRoutes([{ matchers: ['9lives="x"'] }])).toThrow(/^routes\[0\]\.matchers\[0\]: bad matcher format at position 0/);
  });

  it('refuse an unknown time zone, an equal from and to, and a broken except', () => {
    expect(() => compileQuietHoursSpec({ timeZone: 'Mars/Olympus', from: '22:00', to: '07:00' })).toThrow(
      /^quietHours\.timeZone: unknown time zone "Mars\/Olympus"/,
    );
    expect(() => compileQuietHoursSpec({ timeZone: 'UTC', from: '07:00', to: '07:00' })).toThrow(/^quietHours\.to: equals from/);
    try {
      compileQuietHoursSpec({ timeZone: 'UTC', from: '22:00', to: '07:00', except: ['ok="1"', 'bad'] });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(RouteSpecError);
      expect((e as RouteSpecError).field).toBe('quietHours.except[1]');
    }
  });
});
