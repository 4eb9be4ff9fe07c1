// Tenancy and filters: a channel relays its own namespace's events; namespaceSelector and cluster-scoped
// objects only in a namespace of EVENTS_CLUSTER_NAMESPACES; the watches follow the subscriptions.
import { KubernetesEventsSpecSchema } from '../../../src/api/types.js';
import { CLUSTER_SCOPE, relays, subscriptionOf, watchScopes } from '../../../src/events/subscriptions.js';
import { warningEvent } from './fixtures.js';

const TRUSTED = ['platform'];
const sub = (namespace: string, spec: Record<string, unknown> = {}) =>
  subscriptionOf(`${namespace}/ch`, namespace, KubernetesEventsSpecSchema.parse(spec), TRUSTED);
const noLabels = () => undefined;

test("a channel relays its own namespace's events, not another's", () => {
  const s = sub('team-a');
  expect(relays(s, warningEvent({ namespace: 'team-a' }), noLabels)).toBe(true);
  expect(relays(s, warningEvent({ namespace: 'team-b' }), noLabels)).toBe(false);
  // Recorded in team-a but about an object of team-b: not team-a's to see.
  expect(relays(s, warningEvent({ namespace: 'team-a', objectNamespace: 'team-b' }), noLabels)).toBe(false);
});

test('reasons and kinds filter; empty lists relay everything', () => {
  const s = sub('team-a', { reasons: ['BackOff'], kinds: ['Pod'] });
  expect(relays(s, warningEvent(), noLabels)).toBe(true);
  expect(relays(s, warningEvent({ reason: 'FailedMount' }), noLabels)).toBe(false);
  expect(relays(s, warningEvent({ kind: 'Deployment' }), noLabels)).toBe(false);
  expect(relays(sub('team-a'), warningEvent({ reason: 'Anything', kind: 'Job' }), noLabels)).toBe(true);
});

test('namespaceSelector outside EVENTS_CLUSTER_NAMESPACES is refused: own namespace only, no Nodes, watched per namespace', () => {
  const s = sub('team-a', { namespaceSelector: {} });
  expect(s.selectorRefused).toBe(true);
  expect(s.selector).toBeUndefined();
  expect(relays(s, warningEvent({ namespace: 'team-b' }), noLabels)).toBe(false);
  expect(relays(s, warningEvent({ namespace: 'default', objectNamespace: '', kind: 'Node', object: 'node-1' }), noLabels)).toBe(false);
  expect(relays(s, warningEvent({ namespace: 'team-a' }), noLabels)).toBe(true);
  expect(watchScopes([s])).toEqual(new Set(['team-a']));
});

test('a trusted channel with a selector: the namespaces it selects and cluster-scoped objects, over one cluster-wide watch', () => {
  const s = sub('platform', { namespaceSelector: { matchLabels: { tier: 'prod' } } });
  const labels = (ns: string) => (ns === 'shop' ? { tier: 'prod' } : { tier: 'dev' });
  expect(relays(s, warningEvent({ namespace: 'shop' }), labels)).toBe(true);
  expect(relays(s, warningEvent({ namespace: 'sandbox' }), labels)).toBe(false);
  expect(relays(s, warningEvent({ namespace: 'default', objectNamespace: '', kind: 'Node', object: 'node-1' }), labels)).toBe(true);
  expect(watchScopes([sub('team-a'), s])).toEqual(new Set([CLUSTER_SCOPE]));
});

test('{} selects every namespace; without namespace labels the name label is used', () => {
  const all = sub('platform', { namespaceSelector: {} });
  expect(relays(all, warningEvent({ namespace: 'anything' }), noLabels)).toBe(true);
  const byName = sub('platform', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } });
  expect(relays(byName, warningEvent({ namespace: 'shop' }), noLabels)).toBe(true);
  expect(relays(byName, warningEvent({ namespace: 'other' }), noLabels)).toBe(false);
});

test('a trusted channel without a selector is its own namespace only; the watches are one per namespace asked for', () => {
  const s = sub('platform');
  expect(relays(s, warningEvent({ namespace: 'default', objectNamespace: '', kind: 'Node' }), noLabels)).toBe(false);
  expect(watchScopes([sub('team-a'), sub('team-b'), sub('team-a')])).toEqual(new Set(['team-a', 'team-b']));
  expect(watchScopes([])).toEqual(new Set());
});

test('the window: 10m by default, 1m to 24h', () => {
  expect(sub('team-a').windowMs).toBe(600_000);
  expect(KubernetesEventsSpecSchema.safeParse({ window: '30s' }).success).toBe(false);
  expect(KubernetesEventsSpecSchema.safeParse({ window: '25h' }).success).toBe(false);
  expect(KubernetesEventsSpecSchema.safeParse({ window: '1m' }).success).toBe(true);
  expect(KubernetesEventsSpecSchema.safeParse({ window: '24h' }).success).toBe(true);
});
