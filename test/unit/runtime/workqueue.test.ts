// WorkQueue: dedup, one reconcile per key in flight, re-run when a key is
// added during its reconcile, backoff on failure, earliest-wins delayed requeues, graceful shutdown.
import { jest } from '@jest/globals';
import { ReconcileDeadlineExceeded, WorkQueue, type ReconcileResult } from '../../../src/runtime/workqueue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reconcile whose calls can be held open and released by the test. */
function gate() {
  const calls: string[] = [];
  const pending: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const perKey = new Map<string, number>();
  let maxPerKey = 0;
  const reconcile = async (key: string): Promise<void> => {
    calls.push(key);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    maxPerKey = Math.max(maxPerKey, perKey.get(key)!);
    await new Promise<void>((r) => pending.push(r));
    inFlight--;
    perKey.set(key, perKey.get(key)! - 1);
  };
  const releaseAll = async () => {
    while (pending.length) {
      pending.splice(0).forEach((r) => r());
      await sleep(5);
    }
  };
  return { calls, reconcile, releaseAll, pending, stats: () => ({ maxInFlight, maxPerKey }) };
}

test('a key queued several times runs once', async () => {
  const g = gate();
  const q = new WorkQueue(g.reconcile, { concurrency: 1 });
  q.add('busy'); // occupies the only worker
  q.add('a');
  q.add('a');
  q.add('a');
  expect(q.depth).toBe(1);
  await g.releaseAll();
  expect(g.calls).toEqual(['busy', 'a']);
});

test('one reconcile per key at a time; added during processing → runs once more afterwards', async () => {
  const g = gate();
  const q = new WorkQueue(g.reconcile, { concurrency: 4 });
  q.add('a');
  await sleep(1);
  q.add('a');
  q.add('a');
  expect(g.pending).toHaveLength(1); // not a second concurrent run
  await g.releaseAll();
  expect(g.calls).toEqual(['a', 'a']);
  expect(g.stats().maxPerKey).toBe(1);
});

test('different keys run concurrently up to the limit', async () => {
  const g = gate();
  const q = new WorkQueue(g.reconcile, { concurrency: 2 });
  for (const k of ['a', 'b', 'c', 'd']) q.add(k);
  expect(q.inFlight).toBe(2);
  expect(q.depth).toBe(2);
  await g.releaseAll();
  expect(g.calls.sort()).toEqual(['a', 'b', 'c', 'd']);
  expect(g.stats().maxInFlight).toBe(2);
});

// Backoff, requeues and delayed adds on jest's fake timers: Date.now and setTimeout move only when
// the test advances them, so a loaded machine cannot make a timer late and the assertions are exact.
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);
afterEach(() => jest.useRealTimers());

