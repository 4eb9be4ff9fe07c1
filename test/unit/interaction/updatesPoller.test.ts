// The poller's offsets with a fake Bot API and a fake clock: updates are handed off and the next
// getUpdates (which confirms them) goes out at once, at most MAX_HANDLING at a time; stop waits for
// the updates being handled; 409, 429 and failures wait as they should.
import { createLogger } from '../../../src/observability/log.js';
import { TelegramError } from '../../../src/telegram/errors.js';
import { CONFLICT_RETRY_MS, MAX_HANDLING, UpdatesPoller, type ConflictKind, type Update } from '../../../src/interaction/updatesPoller.js';

type Answer = unknown[] | TelegramError;
interface Call {
  params: { offset?: number; timeout?: number; allowed_updates?: string[]; limit?: number };
  signal?: AbortSignal;
}

function setup(script: Answer[], handle: (u: Update) => Promise<void> = async () => {}) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  const conflicts: (ConflictKind | undefined)[] = [];
  const handled: number[] = [];
  let wake: () => void = () => {};
  const nextCall = () => new Promise<void>((r) => (wake = r));
  const telegram = {
    getUpdates: async (_t: string, params: Call['params'], opts?: { signal?: AbortSignal }) => {
      calls.push({ params, signal: opts?.signal });
      wake();
      const answer = script.shift();
      if (answer === undefined) {
        // Script over: a long poll that ends only when the poller stops (or, for the final confirm, at once).
        if (!opts?.signal) return [];
        return new Promise<unknown[]>((_r, reject) =>
          opts.signal!.addEventListener('abort', () =>
            reject(new TelegramError({ kind: 'Unavailable', message: 'aborted', method: 'getUpdates' })),
          ),
        );
      }
      if (answer instanceof TelegramError) throw answer;
      return answer;
    },
  };
  const poller = new UpdatesPoller({
    telegram,
    token: '1:x',
    handle: async (u) => {
      await handle(u);
      handled.push(u.update_id);
    },
    onConflict: (k) => conflicts.push(k),
    log: createLogger('silent'),
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { poller, calls, sleeps, conflicts, handled, nextCall };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition never held');
};

test('the first poll has no offset (Telegram resumes after the last confirmed update); then offset = last handled + 1', async () => {
  const t = setup([[{ update_id: 5 }, { update_id: 6 }], [{ update_id: 7 }]]);
  t.poller.start();
  await until(() => t.calls.length === 3);
  expect(t.calls[0]!.params).toEqual({ limit: MAX_HANDLING, timeout: 25, allowed_updates: ['callback_query', 'my_chat_member'] });
  expect(t.calls[1]!.params.offset).toBe(7);
  expect(t.calls[2]!.params.offset).toBe(8);
  expect(t.handled).toEqual([5, 6, 7]);
  await t.poller.stop();
});

test('a slow update does not hold the poll: the next getUpdates goes out while it is being handled', async () => {
  let release: () => void = () => {};
  const t = setup([[{ update_id: 10 }], [{ update_id: 11 }]], (u) =>
    u.update_id === 10 ? new Promise<void>((r) => (release = r)) : Promise.resolve(),
  );
  t.poller.start();
  // Update 11 arrives and is handled while 10 is still being handled.
  await until(() => t.handled.includes(11));
  expect(t.handled).toEqual([11]);
  expect(t.calls[1]!.params.offset).toBe(11);
  expect(t.calls[2]!.params.offset).toBe(12);
  // The slow one holds a slot: the polls ask for no more updates than there are free slots.
  expect(t.calls[1]!.params.limit).toBe(MAX_HANDLING - 1);
  // Stop lets the slow one finish before it returns.
  const stopped = t.poller.stop();
  release();
  await stopped;
  expect(t.handled).toEqual([11, 10]);
});

test(`at most ${MAX_HANDLING} updates are handled at a time: the poll waits for one to finish`, async () => {
  const releases: (() => void)[] = [];
  const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ update_id: from + i }));
  const t = setup([batch(1, MAX_HANDLING), batch(100, 1)], () => new Promise<void>((r) => releases.push(r)));
  t.poller.start();
  await until(() => releases.length === MAX_HANDLING);
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  expect(t.calls).toHaveLength(1);
  releases.shift()!();
  await until(() => t.calls.length === 2);
  expect(t.calls[1]!.params.offset).toBe(MAX_HANDLING + 1);
  const stopped = t.poller.stop();
  for (let i = 0; i < 50 && releases.length > 0; i++) {
    releases.splice(0).forEach((r) => r());
    await new Promise((r) => setImmediate(r));
  }
  await stopped;
});

