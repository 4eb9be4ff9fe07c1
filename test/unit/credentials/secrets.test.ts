// SecretReader: when it reads a Secret again, and what its messages may say.
import type * as k8s from '@kubernetes/client-node';
import { MAX_CONCURRENT_GETS, MISSING_SECRET_TTL_MS, SecretReader, SecretUnavailable } from '../../../src/credentials/secrets.js';

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

describe('bounded memory and API reads', () => {
  test('only the referenced key is kept, never the other keys of the Secret', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const { core } = fakeCore({ token: 'tok', 'tls.key': big, dump: big });
    const reader = new SecretReader(core, { watchedVersion: () => '1' });
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'tok' });
    expect(reader.cachedBytes).toBeLessThan(1024);
  });

  test('a second key of a kept Secret is read once and kept beside the first', async () => {
    const { core, state } = fakeCore({ token: 'tok', chatId: '-100123' });
    const reader = new SecretReader(core, { watchedVersion: () => '1' });
    await reader.read('ns', 's', 'token');
    expect(await reader.read('ns', 's', 'chatId')).toEqual({ ok: true, value: '-100123' });
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'tok' });
    expect(await reader.read('ns', 's', 'chatId')).toEqual({ ok: true, value: '-100123' });
    expect(state.gets).toBe(2);
  });

  test('filled past its byte bound, the least recently used Secrets go first and are read again when needed', async () => {
    const { core, state } = fakeCore({ token: 'v'.repeat(1000) });
    const reader = new SecretReader(core, { watchedVersion: () => '1' }, { maxBytes: 10_000 });
    for (let i = 0; i < 50; i++) await reader.read('ns', `s${i}`, 'token');
    expect(reader.cachedBytes).toBeLessThanOrEqual(10_000);
    expect(state.gets).toBe(50);
    await reader.read('ns', 's49', 'token'); // among the newest: still kept
    expect(state.gets).toBe(50);
    await reader.read('ns', 's0', 'token'); // the oldest: gone, read again
    expect(state.gets).toBe(51);
  });

  test('a value larger than the whole bound is answered, not kept', async () => {
    const { core } = fakeCore({ token: 'v'.repeat(5000) });
    const reader = new SecretReader(core, { watchedVersion: () => '1' }, { maxBytes: 1000 });
    expect(await reader.read('ns', 's', 'token')).toMatchObject({ ok: true });
    expect(reader.cachedBytes).toBe(0);
  });

  test('a missing Secret is remembered for a few seconds: a stream of reads costs one GET per few seconds', async () => {
    let gets = 0;
    const core = {
      readNamespacedSecret: async () => {
        gets++;
        throw Object.assign(new Error('HTTP-Code: 404'), { code: 404, body: '{}' });
      },
    } as unknown as k8s.CoreV1Api;
    let now = 1_000_000;
    const reader = new SecretReader(core, { watchedVersion: () => undefined }, () => now);
    for (let i = 0; i < 300; i++) expect(await reader.read('ns', 'gone', 'token')).toMatchObject({ ok: false, reason: 'SecretNotFound' });
    expect(gets).toBe(1);
    now += MISSING_SECRET_TTL_MS;
    await reader.read('ns', 'gone', 'token');
    expect(gets).toBe(2);
  });

  test('a missing Secret that the watch then sees created is read at once, not after the few seconds', async () => {
    const { core, state } = fakeCore({ token: 'tok' });
    let exists = false;
    const failing = core.readNamespacedSecret.bind(core);
    (core as unknown as { readNamespacedSecret: unknown }).readNamespacedSecret = async () => {
      if (!exists) {
        state.gets++;
        throw Object.assign(new Error('HTTP-Code: 404'), { code: 404, body: '{}' });
      }
      return failing({ namespace: 'ns', name: 's' });
    };
    const reader = new SecretReader(core, { watchedVersion: () => (exists ? '1' : undefined) }, () => 0);
    expect(await reader.read('ns', 's', 'token')).toMatchObject({ ok: false });
    exists = true;
    expect(await reader.read('ns', 's', 'token')).toEqual({ ok: true, value: 'tok' });
  });

  test('concurrent reads of one Secret share one GET', async () => {
    let gets = 0;
    const answers: (() => void)[] = [];
    const core = {
      readNamespacedSecret: () => {
        gets++;
        return new Promise((resolve) => {
          answers.push(() => resolve({ metadata: { resourceVersion: '1' }, data: { token: b64('tok'), chatId: b64('-100123') } }));
        });
      },
    } as unknown as k8s.CoreV1Api;
    const reader = new SecretReader(core, { maxAgeMs: 5_000 });
    const reads = [...Array.from({ length: 10 }, () => reader.read('ns', 's', 'token')), reader.read('ns', 's', 'chatId')];
    // Every GET asked for is answered, however many there were, until every read has its value.
    let done = false;
    const all = Promise.all(reads).finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setImmediate(r));
      for (const a of answers.splice(0)) a();
    }
    const values = await all;
    expect(gets).toBe(1);
    expect(values.at(-1)).toEqual({ ok: true, value: '-100123' });
    expect(values[0]).toEqual({ ok: true, value: 'tok' });
  });
});

test('at most MAX_CONCURRENT_GETS Secret GETs run at once (each answer is a whole Secret); the rest wait their turn', async () => {
  let running = 0;
  let most = 0;
  const answers: (() => void)[] = [];
  const core = {
    readNamespacedSecret: () => {
      running++;
      most = Math.max(most, running);
      return new Promise((resolve) => {
        answers.push(() => {
          running--;
          resolve({ metadata: { resourceVersion: '1' }, data: { token: b64('tok') } });
        });
      });
    },
  } as unknown as k8s.CoreV1Api;
  const reader = new SecretReader(core, { maxAgeMs: 5_000 });
  const reads = Array.from({ length: 20 }, (_, i) => reader.read('ns', `s${i}`, 'token'));
  for (let answered = 0; answered < 20; answered++) {
    while (answers.length === 0) await new Promise((r) => setImmediate(r));
    answers.shift()!();
  }
  expect((await Promise.all(reads)).every((v) => v.ok)).toBe(true);
  expect(most).toBe(MAX_CONCURRENT_GETS);
});
