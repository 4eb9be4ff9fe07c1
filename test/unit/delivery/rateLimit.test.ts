// The sender's token buckets: Telegram's pace, kept 100 ms behind the exact edge of its budget.
import { TokenBucket, isGroupLike } from '../../../src/delivery/rateLimit.js';

/** Sends as fast as the bucket allows from t=0; the times at which they go. */
function schedule(bucket: TokenBucket, count: number): number[] {
  const times: number[] = [];
  let now = 0;
  while (times.length < count) {
    const wait = bucket.waitMs(now);
    if (wait > 0) {
      now += wait;
      continue;
    }
    bucket.take(now);
    times.push(now);
  }
  return times;
}

test('a chat at 1/s with a burst of 3: two at once, the third 100 ms later, then one a second', () => {
  expect(schedule(new TokenBucket(3, 1 / 1000, 0), 5)).toEqual([0, 0, 100, 1100, 2100]);
});

test('a burst of 1 still paces at exactly one a second', () => {
  expect(schedule(new TokenBucket(1, 1 / 1000, 0), 3)).toEqual([0, 1000, 2000]);
});

test('a bot at 30/s sends 27 at once and keeps the rate after', () => {
  const times = schedule(new TokenBucket(30, 30 / 1000, 0), 27 + 30);
  expect(times.filter((t) => t === 0)).toHaveLength(27);
  // the next 30 take one second (plus rounding up to whole milliseconds)
  expect(times.at(-1)! - times[27]!).toBeGreaterThanOrEqual(29 * (1000 / 30) - 1);
  expect(times.at(-1)! - times[27]!).toBeLessThanOrEqual(1000 + 30);
});

test("whatever the pattern, Telegram's bucket (same limits, counting the same sends) never runs dry", () => {
  // Telegram's view: a bucket without our reserve. Ours must never send when it would refuse.
  const ours = new TokenBucket(3, 1 / 1000, 0);
  let theirs = 3;
  let last = 0;
  for (let now = 0; now < 60_000; now += 37) {
    if (ours.waitMs(now) > 0) continue;
    theirs = Math.min(3, theirs + (now - last) / 1000);
    last = now;
    expect(theirs).toBeGreaterThanOrEqual(1);
    ours.take(now);
    theirs -= 1;
  }
});

test.each([
  ['a private chat', '12345', false],
  ['a basic group', '-4567', true],
  ['a supergroup', '-1001234567890', true],
  ['a channel by username', '@alerts_channel', true],
])('%s (%s) is paced as a group: %s', (_what, chatId, group) => {
  expect(isGroupLike(chatId)).toBe(group);
});
