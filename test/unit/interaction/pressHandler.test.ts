// The press handler with fakes: an in-memory episode store, a scripted Alertmanager and a fake
// getChatMember. What is checked, what is stored, what is answered.
import { AlertmanagerError, type SilenceRequest } from '../../../src/interaction/alertmanagerApi.js';
import { PressAuthorizer } from '../../../src/interaction/authorize.js';
import { ANSWERS, PressHandler, presser, type PressBot } from '../../../src/interaction/pressHandler.js';
import { PRESS_LIMIT, PRESS_WINDOW_MS } from '../../../src/interaction/pressLimit.js';
import type { CallbackQuery } from '../../../src/interaction/updateSchemas.js';
import type { Episode, EpisodeStore } from '../../../src/lifecycle/episode.js';
import { createLogger } from '../../../src/observability/log.js';
import { silencingChannel } from './pressFixtures.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ADMIN = { id: 11, username: 'olga_oncall', first_name: 'Olga' };
const MEMBER = { id: 12, first_name: 'Max' };

function setup(opts: { allowed?: 'Administrators' | 'Members'; amDown?: boolean; refresh?: (e: Episode) => Promise<void> } = {}) {
  const episodes = new Map<string, Episode>();
  episodes.set('ep1', {
    id: 'ep1',
    channel: { namespace: 'mon', name: 'ops', uid: 'uid-1' },
    groupKey: '{}:{alertname="DiskFull"}',
    chatId: '-1001',
    messageIds: [40, 41],
    commonLabels: { alertname: 'DiskFull', severity: 'page' },
    state: 'firing',
    updatedAt: '2025-03-01T11:00:00Z',
  });
  const reads: string[] = [];
  const store: EpisodeStore = {
    get: async (id) => (reads.push(id), structuredClone(episodes.get(id))),
    update: async (id, change) => {
      await new Promise((r) => setImmediate(r)); // a write takes a moment: presses can race
      const cur = episodes.get(id);
      if (!cur) return undefined;
      const next = change(structuredClone(cur));
      if (next) episodes.set(id, next);
      return structuredClone(next);
    },
  };
  const created: SilenceRequest[] = [];
  const expired: string[] = [];
  const api = {
    createSilence: async (s: SilenceRequest) => {
      if (opts.amDown)
        throw new AlertmanagerError('Unreachable', 'cannot reach Alertmanager at am:9093 to create the silence: ECONNREFUSED');
      await new Promise((r) => setTimeout(r, 5));
      created.push(s);
      return `sil-${created.length}`;
    },
    expireSilence: async (id: string) => void expired.push(id),
  };
  const answers: string[] = [];
  const refreshed: Episode[] = [];
  const seen: unknown[] = [];
  const ch = silencingChannel({ namespace: 'mon', name: 'ops', uid: 'uid-1' }, { allowed: opts.allowed ?? 'Administrators' });
  const members: Record<number, 'administrator' | 'member'> = { 11: 'administrator', 12: 'member' };
  const lookups: number[] = [];
  const bot: PressBot = {
    token: '1:x',
    key: 'bot-key',
    authorizer: new PressAuthorizer(
      async (_c, u) => (lookups.push(u), { status: members[u] ?? 'left' }),
      () => NOW,
    ),
  };
  let clock = NOW;
  const handler = new PressHandler({
    episodes: store,
    renderer: { refresh: opts.refresh ?? (async (e) => void refreshed.push(e)) },
    getChannel: () => ch,
    botOf: () => 'bot-key',
    // The fake bot's channels hold ids starting "ep" (the real check is the ConfigMap of the id).
    mayHoldEpisode: (botKey, id) => botKey === 'bot-key' && id.startsWith('ep'),
    alertmanagerFor: async () => ({ ok: true, api: api as never }),
    answer: async (_t, _id, text) => void answers.push(text),
    alertmanagerSeen: (_k, _source, c) => void seen.push(c),
    log: createLogger('silent'),
    now: () => clock,
  });
  let n = 0;
  const press = (
    from: CallbackQuery['from'],
    data: string,
    message = { message_id: 40, chat: { id: -1001, type: 'supergroup', title: 'Ops' } },
  ) => handler.handle(bot, { id: String(++n), from, data, message });
  const advance = (ms: number) => (clock += ms);
  return { press, episodes, created, expired, answers, refreshed, lookups, seen, reads, advance };
}

