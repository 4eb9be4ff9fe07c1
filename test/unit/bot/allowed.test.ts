// allowedNamespaces: names and/or a label selector; empty allows nobody (pure logic).
import { parseBotSpec, type BotSpec } from '../../../src/api/types.js';
import { describeAllowed, namespaceAllowed, selectorMatches } from '../../../src/bot/allowed.js';

const spec = (allowedNamespaces?: unknown): BotSpec => {
  const r = parseBotSpec({ tokenSecretRef: { name: 'bot', namespace: 'telegram-system' }, allowedNamespaces });
  if (!r.ok) throw new Error(r.message);
  return r.spec;
};

test('absent, empty, an empty names list and an empty selector all allow nobody', () => {
  for (const a of [undefined, {}, { names: [] }, { selector: {} }, { selector: { matchLabels: {}, matchExpressions: [] } }]) {
    expect(namespaceAllowed(spec(a), 'monitoring', { any: 'label' })).toBe(false);
  }
  expect(describeAllowed(spec())).toBe('no namespace (allowedNamespaces is empty)');
});

test('by name, by label, or either', () => {
  const s = spec({ names: ['monitoring'], selector: { matchLabels: { team: 'ops' } } });
  expect(namespaceAllowed(s, 'monitoring', {})).toBe(true);
  expect(namespaceAllowed(s, 'payments', { team: 'ops' })).toBe(true);
  expect(namespaceAllowed(s, 'payments', { team: 'dev' })).toBe(false);
  expect(namespaceAllowed(s, 'monitoring-2', {})).toBe(false); // names are exact, not prefixes
  expect(describeAllowed(s)).toBe('namespaces monitoring or namespaces labelled team=ops');
});

test('matchExpressions: In, NotIn, Exists, DoesNotExist, all ANDed with matchLabels', () => {
  const m = (matchExpressions: unknown[], labels: Record<string, string>, matchLabels?: Record<string, string>) =>
    selectorMatches({ matchLabels, matchExpressions } as never, labels);
  expect(m([{ key: 'tier', operator: 'In', values: ['a', 'b'] }], { tier: 'b' })).toBe(true);
  expect(m([{ key: 'tier', operator: 'In', values: ['a'] }], {})).toBe(false);
  expect(m([{ key: 'tier', operator: 'NotIn', values: ['a'] }], {})).toBe(true);
  expect(m([{ key: 'tier', operator: 'NotIn', values: ['a'] }], { tier: 'a' })).toBe(false);
  expect(m([{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }], { 'kubernetes.io/metadata.name': 'x' })).toBe(true);
  expect(m([{ key: 'legacy', operator: 'DoesNotExist' }], { legacy: '' })).toBe(false);
  expect(m([{ key: 'tier', operator: 'Exists' }], { tier: 'a' }, { team: 'ops' })).toBe(false);
  expect(m([{ key: 'tier', operator: 'Exists' }], { tier: 'a', team: 'ops' }, { team: 'ops' })).toBe(true);
});

test('a label value that only looks like a match does not match (no prototype keys, no coercion)', () => {
  expect(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {})).toBe(false);
  expect(selectorMatches({ matchLabels: { a: 'true' } }, { a: 'True' })).toBe(false);
});

test('a malformed selector the CRD would refuse is refused by the parser too, with the same words', () => {
  const parse = (expr: unknown) =>
    parseBotSpec({ tokenSecretRef: { name: 'b', namespace: 'n' }, allowedNamespaces: { selector: { matchExpressions: [expr] } } });
  expect(parse({ key: 'a', operator: 'In' })).toEqual({ ok: false, message: 'spec.allowedNamespaces.selector: In on "a" needs values' });
  expect(parse({ key: 'a', operator: 'Exists', values: ['x'] })).toEqual({
    ok: false,
    message: 'spec.allowedNamespaces.selector: Exists on "a" takes no values',
  });
  expect(parse({ key: 'a', operator: 'Like' }).ok).toBe(false);
  expect(parseBotSpec({ tokenSecretRef: { name: 'b' } })).toEqual({
    ok: false,
    message: expect.stringContaining('spec.tokenSecretRef.namespace'),
  });
});
