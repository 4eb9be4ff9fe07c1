// Rows 27–32: getUpdates offsets and long polling, the 409s, and webhook bookkeeping.

import { DEMO, type Update } from './scenario.js';
import { answeredAfter, errorOf, expectTooManyRequests, resultOf, startEmulator, type Harness, emulatorForTests } from './testkit.js';

const T = DEMO.bot.token;
let h: Harness;
emulatorForTests((started) => (h = started));

const chatMember = (title: string): Omit<Update, 'update_id'> => ({
  my_chat_member: {
    chat: { id: DEMO.chats.ops, title, type: 'supergroup' },
    from: { id: DEMO.users.ann, is_bot: false, first_name: 'Ann' },
    date: 1731694471,
    old_chat_member: { user: { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts' }, status: 'left' },
    new_chat_member: { user: { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts' }, status: 'member' },
  },
});

const ids = (r: { body: unknown }): number[] => resultOf<Update[]>(r as never).map((u) => u.update_id);

function queue(n: number): void {
  for (let i = 0; i < n; i++) h.emu.addUpdate(T, { update_id: 500 + i, ...chatMember(`chat ${i}`) });
}

describe('getUpdates', () => {
  test('returns raw updates in order, honouring limit', async () => {
    queue(3);
    const r = await h.call(T, 'getUpdates', { limit: 2 });
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([500, 501]);
    expect(resultOf<Update[]>(r)[0]).toStrictEqual({ update_id: 500, ...chatMember('chat 0') });
  });

  test('without confirming, the same updates come back', async () => {
    queue(2);
    expect(ids(await h.call(T, 'getUpdates'))).toEqual([500, 501]);
    expect(ids(await h.call(T, 'getUpdates'))).toEqual([500, 501]);
  });

  test('an offset confirms everything before it', async () => {
    queue(3);
    expect(ids(await h.call(T, 'getUpdates', { offset: 502 }))).toEqual([502]);
    expect(ids(await h.call(T, 'getUpdates'))).toEqual([502]);
    expect(ids(await h.call(T, 'getUpdates', { offset: 503 }))).toEqual([]);
    expect(resultOf(await h.call(T, 'getWebhookInfo')).pending_update_count).toBe(0);
  });

  test('a negative offset keeps only the last updates', async () => {
    queue(5);
    expect(ids(await h.call(T, 'getUpdates', { offset: -2 }))).toEqual([503, 504]);
    expect(ids(await h.call(T, 'getUpdates'))).toEqual([503, 504]);
  });

  test('an offset beyond the queue is ignored', async () => {
    queue(2);
    expect(ids(await h.call(T, 'getUpdates', { offset: 9999 }))).toEqual([500, 501]);
  });

  test('assigned update ids continue the sequence; bots have separate queues', async () => {
    queue(1);
    const next = h.emu.addUpdate(T, chatMember('auto'));
    expect(next.update_id).toBe(501);
    expect(ids(await h.call(DEMO.otherBot.token, 'getUpdates'))).toEqual([]);
  });

  test('a long poll waits for the next update', async () => {
    const poll = h.call(T, 'getUpdates', { timeout: 30 });
    await new Promise((r) => setTimeout(r, 100));
    h.emu.addUpdate(T, { update_id: 700, ...chatMember('late') });
    // Woken by the update: the 30 s timeout would have answered with no update at all.
    expect(ids(await poll)).toEqual([700]);
  });

  test('a long poll with nothing to return ends empty after its timeout', async () => {
    const started = Date.now();
    const r = await h.call(T, 'getUpdates', { timeout: 1 });
    expect(r.body).toStrictEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('a second poll terminates the first with 409', async () => {
    const first = h.call(T, 'getUpdates', { timeout: 30 });
    await new Promise((r) => setTimeout(r, 100));
    const second = h.call(T, 'getUpdates', { timeout: 30 });
    const r1 = await first;
    expect(r1.status).toBe(409);
    expect(r1.body).toStrictEqual({
      ok: false,
      error_code: 409,
      description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
    h.emu.addUpdate(T, { update_id: 800, ...chatMember('x') });
    expect(ids(await second)).toEqual([800]);
  });

  test('setWebhook terminates a pending poll, and polling then conflicts with the webhook', async () => {
    const poll = h.call(T, 'getUpdates', { timeout: 30 });
    await new Promise((r) => setTimeout(r, 100));
    const set = await h.call(T, 'setWebhook', { url: 'https://hooks.example.com/tg' });
    expect(set.body).toStrictEqual({ ok: true, result: true, description: 'Webhook was set' });
    const r = await poll;
    expect(r.status).toBe(409);
    expect(errorOf(r).description).toBe('Conflict: terminated by setWebhook request');

    const again = await h.call(T, 'getUpdates');
    expect(again.status).toBe(409);
    expect(again.body).toStrictEqual({
      ok: false,
      error_code: 409,
      description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
  });

  test('a webhook set through the scenario also blocks polling', async () => {
    h.emu.setWebhook(T, 'https://hooks.example.com/x');
    expect((await h.call(T, 'getUpdates')).status).toBe(409);
    h.emu.setWebhook(T, undefined);
    expect((await h.call(T, 'getUpdates')).status).toBe(200);
  });
});

describe('409 pacing', () => {
  test('only one 409 per 3 s is immediate; the next waits', async () => {
    const e = await startEmulator(undefined, { conflictDelayMs: 1000 });
    try {
      e.emu.setWebhook(T, 'https://hooks.example.com/x');
      // Answered without the emulator clock moving: a delayed 409 would never come.
      expect((await e.call(T, 'getUpdates')).status).toBe(409);
      expect((await answeredAfter(e, e.call(T, 'getUpdates'), 2, 1_000)).status).toBe(409);
      // A second after the first 409, the next one is immediate again.
      expect((await e.call(T, 'getUpdates')).status).toBe(409);
    } finally {
      await e.emu.stop();
    }
  });
});

describe('polling quirks', () => {
  test('the same offset again within 0.5 s returns a single update', async () => {
    const e = await startEmulator(undefined, { pollingQuirks: true });
    try {
      for (let i = 0; i < 3; i++) e.emu.addUpdate(T, { update_id: 900 + i, ...chatMember('q') });
      expect(ids(await e.call(T, 'getUpdates'))).toEqual([900, 901, 902]);
      expect(ids(await e.call(T, 'getUpdates'))).toEqual([900]);
      e.clock.advance(600);
      expect(ids(await e.call(T, 'getUpdates'))).toEqual([900, 901, 902]);
    } finally {
      await e.emu.stop();
    }
  });
});

describe('webhooks', () => {
  test('deleteWebhook says whether there was one', async () => {
    expect((await h.call(T, 'deleteWebhook')).body).toStrictEqual({
      ok: true,
      result: true,
      description: 'Webhook is already deleted',
    });
    await h.call(T, 'setWebhook', { url: 'https://hooks.example.com/a' });
    expect((await h.call(T, 'deleteWebhook')).body).toStrictEqual({ ok: true, result: true, description: 'Webhook was deleted' });
    expect((await h.call(T, 'deleteWebhook')).body).toStrictEqual({
      ok: true,
      result: true,
      description: 'Webhook is already deleted',
    });
  });

  test('setWebhook: same URL, once per second, HTTPS only', async () => {
    await h.call(T, 'setWebhook', { url: 'https://hooks.example.com/a' });
    const tooSoon = await h.call(T, 'setWebhook', { url: 'https://hooks.example.com/a' });
    expectTooManyRequests(tooSoon, 1);
    h.clock.advance(1000);
    expect((await h.call(T, 'setWebhook', { url: 'https://hooks.example.com/a' })).body).toStrictEqual({
      ok: true,
      result: true,
      description: 'Webhook is already set',
    });
    h.clock.advance(1000);
    const plain = await h.call(T, 'setWebhook', { url: 'http://hooks.example.com/a' });
    expect(errorOf(plain).description).toBe('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
  });

  test('getWebhookInfo in polling mode and with a webhook', async () => {
    queue(2);
    expect((await h.call(T, 'getWebhookInfo')).body).toStrictEqual({
      ok: true,
      result: { url: '', has_custom_certificate: false, pending_update_count: 2 },
    });
    await h.call(T, 'setWebhook', { url: 'https://hooks.example.com/a', drop_pending_updates: true });
    expect((await h.call(T, 'getWebhookInfo')).body).toStrictEqual({
      ok: true,
      result: { url: 'https://hooks.example.com/a', has_custom_certificate: false, pending_update_count: 0, max_connections: 40 },
    });
  });
});

describe('allowed_updates', () => {
  const press = (): Omit<Update, 'update_id'> => ({ callback_query: { id: '1', data: 'x' } });
  const message = (): Omit<Update, 'update_id'> => ({ message: { message_id: 1, chat: { id: 1, type: 'private' }, date: 1 } });
  const kinds = (r: { body: unknown }): string[] =>
    resultOf<Update[]>(r as never).map((u) => Object.keys(u).find((k) => k !== 'update_id')!);

  test('is remembered between calls, and filters updates as they arrive', async () => {
    h.emu.addUpdate(T, message()); // queued before the filter: it stays
    await h.call(T, 'getUpdates', { allowed_updates: ['callback_query', 'my_chat_member'] });
    h.emu.addUpdate(T, message()); // dropped on arrival
    h.emu.addUpdate(T, chatMember('x'));
    h.emu.addUpdate(T, press());
    expect(kinds(await h.call(T, 'getUpdates'))).toEqual(['message', 'my_chat_member', 'callback_query']);
    expect(resultOf(await h.call(T, 'getWebhookInfo')).allowed_updates).toEqual(['callback_query', 'my_chat_member']);
  });

  test('as a JSON string in a form body, names in any case', async () => {
    await h.call(T, 'getUpdates', { allowed_updates: '["Callback_Query"]' }, 'form');
    h.emu.addUpdate(T, chatMember('dropped'));
    h.emu.addUpdate(T, press());
    expect(kinds(await h.call(T, 'getUpdates'))).toEqual(['callback_query']);
  });

  test('an empty list (or only unknown names) restores the default; garbage changes nothing', async () => {
    await h.call(T, 'getUpdates', { allowed_updates: ['callback_query'] });
    await h.call(T, 'getUpdates', { allowed_updates: 'not json' });
    await h.call(T, 'getUpdates', { allowed_updates: [1, 2] });
    expect(resultOf(await h.call(T, 'getWebhookInfo')).allowed_updates).toEqual(['callback_query']);
    await h.call(T, 'getUpdates', { allowed_updates: [] });
    expect(resultOf(await h.call(T, 'getWebhookInfo'))).not.toHaveProperty('allowed_updates');
    await h.call(T, 'getUpdates', { allowed_updates: ['no_such_kind'] });
    expect(resultOf(await h.call(T, 'getWebhookInfo'))).not.toHaveProperty('allowed_updates');
  });

  test('the default leaves out chat_member and reactions', async () => {
    h.emu.addUpdate(T, { chat_member: { chat: { id: 1 } } });
    h.emu.addUpdate(T, { message_reaction: { chat: { id: 1 } } });
    h.emu.addUpdate(T, chatMember('kept'));
    expect(kinds(await h.call(T, 'getUpdates'))).toEqual(['my_chat_member']);
    await h.call(T, 'getUpdates', { allowed_updates: ['chat_member'] });
    h.emu.addUpdate(T, { chat_member: { chat: { id: 1 } } });
    expect(kinds(await h.call(T, 'getUpdates'))).toEqual(['my_chat_member', 'chat_member']);
  });

  test('setWebhook stores it too', async () => {
    await h.call(T, 'setWebhook', { url: 'https://hooks.example.com/a', allowed_updates: ['message'] });
    expect(resultOf(await h.call(T, 'getWebhookInfo')).allowed_updates).toEqual(['message']);
  });

  test('a webhook-conflicted poll does not change it', async () => {
    h.emu.setWebhook(T, 'https://hooks.example.com/x');
    expect((await h.call(T, 'getUpdates', { allowed_updates: ['poll'] })).status).toBe(409);
    expect(resultOf(await h.call(T, 'getWebhookInfo'))).not.toHaveProperty('allowed_updates');
  });
});

describe('update lifetime', () => {
  test('a queued update is forgotten after 24 h', async () => {
    h.emu.addUpdate(T, chatMember('old'));
    h.clock.advance(86_400_000 - 1);
    expect(ids(await h.call(T, 'getUpdates'))).toHaveLength(1);
    h.clock.advance(1);
    expect(ids(await h.call(T, 'getUpdates'))).toEqual([]);
  });
});
