// The AlertmanagerConfig lifecycle against a scripted API (fake clock): CRD missing then installed,
// Conflict with a foreign object, Forbidden, opt-out, and no write when nothing changed.
import type { AlertmanagerConfigApi, StoredAlertmanagerConfig } from '../../../src/alertmanagerConfig/api.js';
import {
  AlertmanagerConfigs,
  CRD_RECHECK_MS,
  CRD_WAITING_REQUEUE_MS,
  HUMAN_FIX_RETRY_MS,
  NOT_SERVED_CACHE_MS,
} from '../../../src/alertmanagerConfig/configurer.js';
import type { AlertmanagerConfigObject } from '../../../src/alertmanagerConfig/desired.js';
import type { OwnedConfigs } from '../../../src/alertmanagerConfig/ownedWatch.js';
import type { Condition, TelegramChannel } from '../../../src/api/types.js';
import { createLogger } from '../../../src/observability/log.js';

const UID = 'channel-uid';
const withConfig = { tokenSecretRef: { name: 'bot' }, chatId: '-1001', alertmanager: { tokenSecretRef: { name: 'amw' }, config: {} } };
const channel = (spec: unknown = withConfig): TelegramChannel => ({ metadata: { name: 'oncall', namespace: 'ns', uid: UID }, spec });
const applied: Condition = {
  type: 'AlertmanagerConfigured',
  status: 'True',
  reason: 'Applied',
  message: '',
  observedGeneration: 1,
  lastTransitionTime: '',
};

function apiError(code: number, message = 'refused'): Error {
  return Object.assign(new Error(message), { code, body: JSON.stringify({ message }) });
}

function setup(opts: { wake?: (key: string) => void } = {}) {
  let now = 0;
  let served = false;
  let rv = 0;
  const objects = new Map<string, StoredAlertmanagerConfig>();
  const calls: string[] = [];
  let failNext: Error | undefined;
  const api: AlertmanagerConfigApi = {
    served: async () => (calls.push('discovery'), served),
    get: async (ns, name) => {
      calls.push('get');
      if (failNext) throw failNext;
      return objects.get(`${ns}/${name}`);
    },
    apply: async (obj: AlertmanagerConfigObject, opts) => {
      calls.push(`apply force=${opts.force}`);
      const stored = { metadata: { ...obj.metadata, uid: opts.uid ?? 'amc-uid', resourceVersion: String(++rv) } };
      objects.set(`${obj.metadata.namespace}/${obj.metadata.name}`, stored);
      return stored;
    },
    delete: async (ns, name, uid) => {
      calls.push(`delete ${uid}`);
      objects.delete(`${ns}/${name}`);
    },
  };
  let started = false;
  const owned: OwnedConfigs = {
    start: () => (started = true),
    stop: () => {},
    synced: () => started,
    resourceVersion: (ns, name) => objects.get(`${ns}/${name}`)?.metadata.resourceVersion,
  };
  const timers: { ms: number; fn: () => void; cancelled: boolean }[] = [];
  const every = (ms: number, fn: () => void) => {
    const t = { ms, fn, cancelled: false };
    timers.push(t);
    return { cancel: () => (t.cancelled = true) };
  };
  const configs = new AlertmanagerConfigs({
    api,
    owned,
    baseUrl: 'http://op:8080',
    log: createLogger('silent'),
    now: () => now,
    wake: opts.wake,
    every,
  });
  return {
    configs,
    timers,
    calls,
    objects,
    install: () => (served = true),
    advance: (ms: number) => (now += ms),
    failNextWith: (e: Error | undefined) => (failNext = e),
  };
}

test('CRDNotInstalled (looked at again soon), then picked up once the CRD is served: no restart', async () => {
  const t = setup();
  const first = await t.configs.configure(channel(), undefined);
  expect(first).toEqual({
    kind: 'set',
    verdict: expect.objectContaining({ status: 'False', reason: 'CRDNotInstalled' }),
    requeueAfterMs: CRD_RECHECK_MS,
  });
  t.install();
  // Within the negative cache: still not installed, and no second discovery request.
  expect(await t.configs.configure(channel(), undefined)).toMatchObject({ verdict: { reason: 'CRDNotInstalled' } });
  expect(t.calls.filter((c) => c === 'discovery')).toHaveLength(1);
  t.advance(NOT_SERVED_CACHE_MS);
  const next = await t.configs.configure(channel(), undefined);
  expect(next).toEqual({ kind: 'set', verdict: expect.objectContaining({ status: 'True', reason: 'Applied' }) });
  expect(t.calls).toContain('apply force=false');
  expect(t.objects.get('ns/oncall')).toBeDefined();
});

test('an unchanged object is not written again; an edit or a delete seen by the watch is undone', async () => {
  const t = setup();
  t.install();
  await t.configs.configure(channel(), undefined);
  t.calls.length = 0;
  await t.configs.configure(channel(), applied);
  expect(t.calls).toEqual([]);
  // Someone edited it: the watch saw a new resourceVersion, so it is read and forced back.
  t.objects.get('ns/oncall')!.metadata.resourceVersion = '999';
  await t.configs.configure(channel(), applied);
  expect(t.calls).toEqual(['get', 'apply force=true']);
  // Deleted: created again (not forced: nothing to take over).
  t.objects.delete('ns/oncall');
  t.calls.length = 0;
  await t.configs.configure(channel(), applied);
  expect(t.calls).toEqual(['get', 'apply force=false']);
});

