import { buildManifest, nameFromChat, TOKEN_PLACEHOLDER } from '../../../src/cli/manifest.js';
import { scalar, table, yamlDocument } from '../../../src/cli/output.js';

describe('table', () => {
  test('aligns columns on the widest cell and trims trailing spaces', () => {
    expect(
      table(
        ['ID', 'TYPE', 'NOTE'],
        [
          ['-1001', 'supergroup', ''],
          ['5', 'private', 'x'],
        ],
      ),
    ).toBe(['ID      TYPE         NOTE', '-1001   supergroup', '5       private      x'].join('\n'));
  });
  test('counts code points, not UTF-16 units', () => {
    const t = table(
      ['A', 'B'],
      [
        ['🚨🚨', 'x'],
        ['ab', 'y'],
      ],
    ).split('\n');
    expect(t[1]!.indexOf('x')).toBe(t[2]!.indexOf('y') + 2); // same column; the two astral chars are four UTF-16 units
  });
});

describe('yaml', () => {
  test.each([
    ['-1001234567890', '"-1001234567890"'],
    ['123', '"123"'],
    ['true', '"true"'],
    ['no', '"no"'],
    ['null', '"null"'],
    ['telegram.notify.dev/v1alpha1', 'telegram.notify.dev/v1alpha1'],
    ['Ops: "prod" #1', '"Ops: \\"prod\\" #1"'],
    ['<paste your token>', '"<paste your token>"'],
    ['', '""'],
  ])('scalar(%j) = %s', (input, out) => {
    expect(scalar(input)).toBe(out);
  });

  test('nested maps, lists and comments', () => {
    expect(yamlDocument({ a: { b: 1, c: [{ d: 'x' }, 'z', 'y'] }, e: undefined, f: {} }, ['hello'])).toBe(
      ['# hello', 'a:', '  b: 1', '  c:', '    - d: x', '    - z', '    - "y"', 'f: {}'].join('\n'),
    );
  });
});

describe('buildManifest', () => {
  const chat = { id: '-1001234567890', type: 'supergroup', title: 'Ops Alerts (prod)' };

  test('a Secret with a placeholder (never the token) and a channel with the chat id quoted', () => {
    const m = buildManifest({ chat, namespace: 'monitoring' });
    expect(m.name).toBe('ops-alerts-prod');
    expect(m.yaml).toContain(`token: "${TOKEN_PLACEHOLDER}"`);
    expect(m.yaml).toContain('chatId: "-1001234567890"');
    expect(m.yaml).toMatch(/# .*placeholder is NOT your token/);
    expect(m.yaml.match(/^---$/gm)).toHaveLength(2);
    expect(m.objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'telegram-bot', namespace: 'monitoring' },
        type: 'Opaque',
        stringData: { token: TOKEN_PLACEHOLDER },
      },
      {
        apiVersion: 'telegram.notify.dev/v1alpha1',
        kind: 'TelegramChannel',
        metadata: { name: 'ops-alerts-prod', namespace: 'monitoring' },
        spec: { tokenSecretRef: { name: 'telegram-bot', key: 'token' }, chatId: '-1001234567890' },
      },
    ]);
  });

  test('without -n there is no namespace (kubectl uses the current one); --name wins', () => {
    const m = buildManifest({ chat, name: 'alerts' });
    expect(m.yaml).not.toContain('namespace:');
    expect(m.objects[1]).toMatchObject({ metadata: { name: 'alerts' } });
  });

  test('an existing Secret (read with --secret) is referenced, not re-created', () => {
    const m = buildManifest({ chat, existingSecret: { namespace: 'mon', name: 'bot', key: 'tok' } });
    expect(m.objects).toHaveLength(1);
    expect(m.objects[0]).toMatchObject({ metadata: { namespace: 'mon' }, spec: { tokenSecretRef: { name: 'bot', key: 'tok' } } });
    expect(m.yaml).not.toContain('kind: Secret');
    // In another namespace the Secret cannot be referenced: a placeholder Secret again.
    expect(buildManifest({ chat, namespace: 'other', existingSecret: { namespace: 'mon', name: 'bot', key: 'tok' } }).objects).toHaveLength(
      2,
    );
  });

  test('a forum gets a commented messageThreadId hint', () => {
    expect(buildManifest({ chat: { ...chat, isForum: true } }).yaml).toMatch(/# messageThreadId: 42/);
  });
});

describe('nameFromChat', () => {
  test.each([
    [{ id: '-1', title: 'Ops' }, 'ops'],
    [{ id: '-1', title: '  Équipe Ops / Prod!! ' }, 'equipe-ops-prod'],
    [{ id: '-1001234', title: '🚨🚨' }, 'chat-1001234'],
    [{ id: '-1001234', title: 'Оповещения', username: 'ops_alerts' }, 'ops-alerts'],
    [{ id: '-1', title: 'x'.repeat(80) }, 'x'.repeat(63)],
    [{ id: '-1', title: `${'a'.repeat(62)} b` }, 'a'.repeat(62)],
  ])('%j → %s', (chat, name) => {
    expect(nameFromChat(chat)).toBe(name);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
