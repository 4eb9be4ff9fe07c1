// Where a channel's silence requests and credentials may go (silencePolicy.ts through alertmanagerAccess):
// a refusal reads no Secret data and builds no client, so nothing can reach the URL.
import { parseBotSpec, parseSpec, type ClusterTelegramBot, type SilenceSpec } from '../../../src/api/types.js';
import { alertmanagerAccess, type AccessPolicy } from '../../../src/interaction/alertmanagerAccess.js';
import type { OptIn } from '../../../src/interaction/credentialsOptIn.js';
import { scopedMatchers, silenceRoute } from '../../../src/interaction/silencePolicy.js';

const PASSWORD = 'db-password-value-0123456789';

function silence(url: string, withSecret = true): SilenceSpec {
  const p = parseSpec({
    tokenSecretRef: { name: 'bot' },
    chatId: '-1001',
    alertmanager: {
      tokenSecretRef: { name: 'am' },
      silence: { url, ...(withSecret ? { authorizationSecretRef: { name: 'db', key: 'password' } } : {}) },
    },
  });
  if (!p.ok) throw new Error(p.message);
  return p.spec.alertmanager!.silence!;
}

/** What the policy answers when it refuses: the reason, and the message the channel's condition shows. */
function refusal(reason: string, message: unknown) {
  return { ok: false, reason, message };
}

function bot(spec: Record<string, unknown> = {}): ClusterTelegramBot {
  return { metadata: { name: 'ops-bot' }, spec: { tokenSecretRef: { name: 'tg', namespace: 'telegram-system' }, ...spec } };
}

function setup(policy: Partial<AccessPolicy> = {}, optIn: OptIn = { state: 'notLabelled' }) {
  const reads: string[] = [];
  const made: { url: string; bearer?: string }[] = [];
  const optInAsked: string[] = [];
  const access = alertmanagerAccess(
    {
      read: async (ns, name, key) => {
        reads.push(`${ns}/${name}:${key}`);
        return { ok: true, value: PASSWORD };
      },
    },
    {
      operatorHosts: [],
      optIn: async (ns, name) => {
        optInAsked.push(`${ns}/${name}`);
        return optIn;
      },
      ...policy,
    },
    (url, bearer) => {
      made.push(bearer === undefined ? { url } : { url, bearer });
      return {} as never;
    },
  );
  return { access, reads, made, optInAsked };
}

describe('a channel with its own token (tokenSecretRef)', () => {
  test('no SILENCE_URL_HOSTS, a Secret not labelled: refused, the Secret not read, no client', async () => {
    const { access, reads, made, optInAsked } = setup();
    const a = await access({ namespace: 'team', silence: silence('http://collector.evil.example:8080') });
    expect(a).toEqual(refusal('CredentialsNotAllowed', expect.stringContaining('telegram.notify.dev/silence-credentials=true')));
    expect(a.ok || a.message).toContain('Secret team/db');
    expect(reads).toEqual([]);
    expect(made).toEqual([]);
    expect(optInAsked).toEqual(['team/db']);
  });

  test('the Secret labelled by its owner: the bearer goes to the URL', async () => {
    const { access, made } = setup({}, { state: 'labelled' });
    const a = await access({ namespace: 'team', silence: silence('http://am.example:9093') });
    expect(a.ok && a.credentials).toBe(true);
    expect(made).toEqual([{ url: 'http://am.example:9093', bearer: PASSWORD }]);
  });

  test('the opt-in Secret is missing: SecretNotFound, nothing sent', async () => {
    const { access, made } = setup({}, { state: 'missing', message: 'Secret team/db not found' });
    const a = await access({ namespace: 'team', silence: silence('http://am.example:9093') });
    expect(a).toEqual(refusal('SecretNotFound', 'spec.alertmanager.silence.authorizationSecretRef: Secret team/db not found'));
    expect(made).toEqual([]);
  });

  test('no authorizationSecretRef and no SILENCE_URL_HOSTS: any URL is called (a single-team install keeps working)', async () => {
    const { access, made, optInAsked } = setup();
    const a = await access({ namespace: 'team', silence: silence('http://am.example:9093', false) });
    expect(a.ok).toBe(true);
    expect(made).toEqual([{ url: 'http://am.example:9093' }]);
    expect(optInAsked).toEqual([]);
  });

  test('SILENCE_URL_HOSTS set: it binds every channel; a listed host gets the credentials without a label', async () => {
    const { access, made, reads, optInAsked } = setup({ operatorHosts: ['am.monitoring.svc:9093'] });
    const refused = await access({ namespace: 'team', silence: silence('http://am.example:9093', false) });
    const notAllowed =
      "spec.alertmanager.silence.url names am.example:9093, which the operator's SILENCE_URL_HOSTS (am.monitoring.svc:9093) does not allow; the operator's administrators add it there. No request is made to it";
    expect(refused).toEqual(refusal('URLNotAllowed', notAllowed));
    expect(made).toEqual([]);
    const allowed = await access({ namespace: 'team', silence: silence('http://am.monitoring.svc:9093') });
    expect(allowed.ok && allowed.credentials).toBe(true);
    expect(made).toEqual([{ url: 'http://am.monitoring.svc:9093', bearer: PASSWORD }]);
    expect(reads).toEqual(['team/db:password']);
    expect(optInAsked).toEqual([]);
  });
});