describe('on a fake clock', () => {
  beforeEach(() => jest.useFakeTimers());

  test('a throwing reconcile is retried with exponential backoff, reset by a success', async () => {
    const times: number[] = [];
    const errors: number[] = [];
    let n = 0;
    const start = Date.now();
    const q = new WorkQueue(
      async () => {
        times.push(Date.now() - start);
        if (++n <= 2) throw new Error('boom');
      },
      { concurrency: 1, baseDelayMs: 40, maxDelayMs: 1000, onError: (_k, _e, ms) => errors.push(ms) },
    );
    q.add('a');
    await advance(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeGreaterThanOrEqual(36); // 40 ± 10 %
    expect(errors[0]).toBeLessThanOrEqual(44);
    await advance(errors[0]! - 1);
    expect(n).toBe(1); // not a millisecond early
    await advance(1);
    expect(n).toBe(2);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toBeGreaterThanOrEqual(72); // doubled
    expect(errors[1]).toBeLessThanOrEqual(88);
    await advance(errors[1]!);
    expect(n).toBe(3);
    expect(times).toEqual([0, errors[0], errors[0]! + errors[1]!]);
    expect(q.failuresOf('a')).toBe(0);
    await advance(10_000);
    expect(n).toBe(3);
    await q.shutdown();
  });

  test('backoff is capped at maxDelayMs', async () => {
    const delays: number[] = [];
    const q = new WorkQueue(
      async () => {
        throw new Error('always');
      },
      { concurrency: 1, baseDelayMs: 5, maxDelayMs: 10, onError: (_k, _e, ms) => delays.push(ms) },
    );
    q.add('a');
    await advance(150);
    await q.shutdown();
    // 5, 10, then 10 every time (± 10 % jitter): at least 14 attempts in 150 ms, none waiting longer.
    expect(delays.length).toBeGreaterThanOrEqual(14);
    for (const d of delays.slice(1)) {
      expect(d).toBeGreaterThanOrEqual(9);
      expect(d).toBeLessThanOrEqual(11);
    }
    expect(q.failuresOf('a')).toBe(delays.length);
  });

  test('requeueAfterMs from a result runs the key again, when due', async () => {
    let n = 0;
    const q = new WorkQueue(async (): Promise<ReconcileResult> => (++n === 1 ? { requeueAfterMs: 30 } : {}), { concurrency: 1 });
    q.add('a');
    await advance(29);
    expect(n).toBe(1);
    await advance(1);
    expect(n).toBe(2);
    await advance(1_000);
    expect(n).toBe(2);
    await q.shutdown();
  });

  describe('addAfter', () => {
    // Each: the delays asked for in order, and the one run that comes, at the earliest of them; the
    // other request is dropped, not kept as a second run.
    test.each([
      ['keeps the earliest due time: a later request does not postpone it', [30, 300], 30],
      ['an earlier request replaces a later one', [300, 20], 20],
    ])('%s', async (_name, delays, due) => {
      const calls: number[] = [];
      const start = Date.now();
      const q = new WorkQueue(async () => void calls.push(Date.now() - start), { concurrency: 1 });
      for (const delay of delays) q.addAfter('a', delay);
      await advance(due - 1);
      expect(calls).toEqual([]);
      await advance(1);
      expect(calls).toEqual([due]);
      await advance(1_000);
      expect(calls).toEqual([due]);
      await q.shutdown();
    });

    test('add() now cancels a pending delayed run; forget() drops it', async () => {
      let n = 0;
      const q = new WorkQueue(async () => void n++, { concurrency: 1 });
      q.addAfter('a', 40);
      q.add('a');
      await advance(0);
      expect(n).toBe(1);
      await advance(1_000);
      expect(n).toBe(1);
      q.addAfter('b', 20);
      q.forget('b');
      await advance(1_000);
      expect(n).toBe(1);
      await q.shutdown();
    });

    test('delay <= 0 is an immediate add', async () => {
      let n = 0;
      const q = new WorkQueue(async () => void n++, { concurrency: 1 });
      q.addAfter('a', 0);
      await advance(0);
      expect(n).toBe(1);
      await q.shutdown();
    });
  });
});

describe('shutdown', () => {
  test('waits for reconciles in flight, drops queued and delayed work, refuses new work', async () => {
    jest.useFakeTimers();
    const g = gate();
    const q = new WorkQueue(g.reconcile, { concurrency: 1 });
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    let done = false;
    const stopped = q.shutdown().then(() => (done = true));
    await advance(30);
    expect(done).toBe(false);
    q.add('d');
    q.addAfter('e', 1);
    g.pending.splice(0).forEach((r) => r());
    await stopped;
    expect(done).toBe(true);
    await advance(1_000); // past every delay asked for: none of them runs
    expect(g.calls).toEqual(['a']);
  });

  test('resolves at once when idle', async () => {
    const q = new WorkQueue(async () => {}, { concurrency: 1 });
    await expect(q.shutdown()).resolves.toBeUndefined();
  });
});

test('addFirst jumps the queue, and moves a key that was already waiting', async () => {
  const g = gate();
  const q = new WorkQueue(g.reconcile, { concurrency: 1 });
  q.add('busy');
  q.add('a');
  q.add('b');
  q.add('c');
  q.addFirst('c');
  q.addFirst('urgent');
  await g.releaseAll();
  await sleep(20);
  await g.releaseAll();
  expect(g.calls).toEqual(['busy', 'urgent', 'c', 'a', 'b']);
});

test('pause collects keys without running them; resume runs them', async () => {
  const g = gate();
  const q = new WorkQueue(g.reconcile, { concurrency: 2 });
  q.pause();
  q.add('x');
  q.add('y');
  await sleep(20);
  expect(g.calls).toEqual([]);
  q.resume();
  await sleep(5);
  expect(g.calls.sort()).toEqual(['x', 'y']);
  await g.releaseAll();
});

test('waitIdle resolves when the last reconcile ends, not on a polling tick; false at its deadline', async () => {
  let finish!: () => void;
  const q = new WorkQueue(() => new Promise<ReconcileResult>((r) => (finish = () => r({}))), { concurrency: 1 });
  q.add('ns/a');
  let idle: boolean | undefined;
  void q.waitIdle(60_000).then((v) => (idle = v));
  await new Promise((r) => setImmediate(r));
  expect(idle).toBeUndefined();
  finish();
  // Two turns of the event loop, far less than any polling interval.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(idle).toBe(true);

  q.add('ns/b');
  expect(await q.waitIdle(10)).toBe(false);
  finish();
  await q.shutdown();
});

test('a reconcile that overruns its deadline is abandoned: its worker takes the next key, the key is retried after it settles', async () => {
  const started: string[] = [];
  const signals = new Map<string, AbortSignal>();
  const errors: [string, unknown][] = [];
  let releaseHung!: () => void;
  let hungOnce = true;
  const q = new WorkQueue(
    async (key, signal) => {
      started.push(key);
      signals.set(key, signal);
      if (key === 'hung' && hungOnce) {
        hungOnce = false;
        await new Promise<void>((r) => (releaseHung = r)); // ignores its signal, as a stuck call would
      }
    },
    { concurrency: 1, deadlineMs: 20, baseDelayMs: 1, maxDelayMs: 5, onError: (k, e) => errors.push([k, e]) },
  );
  q.add('hung');
  q.add('next');
  // With one worker, 'next' can only start because 'hung' was abandoned.
  for (let i = 0; i < 200 && !started.includes('next'); i++) await sleep(5);
  expect(started).toEqual(['hung', 'next']);
  expect(signals.get('hung')!.aborted).toBe(true);
  expect(errors).toEqual([['hung', expect.any(ReconcileDeadlineExceeded)]]);
  // Its retry waits for the abandoned run: never two runs of one key at once.
  await sleep(30);
  expect(started.filter((k) => k === 'hung')).toHaveLength(1);
  releaseHung();
  for (let i = 0; i < 200 && started.filter((k) => k === 'hung').length < 2; i++) await sleep(5);
  expect(started).toEqual(['hung', 'next', 'hung']);
  expect(await q.waitIdle(1000)).toBe(true);
});