test('stop ends the long poll and confirms what was handled since the last poll', async () => {
  const t = setup([[{ update_id: 3 }]]);
  t.poller.start();
  await until(() => t.calls.length === 2);
  expect(t.calls[1]!.signal?.aborted).toBe(false);
  await t.poller.stop();
  expect(t.calls[1]!.signal?.aborted).toBe(true);
  // The pending poll carried offset 4, but it never answered: whether Telegram saw it is unknown, so
  // stop confirms once more with a short call (confirming twice is harmless).
  expect(t.calls).toHaveLength(3);
  expect(t.calls[2]!.params).toEqual({ offset: 4, limit: 1, timeout: 0 });
});

test('stop while an update is being handled waits for it, then confirms with one short getUpdates', async () => {
  let release: () => void = () => {};
  const t = setup([[{ update_id: 3 }]], () => new Promise<void>((r) => (release = r)));
  t.poller.start();
  await until(() => t.calls.length === 2);
  const stopped = t.poller.stop();
  release();
  await stopped;
  expect(t.handled).toEqual([3]);
  expect(t.calls).toHaveLength(3);
  expect(t.calls[2]!.params).toEqual({ offset: 4, limit: 1, timeout: 0 });
});

test('an update older than the offset (delivered again) is not handled twice; a handler that throws does not stop the poller', async () => {
  const t = setup([[{ update_id: 1 }], [{ update_id: 1 }, { update_id: 2 }], [{ update_id: 3 }]], async (u) => {
    if (u.update_id === 2) throw new Error('boom');
  });
  t.poller.start();
  await until(() => t.calls.length === 4);
  expect(t.handled).toEqual([1, 3]);
  expect(t.calls[3]!.params.offset).toBe(4);
  await t.poller.stop();
});

const conflict = (d: string) =>
  new TelegramError({
    kind: 'Rejected',
    message: `getUpdates was rejected: 409 ${d}`,
    method: 'getUpdates',
    httpStatus: 409,
    description: d,
  });

test('409: the conflict is reported once, looked at again every 30 s, and cleared when a poll works', async () => {
  const t = setup([
    conflict("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"),
    conflict("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"),
    [],
  ]);
  t.poller.start();
  await until(() => t.calls.length === 4);
  expect(t.conflicts).toEqual(['webhook', undefined]);
  expect(t.sleeps).toEqual([CONFLICT_RETRY_MS, CONFLICT_RETRY_MS]);
  await t.poller.stop();
});

test('another poller is a conflict of its own kind', async () => {
  const t = setup([conflict('Conflict: terminated by other getUpdates request; make sure that only one bot instance is running')]);
  t.poller.start();
  await until(() => t.calls.length === 2);
  expect(t.conflicts).toEqual(['poller']);
  await t.poller.stop();
});

test('429 waits retry_after; other failures back off exponentially, and a success resets the backoff', async () => {
  const limited = new TelegramError({ kind: 'RateLimited', message: 'rate', method: 'getUpdates', httpStatus: 429, retryAfterSeconds: 7 });
  const down = () => new TelegramError({ kind: 'Unavailable', message: 'cannot reach Telegram', method: 'getUpdates' });
  const t = setup([limited, down(), down(), [], down()]);
  t.poller.start();
  await until(() => t.calls.length === 6);
  expect(t.sleeps).toEqual([7_000, 2_000, 4_000, 1_000]);
  expect(t.conflicts).toEqual([]);
  await t.poller.stop();
});
