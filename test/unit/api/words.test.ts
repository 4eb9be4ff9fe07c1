// spec.template, spec.routes, spec.quietHours and a bot's defaults.template as the operator reads them:
// the same "exactly one" rules and bounds as the CRD's, each refusal saying what to fix.
import { parseBotSpec, parseSpec } from '../../../src/api/types.js';

const base = { tokenSecretRef: { name: 'bot' }, chatId: '-100123' };
const parsed = (spec: Record<string, unknown>) => parseSpec({ ...base, ...spec });
const refusal = (spec: Record<string, unknown>) => {
  const result = parsed(spec);
  return result.ok ? 'accepted' : result.message;
};

describe('spec.template', () => {
  it('takes inline text, or a ConfigMap whose firingKey defaults to "firing"', () => {
    const inline = parsed({ template: { firing: 'a', resolved: 'b' } });
    expect(inline.ok && inline.spec.template).toEqual({ firing: 'a', resolved: 'b' });
    const fromConfigMap = parsed({ template: { configMapRef: { name: 'tpl' } } });
    expect(fromConfigMap.ok && fromConfigMap.spec.template).toEqual({ configMapRef: { name: 'tpl', firingKey: 'firing' } });
  });

  it.each([
    [
      'both inline and a ConfigMap',
      { firing: 'a', configMapRef: { name: 'tpl' } },
      /set either firing \(and optionally resolved\) or configMapRef, not both/,
    ],
    ['resolved alone', { resolved: 'b' }, /set either firing/],
    ['a key that is not a ConfigMap key', { configMapRef: { name: 'tpl', firingKey: 'a/b' } }, /must be a ConfigMap key/],
    ['more than 64 KiB (counted in UTF-8 bytes)', { firing: 'é'.repeat(32 * 1024 + 1) }, /spec\.template\.firing: must be at most 64 KiB/],
  ])('refuses %s', (_name, template, message) => {
    expect(refusal({ template })).toMatch(message);
  });

  it('takes exactly 64 KiB', () => {
    expect(refusal({ template: { firing: 'x'.repeat(64 * 1024) } })).toBe('accepted');
  });
});

describe('spec.routes', () => {
  it('defaults matchers, silent and mention; takes @usernames and numeric ids', () => {
    const result = parsed({
      routes: [{ messageThreadId: 12, mention: ['@oncall_lead', '123456789'] }, { topic: { name: '{{ labels.team }}' } }],
    });
    expect(result.ok && result.spec.routes).toEqual([
      { matchers: [], messageThreadId: 12, silent: false, mention: ['@oncall_lead', '123456789'] },
      { matchers: [], topic: { name: '{{ labels.team }}' }, silent: false, mention: [] },
    ]);
  });

  it.each([
    [
      'a route with both destinations',
      [{ messageThreadId: 12, topic: { name: 'x' } }],
      /spec\.routes\.0: set exactly one of messageThreadId and topic/,
    ],
    ['a route with none', [{ matchers: ['a="b"'] }], /set exactly one of messageThreadId and topic/],
    ['topic 1 (General)', [{ messageThreadId: 1 }], /spec\.routes\.0\.messageThreadId/],
    [
      'a mention that is neither @username nor an id',
      [{ messageThreadId: 12, mention: ['oncall'] }],
      /must be @username or a numeric user id/,
    ],
    ['33 routes', Array.from({ length: 33 }, () => ({ messageThreadId: 12 })), /spec\.routes: .*32/],
    ['17 matchers', [{ messageThreadId: 12, matchers: Array.from({ length: 17 }, () => 'a="b"') }], /spec\.routes\.0\.matchers: .*16/],
    [
      '17 mentions',
      [{ messageThreadId: 12, mention: Array.from({ length: 17 }, (_, i) => String(1000 + i)) }],
      /spec\.routes\.0\.mention: .*16/,
    ],
  ])('refuses %s', (_name, routes, message) => {
    expect(refusal({ routes })).toMatch(message);
  });
});

describe('spec.quietHours', () => {
  it('takes a window across midnight and one ending at 24:00', () => {
    expect(refusal({ quietHours: { timeZone: 'Europe/Berlin', from: '22:00', to: '07:00', except: ['severity="critical"'] } })).toBe(
      'accepted',
    );
    expect(refusal({ quietHours: { timeZone: 'UTC', from: '00:00', to: '24:00' } })).toBe('accepted');
  });
  it.each([
    ['from at 24:00', { timeZone: 'UTC', from: '24:00', to: '07:00' }, /quietHours\.from/],
    ['a time without minutes', { timeZone: 'UTC', from: '22', to: '07:00' }, /quietHours\.from/],
    ['no time zone', { from: '22:00', to: '07:00' }, /quietHours\.timeZone/],
  ])('refuses %s', (_name, quietHours, message) => {
    expect(refusal({ quietHours })).toMatch(message);
  });
});

describe('ClusterTelegramBot spec.defaults.template', () => {
  it('has the same shape and rules', () => {
    const bot = { tokenSecretRef: { name: 'bot', namespace: 'platform' } };
    const ok = parseBotSpec({ ...bot, defaults: { template: { firing: 'house style' } } });
    expect(ok.ok && ok.spec.defaults).toEqual({ template: { firing: 'house style' } });
    const refused = parseBotSpec({ ...bot, defaults: { template: { firing: 'x', configMapRef: { name: 'tpl' } } } });
    expect(refused.ok ? 'accepted' : refused.message).toMatch(/spec\.defaults\.template: set either firing/);
  });
});
