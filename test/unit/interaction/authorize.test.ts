// Who may press, decided at press time by getChatMember (a fake here), cached briefly.
import { PressAuthorizer, satisfies } from '../../../src/interaction/authorize.js';
import type { TelegramChatMember } from '../../../src/telegram/schemas.js';

const statuses: Record<number, TelegramChatMember> = {
  1: { status: 'creator' },
  2: { status: 'administrator' },
  3: { status: 'member' },
  4: { status: 'restricted', is_member: true },
  5: { status: 'restricted', is_member: false },
  6: { status: 'left' },
  7: { status: 'kicked' },
};

function setup() {
  let now = 0;
  const calls: number[] = [];
  const lookup = async (_chat: string, user: number) => {
    calls.push(user);
    const m = statuses[user];
    if (!m) throw new Error('Bad Request: user not found');
    return m;
  };
  const auth = new PressAuthorizer(lookup, () => now);
  return { auth, calls, advance: (ms: number) => (now += ms), set: (u: number, m: TelegramChatMember) => (statuses[u] = m) };
}

test.each([
  ['creator', 1, true, true],
  ['administrator', 2, true, true],
  ['member', 3, false, true],
  ['restricted, still a member', 4, false, true],
  ['restricted, not a member', 5, false, false],
  ['left', 6, false, false],
  ['kicked', 7, false, false],
])('%s: Administrators %s, Members %s', (_what, user, admins, members) => {
  expect(satisfies('Administrators', statuses[user]!)).toBe(admins);
  expect(satisfies('Members', statuses[user]!)).toBe(members);
});

test('allowedUserIds may always press, without asking Telegram', async () => {
  const { auth, calls } = setup();
  await expect(auth.authorize({ allowed: 'Administrators', allowedUserIds: [6] }, '-100', 6)).resolves.toEqual({ ok: true });
  expect(calls).toEqual([]);
});

test('a member is refused with the reason when only administrators may press', async () => {
  const { auth } = setup();
  const r = await auth.authorize({ allowed: 'Administrators', allowedUserIds: [] }, '-100', 3);
  expect(r).toEqual({ ok: false, reason: expect.stringMatching(/only administrators/) });
  await expect(auth.authorize({ allowed: 'Members', allowedUserIds: [] }, '-100', 3)).resolves.toEqual({ ok: true });
});

test('an outsider is refused for Members; a failed lookup is a refusal that says to try again', async () => {
  const { auth } = setup();
  expect(await auth.authorize({ allowed: 'Members', allowedUserIds: [] }, '-100', 6)).toEqual({
    ok: false,
    reason: expect.stringMatching(/only members/),
  });
  expect(await auth.authorize({ allowed: 'Members', allowedUserIds: [] }, '-100', 99)).toEqual({
    ok: false,
    reason: expect.stringMatching(/Could not check.*user not found.*Try again/),
  });
});

test('answers are cached for 60 s: a demoted admin loses the right after that', async () => {
  const { auth, calls, advance, set } = setup();
  const rule = { allowed: 'Administrators' as const, allowedUserIds: [] };
  expect((await auth.authorize(rule, '-100', 2)).ok).toBe(true);
  set(2, { status: 'member' });
  advance(59_000);
  expect((await auth.authorize(rule, '-100', 2)).ok).toBe(true);
  expect(calls).toEqual([2]);
  advance(1_000);
  expect((await auth.authorize(rule, '-100', 2)).ok).toBe(false);
  expect(calls).toEqual([2, 2]);
  set(2, { status: 'administrator' });
});

test('the cache is per chat and user: an admin of one chat is not an admin of another', async () => {
  const now = 0;
  const calls: string[] = [];
  const adminIn = new Set(['-100A']);
  const lookup = async (chat: string, user: number): Promise<TelegramChatMember> => {
    calls.push(`${chat}/${user}`);
    return { status: adminIn.has(chat) ? 'administrator' : 'member' };
  };
  const auth = new PressAuthorizer(lookup, () => now);
  const rule = { allowed: 'Administrators' as const, allowedUserIds: [] };
  expect(await auth.authorize(rule, '-100A', 42)).toEqual({ ok: true });
  // Same user, other chat, same instant (well inside the cache time): asked anew, and refused.
  expect(await auth.authorize(rule, '-100B', 42)).toEqual({ ok: false, reason: expect.stringMatching(/only administrators/) });
  expect(calls).toEqual(['-100A/42', '-100B/42']);
  // Both answers stay cached, each for its own chat.
  expect((await auth.authorize(rule, '-100A', 42)).ok).toBe(true);
  expect((await auth.authorize(rule, '-100B', 42)).ok).toBe(false);
  expect(calls).toEqual(['-100A/42', '-100B/42']);
});
