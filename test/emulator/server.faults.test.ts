// Row 25 (rate limits over HTTP) and row 37 plus injected faults: 5xx bursts, latency, dropped sockets.

import { ScenarioBuilder, bot, DEMO } from './scenario.js';
import {
  answeredAfter,
  chanceToArrive,
  errorOf,
  expectTooManyRequests,
  received,
  startEmulator,
  track,
  type Harness,
  emulatorForTests,
} from './testkit.js';

const T = DEMO.bot.token;
const C = DEMO.chats;

describe('rate limits', () => {
  let h: Harness;
  emulatorForTests((started) => (h = started), { start: () => startEmulator(undefined, { limits: {} }) });

  const send = (chat_id: number | string) => h.call(T, 'sendMessage', { chat_id, text: 'alert' });

  test('@username and numeric id share one chat budget', async () => {
    for (let i = 0; i < 2; i++) expect((await send('@ops_channel')).status).toBe(200);
    expect((await send(C.channel)).status).toBe(200);
    expect((await send('@OPS_CHANNEL')).status).toBe(429);
  });

  test('per chat: a burst of 3, then 429 with retry_after and Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await send(DEMO.users.ann)).status).toBe(200);
    const r = await send(DEMO.users.ann);
    expectTooManyRequests(r, 1);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(h.emu.messages).toHaveLength(3);
    h.clock.advance(1000);
    expect((await send(DEMO.users.ann)).status).toBe(200);
  });

  test('per group: the 21st message within a minute is refused', async () => {
    h.emu.setLimits({ perChat: null });
    for (let i = 0; i < 20; i++) {
      expect((await send(C.ops)).status).toBe(200);
      h.clock.advance(100);
    }
    const r = await send(C.ops);
    expect(r.status).toBe(429);
    const retry = (errorOf(r).parameters as { retry_after: number }).retry_after;
    expect(r.headers.get('retry-after')).toBe(String(retry));
    expect(errorOf(r).description).toBe(`Too Many Requests: retry after ${retry}`);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(3);
    // Another group has its own budget.
    expect((await send('@ops_channel')).status).toBe(200);
  });

  test('per bot: the 31st message in a second across chats is refused', async () => {
    const b = DEMO.bot;
    const builder = new ScenarioBuilder().bot(b);
    for (let i = 1; i <= 31; i++) builder.user({ id: 200000 + i, firstName: `U${i}`, started: true });
    const e = await startEmulator(builder.build(), { limits: {} });
    try {
      for (let i = 1; i <= 30; i++) expect((await e.call(T, 'sendMessage', { chat_id: 200000 + i, text: 'x' })).status).toBe(200);
      const r = await e.call(T, 'sendMessage', { chat_id: 200031, text: 'x' });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('1');
      e.clock.advance(1000);
      expect((await e.call(T, 'sendMessage', { chat_id: 200031, text: 'x' })).status).toBe(200);
    } finally {
      await e.emu.stop();
    }
  });

  test('limits can be switched off per instance', async () => {
    h.emu.setLimits(false);
    for (let i = 0; i < 10; i++) expect((await send(DEMO.users.ann)).status).toBe(200);
    expect(h.emu.limits.enabled).toBe(false);
  });

  test('refused requests are rejected before being delivered, errors are not rate limited', async () => {
    for (let i = 0; i < 5; i++) expect((await send(C.kickedGroup)).status).toBe(403);
    expect(h.emu.messages).toHaveLength(0);
  });
});