describe('a botRef channel', () => {
  test("a host in neither the bot's list nor the operator's: URLNotAllowed, no client, no Secret, even for a labelled Secret", async () => {
    const { access, made, reads } = setup({ getBot: () => bot() }, { state: 'labelled' });
    for (const withSecret of [true, false]) {
      const a = await access({ namespace: 'team', botRef: 'ops-bot', silence: silence('http://collector.evil.example:8080', withSecret) });
      const notAllowed =
        'spec.alertmanager.silence.url names collector.evil.example:8080, which neither ClusterTelegramBot "ops-bot" (spec.silence.urlHosts: none) nor the operator (SILENCE_URL_HOSTS: none) allows; the platform team adds it to one of them. No request is made to it';
      expect(a).toEqual(refusal('URLNotAllowed', notAllowed));
    }
    expect(made).toEqual([]);
    expect(reads).toEqual([]);
  });

  test("a host in the bot's list or the operator's: called, with the credentials, scoped to the channel's namespace", async () => {
    const { access, made } = setup({
      getBot: () => bot({ silence: { urlHosts: ['am.monitoring.svc:9093'] } }),
      operatorHosts: ['am.shared:9093'],
    });
    const a = await access({ namespace: 'team', botRef: 'ops-bot', silence: silence('http://am.monitoring.svc:9093') });
    const b = await access({ namespace: 'team', botRef: 'ops-bot', silence: silence('http://am.shared:9093') });
    expect(a.ok && a.scope).toEqual({ label: 'namespace', namespace: 'team' });
    expect(b.ok && b.credentials).toBe(true);
    expect(made).toEqual([
      { url: 'http://am.monitoring.svc:9093', bearer: PASSWORD },
      { url: 'http://am.shared:9093', bearer: PASSWORD },
    ]);
  });

  test('a bot the operator cannot read (not served, gone): only the operator list applies, and silences stay scoped', async () => {
    const { access } = setup({ operatorHosts: ['am.shared:9093'] });
    const a = await access({ namespace: 'team', botRef: 'ops-bot', silence: silence('http://am.shared:9093', false) });
    expect(a.ok && a.scope).toEqual({ label: 'namespace', namespace: 'team' });
    const b = await access({ namespace: 'team', botRef: 'ops-bot', silence: silence('http://am.other:9093', false) });
    expect(b.ok || b.reason).toBe('URLNotAllowed');
  });
});