test('Silence by an administrator: exact matchers, createdBy, the duration; stored, shown, answered', async () => {
  const t = setup();
  await t.press(ADMIN, 's:ep1:0');
  expect(t.created).toHaveLength(1);
  const s = t.created[0]!;
  expect(s.matchers).toEqual({ alertname: 'DiskFull', severity: 'page' });
  expect(s.createdBy).toBe('telegram:@olga_oncall');
  expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(3_600_000);
  expect(s.comment).toContain('"Ops" (-1001)');
  expect(t.episodes.get('ep1')!.silence).toEqual({ id: 'sil-1', endsAt: '2025-03-01T13:00:00.000Z', by: 'telegram:@olga_oncall' });
  expect(t.refreshed.map((e) => e.silence?.id)).toEqual(['sil-1']);
  expect(t.answers).toEqual([expect.stringMatching(/^Silenced for 1h, until 2025-03-01 13:00 UTC/)]);
});

test('a double press, and the same press delivered again after a handover, make one silence', async () => {
  const t = setup();
  await Promise.all([t.press(ADMIN, 's:ep1:0'), t.press(ADMIN, 's:ep1:1')]);
  await t.press(ADMIN, 's:ep1:0');
  expect(t.created).toHaveLength(1);
  expect(t.answers.slice(1)).toEqual([
    expect.stringMatching(/^Already silenced by telegram:@olga_oncall until/),
    expect.stringMatching(/^Already silenced by/),
  ]);
});

test('a member is refused when only administrators may press: nothing changes', async () => {
  const t = setup();
  await t.press(MEMBER, 's:ep1:0');
  await t.press(MEMBER, 'a:ep1');
  expect(t.created).toHaveLength(0);
  expect(t.episodes.get('ep1')!.ack).toBeUndefined();
  expect(t.answers).toEqual([expect.stringMatching(/only administrators/), expect.stringMatching(/only administrators/)]);
  expect(t.refreshed).toHaveLength(0);
});

test('with allowed: Members a member may press; a stranger may not', async () => {
  const t = setup({ allowed: 'Members' });
  await t.press(MEMBER, 'a:ep1');
  await t.press({ id: 13, first_name: 'Sam' }, 's:ep1:0');
  expect(t.episodes.get('ep1')!.ack?.by).toBe('telegram:12');
  expect(t.created).toHaveLength(0);
  expect(t.answers).toEqual(['You took this alert.', expect.stringMatching(/only members/)]);
});

test('forged or stale buttons change nothing and ask nobody', async () => {
  const t = setup();
  await t.press(ADMIN, 'garbage');
  await t.press(ADMIN, 's:nope:0');
  t.advance(PRESS_WINDOW_MS);
  await t.press(ADMIN, 's:ep1:0', { message_id: 41, chat: { id: -1001, type: 'supergroup', title: 'Ops' } });
  await t.press(ADMIN, 's:ep1:0', { message_id: 40, chat: { id: -1002, type: 'supergroup', title: 'Other' } });
  await t.press(ADMIN, 's:ep1:3');
  expect(t.answers).toEqual([ANSWERS.unknown, ANSWERS.gone, ANSWERS.notThisMessage, ANSWERS.notThisMessage, ANSWERS.outdated]);
  expect(t.created).toHaveLength(0);
  expect(t.lookups).toEqual([11]); // only the last press got as far as the presser's right
});

