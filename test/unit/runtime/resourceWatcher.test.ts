// ResourceWatcher's loop with a scripted watch source and a fake sleep (no API server, no real time):
// where a watch resumes, when it relists, and how it backs off. The same loop against a real API
// server (restarts, 410 after compaction) is exercised in test/integration/resilience.test.ts.
import * as k8s from '@kubernetes/client-node';
import type { KubeObject, ListResult } from '../../../src/kube/objects.js';
import { ResourceWatcher, type WatchSource } from '../../../src/runtime/resourceWatcher.js';
import { createLogger } from '../../../src/observability/log.js';

type Obj = KubeObject;
const obj = (name: string, resourceVersion: string): Obj => ({ metadata: { name, namespace: 'ns', resourceVersion } });

/** One watch request as the loop made it, and what the script does with it. */
interface WatchCall {
  resourceVersion: string;
  emit: (type: string, o: unknown) => void;
  end: (err?: unknown) => void;
}
type Step = (call: WatchCall) => void | Promise<void>;

function setup(lists: ListResult<Obj>[], steps: Step[]) {
  const calls: WatchCall[] = [];
  const sleeps: number[] = [];
  const events: string[] = [];
  let listed = 0;
  const watch: WatchSource = async (_path, params, onEvent, onDone) => {
    const call: WatchCall = { resourceVersion: params.resourceVersion, emit: onEvent, end: onDone };
    calls.push(call);
    const step = steps[calls.length - 1];
    if (!step) return { abort: () => onDone() }; // the script is over: a quiet watch until stop()
    // The step runs once the loop holds the connection, as events would arrive from a server.
    setImmediate(() => void step(call));
    return { abort: () => undefined };
  };
  const watcher = new ResourceWatcher<Obj>(
    new k8s.KubeConfig(),
    {
      upsert: (o, prev) =>
        events.push(`upsert ${o.metadata.name}@${o.metadata.resourceVersion}${prev ? ` (was @${prev.metadata.resourceVersion})` : ''}`),
      deleted: (o) => events.push(`deleted ${o.metadata.name}`),
    },
    {
      path: '/apis/x/v1/things',
      list: async () => lists[Math.min(listed++, lists.length - 1)]!,
      keep: (raw) => raw as Obj,
      log: createLogger('silent'),
      watch,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5, // no jitter: backoff × 1.0, timeoutSeconds 270
    },
  );
  return { watcher, calls, sleeps, events, listCount: () => listed };
}

