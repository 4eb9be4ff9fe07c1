// SecretReader: when it reads a Secret again, and what its messages may say.
import type * as k8s from '@kubernetes/client-node';
import { SecretReader, SecretUnavailable } from '../../../src/channel/secrets.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A Secret store behind readNamespacedSecret, counting GETs. */
function fakeCore(initial: Record<string, string>) {
  const state = { data: { ...initial }, resourceVersion: 1, gets: 0 };
  const core = {
    readNamespacedSecret: async () => {
      state.gets++;
      const data = Object.fromEntries(Object.entries(state.data).map(([k, v]) => [k, b64(v)]));
      return { metadata: { resourceVersion: String(state.resourceVersion) }, data };
    },
  } as unknown as k8s.CoreV1Api;
  const rotate = (data: Record<string, string>) => {
    state.data = { ...data };
    state.resourceVersion++;
  };
  return { core, state, rotate };
}

describe('with a Secret watch (WATCH_SECRETS=true)', () => {
  test('a Secret is read once, and again only when the watch shows a new resourceVersion', async () => {
    const { core, state, rotate } = fakeCore({ token: 'one' });
    let watched = '1';
    const reader = new SecretReader(core, { watchedVersion: () => watched });
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'one' });
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'one' });
    expect(state.gets).toBe(1);
    rotate({ token: 'two' });
    watched = '2';
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'two' });
    expect(state.gets).toBe(2);
  });
});

describe('without a Secret watch (WATCH_SECRETS=false, get-only RBAC)', () => {
  test('a Secret is reused for maxAgeMs, then read again: a rotation is seen by the next reconcile after that', async () => {
    const { core, state, rotate } = fakeCore({ token: 'one' });
    let now = 1_000_000;
    const reader = new SecretReader(core, { maxAgeMs: 10_000 }, () => now);
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'one' });
    rotate({ token: 'two' });
    now += 9_999;
    // A burst of reads (alerts, webhooks) within the window costs no GET.
    for (let i = 0; i < 100; i++) expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'one' });
    expect(state.gets).toBe(1);
    now += 1;
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'two' });
    expect(state.gets).toBe(2);
  });
});

describe('messages', () => {
  test('a missing key: the count of the other keys, never their names', async () => {
    const { core } = fakeCore({ password: 'hunter2', 'aws-access-key-id': 'AKIA', 'db-host': 'x' });
    const r = await new SecretReader(core, { maxAgeMs: 0 }).read('ns', 'db-creds', 'chatId');
    expect(r).toEqual({ ok: false, reason: 'SecretKeyNotFound', message: 'Secret ns/db-creds has no key "chatId" (it has 3 other keys)' });
  });

  test('a missing key in an empty Secret', async () => {
    const { core } = fakeCore({});
    const r = await new SecretReader(core, { maxAgeMs: 0 }).read('ns', 'empty', 'token');
    expect(r).toEqual({ ok: false, reason: 'SecretKeyNotFound', message: 'Secret ns/empty has no key "token" (it is empty)' });
  });

  test('one other key', async () => {
    const { core } = fakeCore({ 'private-key-pem': 'x' });
    const r = await new SecretReader(core, { maxAgeMs: 0 }).read('ns', 's', 'token');
    expect(!r.ok && r.message).toBe('Secret ns/s has no key "token" (it has 1 other key)');
  });
});

describe('a read that fails for a passing reason', () => {
  test('throws SecretUnavailable (retried with backoff), where a missing Secret is a result a user must act on', async () => {
    const failing = (code: number) =>
      ({
        readNamespacedSecret: async () => {
          throw Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ message: `code ${code}` }) });
        },
      }) as unknown as k8s.CoreV1Api;
    await expect(new SecretReader(failing(500), { maxAgeMs: 0 }).read('ns', 's', 'token')).rejects.toBeInstanceOf(SecretUnavailable);
    await expect(new SecretReader(failing(500), { maxAgeMs: 0 }).read('ns', 's', 'token')).rejects.toThrow(/^reading Secret ns\/s: /);
    expect(await new SecretReader(failing(404), { maxAgeMs: 0 }).read('ns', 's', 'token')).toMatchObject({
      ok: false,
      reason: 'SecretNotFound',
    });
  });
});