test("a forged episode id that none of the bot's channels can hold costs no read", async () => {
  const t = setup();
  for (const id of ['zzzzzzzzzzzzzzzz', 'aaaaaaaaaaaaaaaa', 'nope']) await t.press(ADMIN, `a:${id}`);
  expect(t.answers).toEqual([ANSWERS.gone, ANSWERS.gone, ANSWERS.gone]);
  expect(t.reads).toEqual([]);
  await t.press(ADMIN, 'a:ep1');
  expect(t.reads).toEqual(['ep1']);
});

test(`one user may press ${PRESS_LIMIT} times in ${PRESS_WINDOW_MS / 1000} s on a bot; beyond that nothing is done but the answer`, async () => {
  const t = setup();
  for (let i = 0; i < PRESS_LIMIT; i++) await t.press(MEMBER, 'a:ep1');
  const readsBefore = t.reads.length;
  await t.press(MEMBER, 'a:ep1');
  expect(t.answers.at(-1)).toBe(ANSWERS.tooMany);
  expect(t.reads).toHaveLength(readsBefore);
  // Another presser is not held up by this one.
  await t.press(ADMIN, 'a:ep1');
  expect(t.answers.at(-1)).not.toBe(ANSWERS.tooMany);
  // The window passes: the first user may press again.
  t.advance(PRESS_WINDOW_MS);
  await t.press(MEMBER, 'a:ep1');
  expect(t.answers.at(-1)).not.toBe(ANSWERS.tooMany);
});

test('Alertmanager unreachable: the press says so, nothing is stored, the condition hears of it', async () => {
  const t = setup({ amDown: true });
  await t.press(ADMIN, 's:ep1:1');
  expect(t.answers).toEqual([
    expect.stringMatching(/^Alertmanager unreachable: cannot reach Alertmanager at am:9093.*nothing was silenced/),
  ]);
  expect(t.episodes.get('ep1')!.silence).toBeUndefined();
  expect(t.seen).toEqual([{ ok: false, reason: 'AlertmanagerUnreachable', message: expect.stringContaining('ECONNREFUSED') }]);
});

test('Unsilence expires the silence and brings the Silence buttons back; Ack is recorded once', async () => {
  const t = setup();
  await t.press(ADMIN, 's:ep1:0');
  await t.press(ADMIN, 'u:ep1');
  expect(t.expired).toEqual(['sil-1']);
  expect(t.episodes.get('ep1')!.silence).toBeUndefined();
  await t.press(ADMIN, 'u:ep1');
  expect(t.expired).toEqual(['sil-1']);
  await t.press(ADMIN, 'a:ep1');
  await t.press(ADMIN, 'a:ep1');
  expect(t.answers.slice(1)).toEqual([
    'Silence expired: this group notifies again.',
    'This alert is not silenced: nothing was changed.',
    'You took this alert.',
    'Already taken by telegram:@olga_oncall.',
  ]);
  expect(t.refreshed.map((e) => [!!e.silence, !!e.ack])).toEqual([
    [true, false],
    [false, false],
    [false, true],
  ]);
});

test('createdBy: @username when Telegram gives a sane one, the numeric id otherwise', () => {
  expect(presser({ id: 5, username: 'olga_oncall' })).toBe('telegram:@olga_oncall');
  expect(presser({ id: 5 })).toBe('telegram:5');
  expect(presser({ id: 5, username: 'bad name\n' })).toBe('telegram:5');
});

test('a press is answered before its message is redrawn: a busy chat holds the edit, not the answer', async () => {
  // The edit waits in the chat's queue (20 a minute in a group); Telegram drops answers after 15 s.
  let finishEdit!: () => void;
  const edits: Episode[] = [];
  const t = setup({ refresh: (e) => new Promise<void>((resolve) => (edits.push(e), (finishEdit = resolve))) });
  await t.press(ADMIN, 'a:ep1');
  expect(t.answers).toEqual(['You took this alert.']);
  expect(t.episodes.get('ep1')!.ack?.by).toBe('telegram:@olga_oncall');
  expect(edits.map((e) => e.ack?.by)).toEqual(['telegram:@olga_oncall']);
  finishEdit();
});