test('the scope: Namespace by default (its label configurable), none with Unrestricted, none for tokenSecretRef channels', () => {
  const spec = (s?: Record<string, unknown>) => {
    const r = parseBotSpec({ tokenSecretRef: { name: 'tg', namespace: 'x' }, ...(s ? { silence: s } : {}) });
    if (!r.ok) throw new Error(r.message);
    return r.spec;
  };
  const ch = { namespace: 'team', botRef: 'ops-bot', silence: silence('http://am:9093', false) };
  const route = (s?: Record<string, unknown>) => silenceRoute(ch, ['am:9093'], spec(s));
  expect(route()).toEqual({ ok: true, credentials: 'none', listed: true, scope: { label: 'namespace', namespace: 'team' } });
  expect(route({ namespaceLabel: 'kubernetes_namespace' })).toEqual(
    expect.objectContaining({ scope: { label: 'kubernetes_namespace', namespace: 'team' } }),
  );
  expect(route({ scope: 'Unrestricted' })).toEqual({ ok: true, credentials: 'none', listed: true });
  // A host nobody listed (a single-team install): called, but its error words stay in the log.
  expect(silenceRoute({ namespace: 'team', silence: silence('http://am:9093', false) }, [], undefined)).toEqual({
    ok: true,
    credentials: 'none',
    listed: false,
  });
});

test('scoped matchers: the namespace matcher is added; alerts of another namespace are refused without naming it', () => {
  const scope = { label: 'namespace', namespace: 'team' };
  expect(scopedMatchers({ alertname: 'DiskFull' }, scope)).toEqual({ ok: true, matchers: { alertname: 'DiskFull', namespace: 'team' } });
  expect(scopedMatchers({ alertname: 'DiskFull', namespace: 'team' }, scope)).toEqual({
    ok: true,
    matchers: { alertname: 'DiskFull', namespace: 'team' },
  });
  const refused = scopedMatchers({ alertname: 'DiskFull', namespace: 'payments' }, scope);
  expect(refused.ok).toBe(false);
  expect(refused.ok || refused.answer).toMatch(/its own namespace's alerts only\. Nothing was silenced\.$/);
  expect(refused.ok || refused.answer).not.toContain('payments');
  expect(scopedMatchers({ alertname: 'DiskFull', namespace: 'payments' }, undefined)).toEqual({
    ok: true,
    matchers: { alertname: 'DiskFull', namespace: 'payments' },
  });
});

describe("spec.grafana.silence: Grafana's base URL, the same policy, messages naming Grafana's field", () => {
  test('allowed: the client calls the silences API under /api/alertmanager/grafana, with the bearer', async () => {
    const { access, made } = setup({ getBot: () => bot({ silence: { urlHosts: ['grafana.monitoring.svc:3000'] } }) });
    const a = await access({
      namespace: 'team',
      botRef: 'ops-bot',
      source: 'grafana',
      silence: silence('http://grafana.monitoring.svc:3000/'),
    });
    expect(a.ok && a.scope).toEqual({ label: 'namespace', namespace: 'team' });
    expect(made).toEqual([{ url: 'http://grafana.monitoring.svc:3000/api/alertmanager/grafana', bearer: PASSWORD }]);
  });

  test('a botRef channel whose Grafana host is not allowed: URLNotAllowed naming spec.grafana.silence.url; nothing read or made', async () => {
    const { access, made, reads } = setup(
      { getBot: () => bot({ silence: { urlHosts: ['am.monitoring.svc:9093'] } }) },
      { state: 'labelled' },
    );
    const a = await access({
      namespace: 'team',
      botRef: 'ops-bot',
      source: 'grafana',
      silence: silence('http://grafana.evil.example:3000'),
    });
    expect(a).toEqual(
      refusal(
        'URLNotAllowed',
        expect.stringMatching(/^spec\.grafana\.silence\.url names grafana\.evil\.example:3000, which neither ClusterTelegramBot "ops-bot"/),
      ),
    );
    expect(made).toEqual([]);
    expect(reads).toEqual([]);
  });

  test('an unlabelled Secret for a host nobody listed: CredentialsNotAllowed naming spec.grafana.silence.authorizationSecretRef', async () => {
    const { access, reads } = setup();
    const a = await access({ namespace: 'team', source: 'grafana', silence: silence('http://grafana.monitoring.svc:3000') });
    expect(a.ok || [a.reason, a.message]).toEqual([
      'CredentialsNotAllowed',
      expect.stringContaining('Secret team/db (spec.grafana.silence.authorizationSecretRef) is not sent to grafana.monitoring.svc:3000'),
    ]);
    expect(a.ok || a.message).not.toContain(PASSWORD);
    expect(reads).toEqual([]);
  });
});
