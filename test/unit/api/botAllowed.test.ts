// allowedNamespaces: names and/or a label selector; empty allows nobody (pure logic).
import { parseBotSpec, type BotSpec } from '../../../src/api/types.js';
import { chatAllowed, describeAllowed, namespaceAllowed, namespaceVerdict, selectorMatches } from '../../../src/api/botAllowed.js';

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

describe('a namespace the operator has not seen yet', () => {
  test('is not allowed by a NotIn or DoesNotExist selector, which "no labels" would satisfy: its verdict is unknown', () => {
    for (const matchExpressions of [
      [{ key: 'tier', operator: 'NotIn', values: ['restricted'] }],
      [{ key: 'legacy', operator: 'DoesNotExist' }],
    ]) {
      const s = spec({ selector: { matchExpressions } });
      expect(namespaceVerdict(s, 'payments', undefined)).toBe('unknown');
      expect(namespaceAllowed(s, 'payments', undefined)).toBe(false);
      expect(namespaceVerdict(s, 'payments', {})).toBe('allowed'); // once seen without those labels
    }
  });

  test('is allowed when listed by name (no labels needed), and refused when only a selector could allow it and none is set', () => {
    expect(namespaceVerdict(spec({ names: ['payments'] }), 'payments', undefined)).toBe('allowed');
    expect(namespaceVerdict(spec({ names: ['monitoring'] }), 'payments', undefined)).toBe('notAllowed');
    expect(namespaceVerdict(spec(), 'payments', undefined)).toBe('notAllowed');
  });
});

test('allowedChats: absent allows any chat; set, only the chats listed (usernames without case)', () => {
  const withChats = (allowedChats?: string[]) => {
    const r = parseBotSpec({ tokenSecretRef: { name: 'bot', namespace: 'telegram-system' }, allowedChats });
    if (!r.ok) throw new Error(r.message);
    return r.spec;
  };
  expect(chatAllowed(withChats(), '-100999')).toBe(true);
  const s = withChats(['-100123', '@Ops_Alerts']);
  expect(chatAllowed(s, '-100123')).toBe(true);
  expect(chatAllowed(s, '@ops_alerts')).toBe(true);
  expect(chatAllowed(s, '-100999')).toBe(false);
  expect(chatAllowed(s, '-1001234')).toBe(false);
  expect(chatAllowed(withChats([]), '-100123')).toBe(false);
  const bad = parseBotSpec({ tokenSecretRef: { name: 'bot', namespace: 'x' }, allowedChats: ['general'] });
  expect(bad.ok || bad.message).toMatch(/allowedChats.0: must be a chat id/);
});
