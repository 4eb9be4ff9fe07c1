// The manager with a fake queue, runnables, elector and sends: nothing is reconciled before start (or
// before this replica leads), runnables that need the lead run only while it leads, wakes reach the
// queue, and stepping down and SIGTERM run their drains in order, within their budgets, with the log
// lines operators (and the integration tests) look for.
import { jest } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import {
  IN_FLIGHT_BUDGET_MS,
  Manager,
  STEP_DOWN_BUDGET_MS,
  type Elector,
  type InFlightSends,
  type LeaderHooks,
  type Queue,
  type Reconciler,
  type Runnable,
} from '../../../src/runtime/manager.js';
import type { ReconcileResult } from '../../../src/runtime/workqueue.js';

class FakeQueue implements Queue {
  calls: string[] = [];
  paused = false;
  depth = 0;
  constructor(readonly reconcile: (key: string) => Promise<ReconcileResult>) {}
  add(key: string) {
    this.calls.push(`add ${key}`);
  }
  addFirst(key: string) {
    this.calls.push(`addFirst ${key}`);
  }
  forget(key: string) {
    this.calls.push(`forget ${key}`);
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  waitIdle(ms: number) {
    this.calls.push(`waitIdle ${ms}`);
    return Promise.resolve(true);
  }
  shutdown() {
    this.calls.push('shutdown');
    return Promise.resolve();
  }
}

function setup(
  opts: { elector?: boolean; unrecorded?: () => number; recorded?: (ms: number) => Promise<boolean>; drained?: boolean } = {},
) {
  const lines: { msg: string; level: number }[] = [];
  const log = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
        cb();
      },
    }),
  );
  const order: string[] = [];
  let queue!: FakeQueue;
  let hooks!: LeaderHooks;
  const store: Runnable = {
    name: 'watches',
    needLeaderElection: false,
    start: () => order.push('store.start'),
    stop: () => void order.push('store.stop'),
  };
  const pollers: Runnable = {
    name: 'pollers',
    needLeaderElection: true,
    start: () => order.push('pollers.start'),
    stop: () => void order.push('pollers.stop'),
  };
  let leading = false;
  const elector: Elector = {
    start: () => order.push('elector.start'),
    isLeader: () => leading,
    leaderEndpoint: () => 'http://leader',
    release: (ms) => {
      order.push(`release ${ms}`);
      return Promise.resolve();
    },
  };
  const reconciler: Reconciler = {
    reconcile: (key) => {
      order.push(`reconcile ${key}`);
      return Promise.resolve({ requeueAfterMs: 1234 });
    },
    forget: (key) => order.push(`reconciler.forget ${key}`),
  };
  const sends: InFlightSends = {
    stopAccepting: () => order.push('stopAccepting'),
    drain: (ms) => {
      order.push(`drain ${ms}`);
      return Promise.resolve(opts.drained ?? true);
    },
    unrecordedOutcomes: opts.unrecorded ?? (() => 0),
    allRecorded: (ms) => {
      order.push(`allRecorded ${ms}`);
      return opts.recorded?.(ms) ?? Promise.resolve(true);
    },
  };
  const exits: number[] = [];
  const metrics = createMetrics();
  const manager = new Manager({
    elector: opts.elector
      ? (h) => {
          hooks = h;
          return elector;
        }
      : undefined,
    concurrency: 1,
    log,
    metrics,
    queue: (reconcile) => (queue = new FakeQueue(reconcile)),
    exit: (code) => {
      exits.push(code);
    },
  });
  manager.add(pollers);
  manager.add(store);
  const started = { reconciler, sends, allKeys: () => ['ClusterTelegramBot:ops-bot', 'ns/a', 'ns/b'] };
  return {
    manager,
    queue,
    started,
    hooks: () => hooks,
    lead: (v: boolean) => (leading = v),
    reconciler,
    sends,
    order,
    exits,
    lines,
    metrics,
  };
}

afterEach(() => jest.useRealTimers());

test('without leader election, the queue runs from start on, and reconciles reach the reconciler unchanged', async () => {
  const t = setup();
  expect(t.queue.paused).toBe(true);
  t.manager.enqueue('ns/early');
  expect(t.queue.calls).toEqual(['add ns/early']);
  t.manager.start(t.started);
  expect(t.queue.paused).toBe(false);
  // This replica leads from the start: the runnables that need the lead start with the others.
  expect(t.order).toEqual(['pollers.start', 'store.start']);
  await expect(t.queue.reconcile('ns/a')).resolves.toEqual({ requeueAfterMs: 1234 });
  expect(t.manager.isLeader()).toBe(true);
  expect((await t.metrics.isLeader.get()).values[0]?.value).toBe(1);
});

test('wakes reach the queue; a deleted object is forgotten by the queue and the reconciler', () => {
  const t = setup();
  t.manager.start(t.started);
  t.manager.enqueue('ns/a');
  t.manager.enqueue('ns/b', { first: true });
  t.manager.forget('ns/c');
  expect(t.queue.calls).toEqual(['add ns/a', 'addFirst ns/b', 'forget ns/c']);
  expect(t.order).toContain('reconciler.forget ns/c');
});