/** Lets the loop run until `done` holds (every step is a macrotask away). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error('the watcher did not get there');
}

const closed: Step = (c) => c.end(); // the server ended the watch (timeoutSeconds, or a dropped connection)

test('lists once, then watches from the list resourceVersion; a closed watch resumes from the last event, without relisting', async () => {
  const { watcher, calls, events, listCount } = setup(
    [{ items: [obj('a', '5')], resourceVersion: '10' }],
    [
      (c) => {
        c.emit('ADDED', obj('b', '11'));
        c.emit('MODIFIED', obj('a', '12'));
        c.end();
      },
      (c) => {
        c.emit('BOOKMARK', { metadata: { resourceVersion: '20' } });
        c.end();
      },
      closed,
    ],
  );
  watcher.start();
  await until(() => calls.length === 4);
  watcher.stop();
  expect(calls.map((c) => c.resourceVersion)).toEqual(['10', '12', '20', '20']);
  expect(listCount()).toBe(1);
  expect(events).toEqual(['upsert a@5', 'upsert b@11', 'upsert a@12 (was @5)']); // a bookmark is no event
  expect(watcher.hasSynced()).toBe(true);
  expect(watcher.get('ns', 'a')?.metadata.resourceVersion).toBe('12');
});

test('410 Gone in a watch ERROR event: relist, and the relist diff announces what changed and what vanished', async () => {
  const { watcher, calls, events, listCount, sleeps } = setup(
    [
      { items: [obj('a', '5'), obj('b', '6')], resourceVersion: '10' },
      { items: [obj('a', '5'), obj('c', '30')], resourceVersion: '31' },
    ],
    [(c) => c.emit('ERROR', { kind: 'Status', code: 410, message: 'too old resource version: 10 (25)' })],
  );
  watcher.start();
  await until(() => calls.length === 2);
  watcher.stop();
  expect(listCount()).toBe(2);
  expect(calls.map((c) => c.resourceVersion)).toEqual(['10', '31']);
  // a is unchanged (same resourceVersion): not announced again.
  expect(events).toEqual(['upsert a@5', 'upsert b@6', 'upsert c@30', 'deleted b']);
  expect(sleeps).toEqual([]); // a relist is not a failure: no backoff
});

test('410 Gone as the watch request’s own answer relists too', async () => {
  const { watcher, calls, listCount } = setup(
    [
      { items: [], resourceVersion: '10' },
      { items: [], resourceVersion: '40' },
    ],
    [(c) => c.end(Object.assign(new Error('Gone'), { code: 410 }))],
  );
  watcher.start();
  await until(() => calls.length === 2);
  watcher.stop();
  expect([listCount(), calls[1]!.resourceVersion]).toEqual([2, '40']);
});

test('failures back off 1 s, 2 s, 4 s … up to 30 s and keep the resourceVersion; a watch that delivered resets the backoff', async () => {
  const fail: Step = (c) => c.end(Object.assign(new Error('etcd leader changed'), { code: 500 }));
  const { watcher, calls, sleeps, listCount } = setup(
    [{ items: [], resourceVersion: '10' }],
    [
      fail,
      fail,
      fail,
      fail,
      fail,
      fail,
      fail,
      (c) => {
        c.emit('ADDED', obj('a', '11'));
        c.end();
      },
      fail,
    ],
  );
  watcher.start();
  await until(() => calls.length === 10);
  watcher.stop();
  expect(sleeps).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 1000]);
  expect(listCount()).toBe(1);
  expect(calls.map((c) => c.resourceVersion)).toEqual(['10', '10', '10', '10', '10', '10', '10', '10', '11', '11']);
});

test('a failing list backs off as well, and the watch starts once a list succeeds', async () => {
  let lists = 0;
  const sleeps: number[] = [];
  const watched: string[] = [];
  const watcher = new ResourceWatcher<Obj>(
    new k8s.KubeConfig(),
    { upsert: () => undefined, deleted: () => undefined },
    {
      path: '/apis/x/v1/things',
      list: async () => {
        if (++lists < 3) throw Object.assign(new Error('forbidden'), { code: 403 });
        return { items: [], resourceVersion: '7' };
      },
      keep: (raw) => raw as Obj,
      log: createLogger('silent'),
      watch: async (_p, params) => (watched.push(params.resourceVersion), { abort: () => undefined }),
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    },
  );
  watcher.start();
  await until(() => watched.length === 1);
  watcher.stop();
  expect([lists, sleeps, watched]).toEqual([3, [1000, 2000], ['7']]);
  expect(watcher.hasSynced()).toBe(true);
});

test('stop() during a backoff wait ends the loop: no further request', async () => {
  let signal: AbortSignal | undefined;
  let watches = 0;
  const watcher = new ResourceWatcher<Obj>(
    new k8s.KubeConfig(),
    { upsert: () => undefined, deleted: () => undefined },
    {
      path: '/apis/x/v1/things',
      list: async () => ({ items: [], resourceVersion: '1' }),
      keep: (raw) => raw as Obj,
      log: createLogger('silent'),
      watch: async () => {
        watches++;
        throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      },
      // A wait that only the stop signal ends.
      sleep: (_ms, s) => new Promise<void>((resolve) => ((signal = s), s.addEventListener('abort', () => resolve()))),
      random: () => 0.5,
    },
  );
  watcher.start();
  await until(() => signal !== undefined);
  watcher.stop();
  expect(signal!.aborted).toBe(true);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  expect(watches).toBe(1);
});