describe('faults', () => {
  let h: Harness;
  emulatorForTests((started) => (h = started));

  test('a burst of 502s from the edge, as HTML, then normal service', async () => {
    h.emu.setFaults({ status5xx: { count: 2 } });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${h.base}/bot${T}/getMe`);
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(await res.text()).toContain('<title>502 Bad Gateway</title>');
    }
    expect((await h.call(T, 'getMe')).status).toBe(200);
    expect(h.emu.requests.map((r) => r.status)).toEqual([502, 502, 200]);
  });

  test("500 is the bot API's own restart error", async () => {
    h.emu.setFaults({ status5xx: { count: 1, code: 500 } });
    const r = await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'x' });
    expect(r.status).toBe(500);
    expect(r.body).toStrictEqual({ ok: false, error_code: 500, description: 'Internal Server Error: restart' });
    expect(h.emu.messages).toHaveLength(0);
  });

  test('503 for a while, measured on the emulator clock', async () => {
    h.emu.setFaults({ status5xx: { untilMs: 5000, code: 503 } });
    expect((await fetch(`${h.base}/bot${T}/getMe`)).status).toBe(503);
    h.clock.advance(4999);
    expect((await fetch(`${h.base}/bot${T}/getMe`)).status).toBe(503);
    h.clock.advance(1);
    expect((await h.call(T, 'getMe')).status).toBe(200);
  });

  test('latency delays every answer until the emulator clock has passed it; cleared, answers come at once', async () => {
    h.emu.setFaults({ latencyMs: 800 });
    expect((await answeredAfter(h, h.call(T, 'getMe'), 1, 800)).status).toBe(200);
    h.emu.clearFaults();
    // No clock moves now: with latency still on, this answer would never come.
    expect((await h.call(T, 'getMe')).status).toBe(200);
  });

  test('a dropped connection is a socket error in fetch, and nothing is delivered', async () => {
    h.emu.setFaults({ dropConnections: 1 });
    const error = await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'x' }).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string; message?: string } },
    );
    expect(error?.message).toBe('fetch failed');
    expect(error?.cause?.code).toBe('UND_ERR_SOCKET');
    expect(h.emu.messages).toHaveLength(0);
    expect(h.emu.requests[0]).toMatchObject({ method: 'sendMessage', status: 0, response: null });
    expect((await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'x' })).status).toBe(200);
  });

  test('faults combine and clear', async () => {
    h.emu.setFaults({ latencyMs: 50 });
    h.emu.setFaults({ status5xx: { count: 1 } });
    const both = track(fetch(`${h.base}/bot${T}/getMe`));
    await received(h, 1);
    await chanceToArrive();
    expect(both.answered()).toBe(false); // the latency holds it
    h.clock.advance(50);
    expect((await both.promise).status).toBe(502); // and then the 5xx answers it
    h.emu.setFaults({ status5xx: { count: 3 } });
    h.emu.clearFaults();
    expect((await h.call(T, 'getMe')).status).toBe(200);
  });
});

test('a scenario with its own bot token works end to end', async () => {
  const b = bot(8123456789, 'tiny_bot');
  expect(b.token).toMatch(/^8123456789:[A-Za-z0-9_-]{35}$/);
  const e = await startEmulator(new ScenarioBuilder().bot(b).supergroup(-1003000000001, 'Tiny', b.id).build());
  try {
    const r = await e.call(b.token, 'sendMessage', { chat_id: -1003000000001, text: 'hello' });
    expect(r.status).toBe(200);
    expect(e.emu.messagesTo(-1003000000001).map((m) => m.text)).toEqual(['hello']);
  } finally {
    await e.emu.stop();
  }
});

describe('flood fault', () => {
  test('answers the next N requests of a method with 429, retry_after and Retry-After, then recovers', async () => {
    const { TelegramEmulator: Emulator } = await import('./server.js');
    const { demoScenario: scenario, DEMO: demo } = await import('./scenario.js');
    const em = new Emulator(scenario());
    const base = await em.start();
    try {
      em.setFaults({ flood: { count: 1, retryAfter: 7, methods: ['getChat'] } });
      const me = await fetch(`${base}/bot${demo.bot.token}/getMe`);
      expect(me.status).toBe(200);
      const r = await fetch(`${base}/bot${demo.bot.token}/getChat?chat_id=${demo.chats.ops}`);
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('7');
      expect(await r.json()).toEqual({
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 7',
        parameters: { retry_after: 7 },
      });
      const again = await fetch(`${base}/bot${demo.bot.token}/getChat?chat_id=${demo.chats.ops}`);
      expect(again.status).toBe(200);
    } finally {
      await em.stop();
    }
  });
});
