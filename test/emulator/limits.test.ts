import { DEFAULT_LIMITS, ManualClock, RateLimiter } from './limits.js';

const BOT = 1;

test("defaults are Telegram's published limits", () => {
  expect(DEFAULT_LIMITS).toEqual({
    enabled: true,
    perChat: { capacity: 3, refill: 1, intervalMs: 1000 },
    perGroup: { capacity: 20, refill: 20, intervalMs: 60_000 },
    perBot: { capacity: 30, refill: 30, intervalMs: 1000 },
  });
});

test('a private chat allows a burst of 3, then one per second', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({}, clock);
  for (let i = 0; i < 3; i++) expect(limiter.tryAcquire(BOT, 42, false)).toEqual({ ok: true });
  expect(limiter.tryAcquire(BOT, 42, false)).toEqual({ ok: false, retryAfter: 1 });
  clock.advance(999);
  expect(limiter.tryAcquire(BOT, 42, false).ok).toBe(false);
  clock.advance(1);
  expect(limiter.tryAcquire(BOT, 42, false)).toEqual({ ok: true });
  // Other chats are unaffected.
  expect(limiter.tryAcquire(BOT, 43, false)).toEqual({ ok: true });
});

test('a refused message costs nothing, so waiting retry_after is enough', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({}, clock);
  for (let i = 0; i < 3; i++) limiter.tryAcquire(BOT, 42, false);
  for (let i = 0; i < 5; i++) expect(limiter.tryAcquire(BOT, 42, false).ok).toBe(false);
  clock.advance(1000);
  expect(limiter.tryAcquire(BOT, 42, false).ok).toBe(true);
});

test('a group takes 20 messages a minute; the 21st waits 3 s for the next token', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ perChat: null }, clock);
  for (let i = 0; i < 20; i++) expect(limiter.tryAcquire(BOT, -100123, true).ok).toBe(true);
  expect(limiter.tryAcquire(BOT, -100123, true)).toEqual({ ok: false, retryAfter: 3 });
  clock.advance(3000);
  expect(limiter.tryAcquire(BOT, -100123, true).ok).toBe(true);
});

test('the group bucket still bites when the per-chat pace is respected', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({}, clock);
  let sent = 0;
  // One message per second: the group bucket drains by 2/3 of a token a second from 20.
  while (limiter.tryAcquire(BOT, -100123, true).ok) {
    sent++;
    clock.advance(1000);
  }
  expect(sent).toBeGreaterThan(20);
  expect(sent).toBeLessThan(60);
});

test('a bot sends at most 30 messages a second across chats', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({}, clock);
  for (let chat = 1; chat <= 30; chat++) expect(limiter.tryAcquire(BOT, chat, false).ok).toBe(true);
  expect(limiter.tryAcquire(BOT, 31, false)).toEqual({ ok: false, retryAfter: 1 });
  expect(limiter.tryAcquire(2, 31, false).ok).toBe(true); // another bot has its own budget
  clock.advance(34); // one token back after 1000/30 ms
  expect(limiter.tryAcquire(BOT, 31, false).ok).toBe(true);
});

test('limits can be switched off and changed', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter(false, clock);
  for (let i = 0; i < 100; i++) expect(limiter.tryAcquire(BOT, 42, false).ok).toBe(true);
  limiter.configure({ perChat: { capacity: 1, refill: 1, intervalMs: 10_000 } });
  expect(limiter.current.enabled).toBe(true);
  expect(limiter.tryAcquire(BOT, 7, false).ok).toBe(true);
  expect(limiter.tryAcquire(BOT, 7, false)).toEqual({ ok: false, retryAfter: 10 });
  limiter.configure(false);
  expect(limiter.tryAcquire(BOT, 7, false).ok).toBe(true);
});