test('a follower reconciles nothing and runs no leader work until it leads; then it resumes, starts it, and enqueues every key', async () => {
  const t = setup({ elector: true });
  t.manager.start(t.started);
  expect(t.queue.paused).toBe(true);
  expect(t.order).toEqual(['store.start', 'elector.start']);
  expect(t.manager.isLeader()).toBe(false);
  expect(t.manager.leaderEndpoint()).toBe('http://leader');
  t.lead(true);
  t.hooks().onStartedLeading();
  expect(t.queue.paused).toBe(false);
  expect(t.order).toEqual(['store.start', 'elector.start', 'pollers.start']);
  expect(t.queue.calls).toEqual(['add ClusterTelegramBot:ops-bot', 'add ns/a', 'add ns/b']);
  expect((await t.metrics.isLeader.get()).values[0]?.value).toBe(1);
});

test('stepping down stops new sends, drains, waits for outcomes to be recorded, then exits 1', async () => {
  jest.useFakeTimers();
  let unrecorded = 2;
  let allRecorded!: (ok: boolean) => void;
  const recorded = () => new Promise<boolean>((r) => (allRecorded = r));
  const t = setup({ elector: true, unrecorded: () => unrecorded, recorded });
  t.manager.start(t.started);
  t.hooks().onStartedLeading();
  t.hooks().onStoppedLeading();
  await jest.advanceTimersByTimeAsync(100);
  expect(t.order).toEqual([
    'store.start',
    'elector.start',
    'pollers.start',
    'stopAccepting',
    'pollers.stop',
    `drain ${IN_FLIGHT_BUDGET_MS}`,
    'allRecorded 3900',
  ]);
  expect(t.exits).toEqual([]);
  // The ledger says the last outcome is in status: the exit follows at once, no timer involved.
  unrecorded = 0;
  allRecorded(true);
  await jest.advanceTimersByTimeAsync(0);
  expect(t.exits).toEqual([1]);
  const msgs = t.lines.map((l) => l.msg);
  expect(msgs).toContain('leadership lost: sending nothing new; finishing the sends in flight, then exiting');
  expect(msgs).toContain('stepped down: exiting so that only the new leader sends');
  expect(msgs).not.toContain('stepped down with sends unrecorded: the next leader may send them again');
  expect((await t.metrics.isLeader.get()).values[0]?.value).toBe(0);
  // A SIGTERM during the step-down changes nothing: that exit comes sooner.
  await t.manager.shutdown('SIGTERM', () => t.order.push('stopIntake'));
  expect(t.order).not.toContain('stopIntake');
});

test('stepping down with outcomes never recorded warns and exits within the step-down budget', async () => {
  jest.useFakeTimers();
  const never = (ms: number) => new Promise<boolean>((r) => setTimeout(() => r(false), ms));
  const t = setup({ elector: true, unrecorded: () => 3, recorded: never });
  t.manager.start(t.started);
  t.hooks().onStoppedLeading();
  await jest.advanceTimersByTimeAsync(STEP_DOWN_BUDGET_MS);
  expect(t.exits[0]).toBe(1);
  const warn = t.lines.find((l) => l.msg === 'stepped down with sends unrecorded: the next leader may send them again');
  expect(warn).toMatchObject({ unrecordedOutcomes: 3, sendsInFlight: false });
});

test('SIGTERM closes intake, drains sends, waits for reconciles, stops watches and queue, releases the Lease, exits 0', async () => {
  jest.useFakeTimers();
  const t = setup({ elector: true, drained: false });
  t.manager.start(t.started);
  const done = t.manager.shutdown('SIGTERM', () => t.order.push('stopIntake'));
  void t.manager.shutdown('SIGTERM', () => t.order.push('stopIntake again'));
  await done;
  expect(t.order.slice(2)).toEqual(['stopIntake', 'drain 6000', 'store.stop', 'release 1000']);
  expect(t.queue.calls).toEqual(['waitIdle 2000', 'shutdown']);
  expect(t.exits).toEqual([0]);
  const msgs = t.lines.map((l) => l.msg);
  expect(msgs).toContain('shutting down: finishing work in flight');
  expect(msgs).toContain('some sends were still queued at shutdown; the next leader resends them');
  expect(msgs[msgs.length - 1]).toBe('stopped');
});

test('SIGTERM on the leader stops its leader work with the drain, and the other runnables only once reconciles are done', async () => {
  jest.useFakeTimers();
  const t = setup({ elector: true });
  t.manager.start(t.started);
  t.hooks().onStartedLeading();
  await t.manager.shutdown('SIGTERM', () => t.order.push('stopIntake'));
  expect(t.order.slice(3)).toEqual(['stopIntake', 'pollers.stop', 'drain 6000', 'store.stop', 'release 1000']);
  expect(t.queue.calls.slice(-2)).toEqual(['waitIdle 2000', 'shutdown']);
});