test('a foreign object of that name: Conflict, never written', async () => {
  const t = setup();
  t.install();
  t.objects.set('ns/oncall', { metadata: { name: 'oncall', namespace: 'ns', uid: 'theirs', resourceVersion: '1' } });
  const out = await t.configs.configure(channel(), undefined);
  expect(out).toMatchObject({ kind: 'set', verdict: { status: 'False', reason: 'Conflict' } });
  expect(out.kind === 'set' && out.verdict.message).toMatch(/already exists in ns and was not created for this channel/);
  expect(t.calls.filter((c) => c.startsWith('apply'))).toEqual([]);
  // Opting out leaves it alone too.
  expect(await t.configs.configure(channel({ ...withConfig, alertmanager: { tokenSecretRef: { name: 'amw' } } }), applied)).toEqual({
    kind: 'remove',
  });
  expect(t.calls.filter((c) => c.startsWith('delete'))).toEqual([]);
});

test('Forbidden names the RBAC piece to install; a server error is Unknown and retried', async () => {
  const t = setup();
  t.install();
  t.failNextWith(apiError(403, 'alertmanagerconfigs.monitoring.coreos.com "oncall" is forbidden'));
  const out = await t.configs.configure(channel(), undefined);
  expect(out).toMatchObject({ kind: 'set', verdict: { status: 'False', reason: 'Forbidden' }, requeueAfterMs: HUMAN_FIX_RETRY_MS });
  expect(out.kind === 'set' && out.verdict.message).toMatch(/deploy\/components\/alertmanagerconfig .*alertmanagerConfig\.enabled=true/);
  t.failNextWith(apiError(503, 'etcd leader changed'));
  expect(await t.configs.configure(channel(), undefined)).toMatchObject({ verdict: { status: 'Unknown', reason: 'ApplyFailed' } });
  t.failNextWith(apiError(422, 'spec.route.groupWait: Invalid value'));
  expect(await t.configs.configure(channel(), undefined)).toMatchObject({ verdict: { status: 'False', reason: 'InvalidConfig' } });
});

test('a 404 from the object (CRD removed) means CRDNotInstalled, and discovery is asked again', async () => {
  const t = setup();
  t.install();
  t.failNextWith(apiError(404, 'the server could not find the requested resource'));
  expect(await t.configs.configure(channel(), undefined)).toMatchObject({ verdict: { reason: 'CRDNotInstalled' } });
  t.failNextWith(undefined);
  await t.configs.configure(channel(), undefined);
  expect(t.calls.filter((c) => c === 'discovery')).toHaveLength(2);
});

test('opting out deletes the object the channel owns (by uid), and removes the condition', async () => {
  const t = setup();
  t.install();
  await t.configs.configure(channel(), undefined);
  const out = await t.configs.configure(channel({ ...withConfig, alertmanager: undefined }), applied);
  expect(out).toEqual({ kind: 'remove' });
  expect(t.calls).toContain('delete amc-uid');
  expect(t.objects.size).toBe(0);
});

test('a channel that never opted in costs no API call', async () => {
  const t = setup();
  expect(await t.configs.configure(channel({ tokenSecretRef: { name: 'bot' }, chatId: '-1001' }), undefined)).toEqual({ kind: 'remove' });
  expect(t.calls).toEqual([]);
});

test('an invalid spec leaves the generated object and its condition as they are', async () => {
  const t = setup();
  t.install();
  expect(await t.configs.configure(channel({ chatId: '-1001' }), applied)).toEqual({ kind: 'unchanged' });
  expect(t.calls).toEqual([]);
});

test('channels waiting for the CRD share one discovery poll, which wakes them all once the CRD is served', async () => {
  const woken: string[] = [];
  const t = setup({ wake: (key) => woken.push(key) });
  const a = await t.configs.configure(channel(), undefined);
  const other: TelegramChannel = { metadata: { name: 'second', namespace: 'ns2', uid: 'u2' }, spec: withConfig };
  await t.configs.configure(other, undefined);
  // Woken by the poll, so the channels themselves only come back as a safety net.
  expect(a).toMatchObject({ verdict: { reason: 'CRDNotInstalled' }, requeueAfterMs: CRD_WAITING_REQUEUE_MS });
  expect(t.timers).toHaveLength(1);
  expect(t.timers[0]!.ms).toBe(CRD_RECHECK_MS);
  const discoveries = () => t.calls.filter((c) => c === 'discovery').length;
  const before = discoveries();
  t.timers[0]!.fn();
  await new Promise((r) => setImmediate(r));
  expect(discoveries()).toBe(before + 1);
  expect(woken).toEqual([]);
  t.install();
  t.timers[0]!.fn();
  await new Promise((r) => setImmediate(r));
  expect(woken.sort()).toEqual(['ns/oncall', 'ns2/second']);
  // Nobody is waiting any more: the poll stops.
  expect(t.timers[0]!.cancelled).toBe(true);
  expect(await t.configs.configure(channel(), undefined)).toMatchObject({ verdict: { reason: 'Applied' } });
});

test('a channel that stops waiting (deleted, or opted out) ends the poll when it was the last', async () => {
  const t = setup({ wake: () => {} });
  await t.configs.configure(channel(), undefined);
  expect(t.timers[0]!.cancelled).toBe(false);
  t.configs.forget('ns/oncall');
  expect(t.timers[0]!.cancelled).toBe(true);
});
