// Runaway templates end in their own worker: the main thread keeps running (a timer keeps firing
// during the attack), the worker is replaced, and the next render succeeds.
import { RenderPool, type RenderResult } from '../../../src/template/pool.js';

const ATTACKS = {
  // CVE-2026-44645: an empty-body for, where the engine's time check never runs.
  emptyFor: '{% for i in (1..300000000) %}{% endfor %}',
  // CVE-2026-45357: the date filter's strftime width pads without counting memory.
  datePadding: '{{ "2026-01-01T00:00:00Z" | date: "%500000000d" }}',
  // Doubling: 2^40 characters if nothing stops it.
  doublingAppend: '{% assign s = "xx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s.size }}',
  doublingConcat: '{% assign a = "x,y" | split: "," %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}{{ a.size }}',
};

/** Runs `work` while a main-thread timer counts its ticks. */
async function whileCountingTicks(work: () => Promise<RenderResult>): Promise<{ result: RenderResult; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const result = await work();
    return { result, ticks };
  } finally {
    clearInterval(timer);
  }
}

const after = { template: 'after: {{ who }}', data: { who: 'another channel' } };

describe('with the engine limits in place', () => {
  let pool: RenderPool;
  beforeAll(() => {
    pool = new RenderPool({ size: 2 });
  });
  afterAll(() => pool.close());

  // liquidjs >= 10.26 stops these itself, often within a millisecond, so there is no stretch of time
  // to count main-thread ticks in; the group below takes the engine's limits away to prove the pool's.
  it.each(Object.entries(ATTACKS))('%s is stopped and the next render succeeds', async (_name, template) => {
    const result = await pool.render({ template, data: {} });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['limit', 'deadline', 'memory']).toContain(result.failure.kind);
    expect(await pool.render(after)).toEqual({ ok: true, output: 'after: another channel' });
  });

  it('a worker the engine stopped at its limits is replaced, not handed the next render', async () => {
    const replacedBefore = pool.replacedWorkers;
    // The date attack is refused before it allocates anything, so the old worker is still healthy.
    expect(await pool.render({ template: ATTACKS.datePadding, data: {} })).toMatchObject({ ok: false, failure: { kind: 'limit' } });
    expect(pool.replacedWorkers).toBe(replacedBefore + 1);
  });

  it('the date width attack is stopped by the engine memory limit, before any large string exists', async () => {
    // This one must be stopped by liquidjs: V8's heap cap does not bound one large flat string, so a
    // worker could allocate hundreds of MB before its memory cap noticed.
    expect(await pool.render({ template: ATTACKS.datePadding, data: {} })).toMatchObject({
      ok: false,
      failure: { kind: 'limit', message: 'memory alloc limit exceeded' },
    });
  });
});

describe("with the engine's cooperative limits off, the pool's own deadline and memory cap", () => {
  let pool: RenderPool;
  beforeAll(() => {
    pool = new RenderPool({ size: 1, deadlineMs: 300, workerLimits: { renderLimitMs: Infinity, memoryLimit: Infinity } });
  });
  afterAll(() => pool.close());

  it('a long loop is cut by the deadline, the worker replaced, the main loop never blocked', async () => {
    const replacedBefore = pool.replacedWorkers;
    const spin = '{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}';
    const { result, ticks } = await whileCountingTicks(() => pool.render({ template: spin, data: {} }));
    expect(result).toEqual({ ok: false, failure: { kind: 'deadline', message: 'the render took longer than its deadline of 300 ms' } });
    expect(ticks).toBeGreaterThan(0);
    expect(pool.replacedWorkers).toBe(replacedBefore + 1);
    expect(await pool.render(after)).toEqual({ ok: true, output: 'after: another channel' });
  });

  it('the empty-body for over (1..300000000) and the doubling concat hit the memory cap or the deadline', async () => {
    for (const template of [ATTACKS.emptyFor, ATTACKS.doublingConcat]) {
      const { result, ticks } = await whileCountingTicks(() => pool.render({ template, data: {} }));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(['memory', 'deadline']).toContain(result.failure.kind);
      expect(ticks).toBeGreaterThan(0);
      expect(await pool.render(after)).toEqual({ ok: true, output: 'after: another channel' });
    }
  });

  it('renders queued behind a runaway one still complete', async () => {
    const spin = '{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}';
    const results = await Promise.all([pool.render({ template: spin, data: {} }), pool.render(after), pool.render(after)]);
    expect(results.map((r) => (r.ok ? r.output : r.failure.kind))).toEqual([
      'deadline',
      'after: another channel',
      'after: another channel',
    ]);
  });
});

describe('pool', () => {
  it("a worker's start-up is not counted against the first render's deadline", async () => {
    // The worker takes a second to start; the deadline is a fraction of that but generous for one small render.
    const pool = new RenderPool({ size: 1, deadlineMs: 400, workerUrl: new URL('./fixtures/slowStartWorker.ts', import.meta.url) });
    try {
      expect(await pool.render(after)).toEqual({ ok: true, output: 'after: another channel' });
    } finally {
      await pool.close();
    }
  });

  it('refuses renders after close and rejects a size below one', async () => {
    const pool = new RenderPool({ size: 1 });
    await pool.close();
    expect(await pool.render(after)).toEqual({ ok: false, failure: { kind: 'closed', message: 'the template render pool is closed' } });
    expect(() => new RenderPool({ size: 0 })).toThrow('template render pool size must be a positive integer, got 0');
  });

  it('a worker that cannot start fails the waiting render with the reason, and is not restarted in a loop', async () => {
    const pool = new RenderPool({ size: 1, workerUrl: new URL('./fixtures/failingWorker.ts', import.meta.url) });
    try {
      const result = await pool.render(after);
      expect(result).toMatchObject({ ok: false, failure: { kind: 'crashed' } });
      if (!result.ok)
        expect(result.failure.message).toContain(
          'the render worker could not start: the render worker crashed: cannot load the template engine',
        );
      // The restart waits its delay instead of spinning; the next render fails with the next start.
      // Each failed start counts once: a dead worker's exit, which follows its error, is not another.
      const again = await pool.render(after);
      expect(again).toMatchObject({ ok: false, failure: { kind: 'crashed' } });
      if (!again.ok) expect(again.failure.message).toContain('cannot load the template engine');
      expect(pool.replacedWorkers).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('refuses output over the output limit inside the worker', async () => {
    const pool = new RenderPool({ size: 1, workerLimits: { maxOutputChars: 10 } });
    try {
      expect(await pool.render({ template: '{{ s }}', data: { s: 'x'.repeat(11) } })).toEqual({
        ok: false,
        failure: { kind: 'limit', message: 'the output is 11 characters, over the limit of 10' },
      });
    } finally {
      await pool.close();
    }
  });
});

test('a pool nobody renders with starts no worker; the first render starts them all', async () => {
  const pool = new RenderPool({ size: 2 });
  try {
    expect(pool.startedWorkers).toBe(0);
    expect(await pool.render(after)).toEqual({ ok: true, output: 'after: another channel' });
    expect(pool.startedWorkers).toBe(2);
  } finally {
    await pool.close();
  }
});
