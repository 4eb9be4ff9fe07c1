// Who may press a channel's buttons, decided at press time: the user ids in allowedUserIds always;
// otherwise, by `allowed`, the chat's administrators (creator or administrator) or its members, as
// getChatMember says now. Answers are cached briefly per chat and user: a press storm must not turn
// into a getChatMember storm, and a demoted admin loses the right within a minute.
import type { TelegramChatMember } from '../telegram/schemas.js';

export const MEMBER_CACHE_MS = 60_000;
const MAX_CACHED = 2_000;

export type AllowedRule = { allowed: 'Administrators' | 'Members'; allowedUserIds: readonly number[] };
export type Authorization = { ok: true } | { ok: false; reason: string };

/** getChatMember for one bot. */
export type MemberLookup = (chatId: string, userId: number) => Promise<TelegramChatMember>;

const ADMIN: ReadonlySet<string> = new Set(['creator', 'administrator']);
const MEMBER: ReadonlySet<string> = new Set(['creator', 'administrator', 'member']);

/** Pure: does this membership satisfy the rule? */
export function satisfies(rule: AllowedRule['allowed'], m: TelegramChatMember): boolean {
  if (rule === 'Administrators') return ADMIN.has(m.status);
  // A restricted user is in the chat only while is_member is true; left and kicked never are.
  return MEMBER.has(m.status) || (m.status === 'restricted' && m.is_member === true);
}

export class PressAuthorizer {
  private readonly cache = new Map<string, { member: TelegramChatMember; at: number }>();

  constructor(
    private readonly lookup: MemberLookup,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = MEMBER_CACHE_MS,
  ) {}

  async authorize(rule: AllowedRule, chatId: string, userId: number): Promise<Authorization> {
    if (rule.allowedUserIds.includes(userId)) return { ok: true };
    let member: TelegramChatMember;
    try {
      member = await this.member(chatId, userId);
    } catch (e) {
      return { ok: false, reason: `Could not check whether you may press this (${(e as Error).message}). Try again.` };
    }
    if (satisfies(rule.allowed, member)) return { ok: true };
    return {
      ok: false,
      reason:
        rule.allowed === 'Administrators'
          ? 'Not allowed: only administrators of this chat may use these buttons.'
          : 'Not allowed: only members of this chat may use these buttons.',
    };
  }

  private async member(chatId: string, userId: number): Promise<TelegramChatMember> {
    const key = `${chatId}/${userId}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.member;
    const member = await this.lookup(chatId, userId);
    this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { member, at: this.now() });
    return member;
  }
}
