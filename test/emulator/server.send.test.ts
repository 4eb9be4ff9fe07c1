// Rows 17–26: message content, topics, the success shape; parameter encodings and recording.

import { DEMO } from './scenario.js';
import { errorOf, expectBadRequest, resultOf, startEmulator, type Encoding, type Harness, emulatorForTests } from './testkit.js';

const T = DEMO.bot.token;
const C = DEMO.chats;
let h: Harness;
emulatorForTests((started) => (h = started), { perFile: true });

async function expect400(params: Record<string, unknown>, description: string): Promise<void> {
  const r = await h.call(T, 'sendMessage', { chat_id: C.ops, ...params });
  expect(r.status).toBe(400);
  expect(r.body).toStrictEqual({ ok: false, error_code: 400, description });
  expect(h.emu.messages).toHaveLength(0);
}

describe('text checks', () => {
  test('missing or empty text', async () => {
    await expect400({}, 'Bad Request: message text is empty');
    await expect400({ text: '' }, 'Bad Request: message text is empty');
  });

  test('text with a lone UTF-16 surrogate (valid JSON, not valid UTF-8)', async () => {
    await expect400({ text: 'half an emoji \ud83d' }, 'Bad Request: text must be encoded in UTF-8');
  });

  test('text that is empty once parsed and trimmed', async () => {
    await expect400({ text: ' \n\t ' }, 'Bad Request: text must be non-empty');
    await expect400({ text: '<b> </b>', parse_mode: 'HTML' }, 'Bad Request: text must be non-empty');
    await expect400({ text: '**', parse_mode: 'MarkdownV2' }, 'Bad Request: text must be non-empty');
  });

  test('raw text over 32768 bytes', async () => {
    await expect400({ text: 'é'.repeat(16385) }, 'Bad Request: text is too long');
    // 32768 bytes exactly passes the raw check and fails on the parsed length instead.
    await expect400({ text: 'é'.repeat(16384) }, 'Bad Request: message is too long');
  });

  test('parsed text over 4096 characters', async () => {
    await expect400({ text: 'a'.repeat(4097) }, 'Bad Request: message is too long');
    // Markup does not count: 4096 characters wrapped in tags are fine.
    const r = await h.call(T, 'sendMessage', { chat_id: C.ops, text: `<b>${'a'.repeat(4096)}</b>`, parse_mode: 'HTML' });
    expect(r.status).toBe(200);
  });

  test('length is counted in UTF-16 code units by default', async () => {
    // 2100 emoji are 2100 code points but 4200 UTF-16 units.
    await expect400({ text: '😀'.repeat(2100) }, 'Bad Request: message is too long');
  });

  test('code points, as TDLib counts, on request', async () => {
    const e = await startEmulator(undefined, { messageLengthUnit: 'codepoints' });
    try {
      const r = await e.call(T, 'sendMessage', { chat_id: C.ops, text: '😀'.repeat(2100) });
      expect(r.status).toBe(200);
      const tooLong = await e.call(T, 'sendMessage', { chat_id: C.ops, text: '😀'.repeat(4097) });
      expect(errorOf(tooLong).description).toBe('Bad Request: message is too long');
    } finally {
      await e.emu.stop();
    }
  });

  test('an unsupported parse_mode', async () => {
    await expect400({ text: 'x', parse_mode: 'Markdown2' }, 'Bad Request: unsupported parse_mode');
  });

  test.each([
    ['Hello<br>', 'Unsupported start tag "br" at byte offset 5'],
    ['<b>x', 'Can\'t find end tag corresponding to start tag "b"'],
    ['<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ['x</b>', 'Unexpected end tag at byte offset 1'],
    ['x <b', 'Unclosed start tag at byte offset 2'],
  ])('HTML %j', async (text, detail) => {
    await expect400({ text, parse_mode: 'html' }, `Bad Request: can't parse entities: ${detail}`);
  });

  test.each([
    ['Disk 95.3% full', "Character '.' is reserved and must be escaped with the preceding '\\'"],
    ['*bold', "Can't find end of Bold entity at byte offset 0"],
  ])('MarkdownV2 %j', async (text, detail) => {
    await expect400({ text, parse_mode: 'MarkdownV2' }, `Bad Request: can't parse entities: ${detail}`);
  });

  test('parse_mode "None" sends text verbatim', async () => {
    const r = await h.call(T, 'sendMessage', { chat_id: C.ops, text: '<b>not bold</b>', parse_mode: 'None' });
    expect(resultOf(r).text).toBe('<b>not bold</b>');
  });
});

describe('topics', () => {
  test.each([
    ['an unknown topic', C.forum, 99],
    ['the General topic', C.forum, 1],
    ['a chat without topics', C.ops, 42],
    ['a private chat', DEMO.users.ann, 42],
  ])('%s: message thread not found', async (_label, chatId, thread) => {
    const r = await h.call(T, 'sendMessage', { chat_id: chatId, text: 'x', message_thread_id: thread });
    expect(r.status).toBe(400);
    expect(r.body).toStrictEqual({ ok: false, error_code: 400, description: 'Bad Request: message thread not found' });
  });

  test('a chat without topics may ignore the thread, like the newest server', async () => {
    const e = await startEmulator(undefined, { nonForumThread: 'ignore' });
    try {
      const m = resultOf(await e.call(T, 'sendMessage', { chat_id: C.ops, text: 'x', message_thread_id: 42 }));
      expect(m).not.toHaveProperty('message_thread_id');
    } finally {
      await e.emu.stop();
    }
  });

  test('an open topic', async () => {
    const m = resultOf(await h.call(T, 'sendMessage', { chat_id: C.forum, text: 'to topic', message_thread_id: 42 }));
    expect(m).toMatchObject({ message_thread_id: 42, is_topic_message: true, text: 'to topic' });
    expect(h.emu.messages[0]).toMatchObject({ chatId: C.forum, threadId: 42 });
  });

  test('no thread id goes to General', async () => {
    const m = resultOf(await h.call(T, 'sendMessage', { chat_id: C.forum, text: 'general' }));
    expect(m).not.toHaveProperty('message_thread_id');
  });
});

describe('success', () => {
  test('the returned Message', async () => {
    const r = await h.call(T, 'sendMessage', { chat_id: C.ops, text: '  <b>Disk</b> &amp; CPU\n', parse_mode: 'HTML' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const date = Math.floor(h.clock.now() / 1000);
    expect(r.body).toStrictEqual({
      ok: true,
      result: {
        message_id: expect.any(Number),
        from: { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts', username: 'ops_alerts_bot' },
        chat: { id: C.ops, title: 'Ops', type: 'supergroup' },
        date,
        text: 'Disk & CPU',
      },
    });
  });

  test('message ids increase per chat', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(resultOf(await h.call(T, 'sendMessage', { chat_id: C.group, text: `m${i}` })).message_id);
    const other = resultOf(await h.call(T, 'sendMessage', { chat_id: C.upgradedTo, text: 'x' })).message_id;
    expect(ids).toEqual([ids[0] as number, (ids[0] as number) + 1, (ids[0] as number) + 2]);
    expect(other).toBeLessThan(ids[2] as number);
  });

  test('a private chat shows first_name', async () => {
    const m = resultOf(await h.call(T, 'sendMessage', { chat_id: DEMO.users.ann, text: 'hi' }));
    expect(m.chat).toStrictEqual({ id: DEMO.users.ann, first_name: 'Ann', type: 'private' });
  });

  test('a channel post carries sender_chat instead of from', async () => {
    const m = resultOf(await h.call(T, 'sendMessage', { chat_id: '@ops_channel', text: 'post' }));
    expect(m).not.toHaveProperty('from');
    expect(m.sender_chat).toStrictEqual({ id: C.channel, title: 'Ops Channel', username: 'ops_channel', type: 'channel' });
    expect(m.chat).toStrictEqual({ id: C.channel, title: 'Ops Channel', username: 'ops_channel', type: 'channel' });
    // Recorded under the resolved numeric id.
    expect(h.emu.messagesTo(C.channel)).toHaveLength(1);
  });

  test('options are recorded and echoed', async () => {
    const m = resultOf(
      await h.call(T, 'sendMessage', {
        chat_id: C.ops,
        text: 'x',
        protect_content: true,
        disable_notification: true,
        link_preview_options: { is_disabled: true },
      }),
    );
    expect(m).toMatchObject({ has_protected_content: true, link_preview_options: { is_disabled: true } });
    expect(h.emu.messages[0]?.options).toStrictEqual({
      disableNotification: true,
      protectContent: true,
      linkPreviewOptions: { is_disabled: true },
    });
  });

  test('a broken link_preview_options is refused', async () => {
    await expect400({ text: 'x', link_preview_options: '{nope' }, "Bad Request: can't parse link preview options JSON object");
  });
});

describe('parameter encodings', () => {
  test.each<Encoding>(['json', 'form', 'query'])('%s', async (encoding) => {
    const r = await h.call(
      T,
      'sendMessage',
      { chat_id: C.ops, text: 'a & b = c?', parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
      encoding,
    );
    const m = resultOf(r);
    expect(m.text).toBe('a & b = c?');
    expect(m.link_preview_options).toStrictEqual({ is_disabled: true });
    const rec = h.emu.requests.at(-1);
    expect(rec?.method).toBe('sendMessage');
    expect(rec?.params.chat_id).toBe(encoding === 'json' ? C.ops : String(C.ops));
  });

  test('JSON numbers, booleans and strings are read alike', async () => {
    const r = await h.call(T, 'sendMessage', { chat_id: String(C.forum), text: 'x', message_thread_id: '42', protect_content: 'true' });
    expect(resultOf(r)).toMatchObject({ message_thread_id: 42, has_protected_content: true });
  });

  test('GET with a query string works for getMe', async () => {
    const r = await h.get(`/bot${T}/getMe?unused=1`);
    expect(r.status).toBe(200);
  });

  test('invalid JSON is a 400', async () => {
    expectBadRequest(await h.post(`/bot${T}/sendMessage`, 'application/json', '{"chat_id":'), "can't parse JSON object");
  });
});

describe('recording', () => {
  test('requests are recorded with method, token, params, status and response', async () => {
    await h.call(T, 'SENDMESSAGE', { chat_id: C.ops, text: 'one' });
    await h.call(T, 'sendMessage', { chat_id: C.kickedGroup, text: 'two' });
    expect(h.emu.requests).toHaveLength(2);
    const [first, second] = h.emu.requests;
    expect(first).toMatchObject({
      httpMethod: 'POST',
      method: 'sendMessage',
      token: T,
      params: { chat_id: C.ops, text: 'one' },
      status: 200,
      response: { ok: true },
      time: h.clock.now(),
    });
    expect(second).toMatchObject({ status: 403, response: { ok: false, error_code: 403 } });
  });

  test('only successful sends are delivered messages', async () => {
    await h.call(T, 'sendMessage', { chat_id: C.ops, text: '<b>ok</b>', parse_mode: 'HTML' });
    await h.call(T, 'sendMessage', { chat_id: C.ops, text: '<b>broken', parse_mode: 'HTML' });
    await h.call(T, 'sendMessage', { chat_id: C.channelNoPost, text: 'no rights' });
    expect(h.emu.messages).toHaveLength(1);
    expect(h.emu.messages[0]).toMatchObject({
      botId: DEMO.bot.id,
      chatId: C.ops,
      text: 'ok',
      rawText: '<b>ok</b>',
      parseMode: 'HTML',
      date: Math.floor(h.clock.now() / 1000),
    });
  });

  test('clear() forgets traffic but not the scenario', async () => {
    await h.call(T, 'sendMessage', { chat_id: C.ops, text: 'x' });
    h.emu.clear();
    expect(h.emu.requests).toHaveLength(0);
    expect(h.emu.messages).toHaveLength(0);
    expect(h.emu.scenario.chats.some((c) => c.id === C.ops)).toBe(true);
  });
});

describe('run-time changes', () => {
  test('kickBot, migrateGroup, deleteGroup and setMembership take effect at once', async () => {
    const e = await startEmulator();
    try {
      const send = (chat_id: number): Promise<{ status: number }> => e.call(T, 'sendMessage', { chat_id, text: 'x' });
      expect((await send(C.group)).status).toBe(200);
      e.emu.kickBot(C.group, DEMO.bot.id);
      expect(errorOf(await e.call(T, 'sendMessage', { chat_id: C.group, text: 'x' })).description).toBe(
        'Forbidden: bot was kicked from the group chat',
      );
      e.emu.setMembership({ chatId: C.group, botId: DEMO.bot.id, status: 'member' });
      e.emu.migrateGroup(C.group, -1002000000001);
      const migrated = errorOf(await e.call(T, 'sendMessage', { chat_id: C.group, text: 'x' }));
      expect(migrated.parameters).toStrictEqual({ migrate_to_chat_id: -1002000000001 });
      expect((await send(-1002000000001)).status).toBe(200);
      e.emu.deleteGroup(C.kickedGroup);
      expect(errorOf(await e.call(T, 'sendMessage', { chat_id: C.kickedGroup, text: 'x' })).description).toBe(
        'Forbidden: the group chat was deleted',
      );
      e.emu.setChat({ id: -400000009, type: 'group', title: 'New' });
      expect(errorOf(await e.call(T, 'sendMessage', { chat_id: -400000009, text: 'x' })).description).toBe(
        'Forbidden: bot is not a member of the group chat',
      );
      e.emu.setUser({ id: DEMO.users.bob, firstName: 'Bob', started: true });
      expect((await send(DEMO.users.bob)).status).toBe(200);
    } finally {
      await e.emu.stop();
    }
  });
});
