// Pure: Bot API updates → the chats a bot has seen, once each, with the id to use (sign included)
// and how each was seen. A basic group that became a supergroup is listed under its new id, and the
// old id is kept only to say "upgraded: use the new one".

export type SeenVia =
  | 'my_chat_member' // the bot was added, promoted, restricted, removed… (arrives whatever the privacy mode)
  | 'message'
  | 'edited_message'
  | 'channel_post'
  | 'edited_channel_post'
  | 'chat_member'
  | 'migration';

export interface SeenChat {
  /** The chat id exactly as Telegram prints it, sign included (as a string: ids exceed 2^31). */
  id: string;
  type: string;
  /** Title of a group or channel; a private chat's "First Last". */
  title?: string;
  username?: string;
  isForum?: boolean;
  /** How the chat appeared in the updates, in order of first appearance. */
  seenVia: SeenVia[];
  /** The bot's own status from the latest my_chat_member (member, administrator, left, kicked, …). */
  botStatus?: string;
  /** This basic group was upgraded to the supergroup with this id: use that one. */
  upgradedTo?: string;
  /** This supergroup was a basic group with this id before. */
  upgradedFrom?: string;
  /** Unix seconds of the latest update about the chat. */
  lastDate?: number;
  /** The highest update_id that mentioned the chat (orders the list: most recent first). */
  lastUpdateId: number;
}

export interface ChatDiscovery {
  chats: SeenChat[];
  /** Updates read, and how many of them named no chat (e.g. inline queries). */
  updates: number;
  withoutChat: number;
}

const MESSAGE_FIELDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post'] as const;
const MEMBER_FIELDS = ['my_chat_member', 'chat_member'] as const;

/** Statuses in which the bot is in the chat. */
export const PRESENT_STATUSES: ReadonlySet<string> = new Set(['creator', 'administrator', 'member', 'restricted']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const idOf = (v: unknown): string | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? v : undefined;

export function discoverChats(updates: readonly unknown[]): ChatDiscovery {
  const byId = new Map<string, SeenChat>();
  let withoutChat = 0;
  const sorted = updates
    .filter(isObj)
    .map((u, i) => ({ u, id: typeof u.update_id === 'number' ? u.update_id : i }))
    .sort((a, b) => a.id - b.id);

  const touch = (chat: unknown, via: SeenVia, updateId: number, date: unknown): SeenChat | undefined => {
    if (!isObj(chat)) return undefined;
    const id = idOf(chat.id);
    if (id === undefined) return undefined;
    let entry = byId.get(id);
    if (!entry) {
      entry = { id, type: str(chat.type) ?? 'unknown', seenVia: [], lastUpdateId: updateId };
      byId.set(id, entry);
    }
    if (str(chat.type)) entry.type = chat.type as string;
    const name = str(chat.title) ?? ([str(chat.first_name), str(chat.last_name)].filter(Boolean).join(' ') || undefined);
    if (name) entry.title = name;
    if (str(chat.username)) entry.username = chat.username as string;
    if (typeof chat.is_forum === 'boolean') entry.isForum = chat.is_forum;
    if (!entry.seenVia.includes(via)) entry.seenVia.push(via);
    entry.lastUpdateId = Math.max(entry.lastUpdateId, updateId);
    if (typeof date === 'number') entry.lastDate = Math.max(entry.lastDate ?? 0, date);
    return entry;
  };

  /** Links old → new; the new one is created from the old one's title when not seen yet. */
  const migrate = (oldId: string, newId: string, title: string | undefined, updateId: number, date: unknown): void => {
    const old = touch({ id: Number(oldId), type: 'group', ...(title ? { title } : {}) }, 'migration', updateId, date) ?? byId.get(oldId);
    const fresh =
      byId.get(newId) ?? touch({ id: Number(newId), type: 'supergroup', ...(title ? { title } : {}) }, 'migration', updateId, date);
    if (old) {
      old.upgradedTo = newId;
      old.type = 'group';
    }
    if (fresh) {
      fresh.upgradedFrom = oldId;
      if (!fresh.seenVia.includes('migration')) fresh.seenVia.push('migration');
      fresh.lastUpdateId = Math.max(fresh.lastUpdateId, updateId);
      if (fresh.type === 'unknown' || fresh.type === 'group') fresh.type = 'supergroup';
    }
  };

  for (const { u, id: updateId } of sorted) {
    let named = false;
    for (const field of [...MEMBER_FIELDS, ...MESSAGE_FIELDS]) {
      const m = u[field];
      if (!isObj(m)) continue;
      const entry = touch(m.chat, field, updateId, m.date);
      if (!entry) continue;
      named = true;
      // A membership change says the bot's status; a message may say its chat became a supergroup.
      if (field === 'my_chat_member' && isObj(m.new_chat_member)) {
        const status = str(m.new_chat_member.status);
        if (status) entry.botStatus = status;
      }
      const to = idOf(m.migrate_to_chat_id);
      const from = idOf(m.migrate_from_chat_id);
      if (to !== undefined) migrate(entry.id, to, entry.title, updateId, m.date);
      if (from !== undefined) migrate(from, entry.id, entry.title, updateId, m.date);
    }
    if (!named) withoutChat++;
  }

  // Chats to use first, most recently seen first; upgraded basic groups last (they only redirect).
  const chats = [...byId.values()].sort((a, b) => {
    if (!!a.upgradedTo !== !!b.upgradedTo) return a.upgradedTo ? 1 : -1;
    return b.lastUpdateId - a.lastUpdateId;
  });
  return { chats, updates: sorted.length, withoutChat };
}

/** The chat to use for an id the user typed: the chat itself, its migration target, or a sign-less match. */
export function findChat(chats: readonly SeenChat[], wanted: string): { chat: SeenChat; note?: string } | undefined {
  const w = wanted.trim();
  const resolve = (c: SeenChat, note?: string): { chat: SeenChat; note?: string } => {
    if (c.upgradedTo) {
      const target = chats.find((x) => x.id === c.upgradedTo);
      if (target)
        return { chat: target, note: `${c.id} was a basic group that was upgraded to a supergroup: using its new id ${target.id}` };
    }
    return note ? { chat: c, note } : { chat: c };
  };
  const exact = chats.find((c) => c.id === w || (c.username !== undefined && `@${c.username}`.toLowerCase() === w.toLowerCase()));
  if (exact) return resolve(exact);
  if (/^\d+$/.test(w)) {
    for (const candidate of [`-${w}`, `-100${w}`]) {
      const c = chats.find((x) => x.id === candidate);
      if (c) return resolve(c, `${w} has no minus sign; group and channel ids are negative: using ${c.id}`);
    }
  }
  return undefined;
}

const VIA_WORDS: Record<SeenVia, string> = {
  my_chat_member: 'bot added',
  message: 'message',
  edited_message: 'edited message',
  channel_post: 'channel post',
  edited_channel_post: 'edited channel post',
  chat_member: 'member update',
  migration: 'migration',
};

/** "bot added (administrator), message": how a chat was seen, in a few words. */
export function describeSeen(c: SeenChat): string {
  return c.seenVia
    .map((v) => {
      if (v !== 'my_chat_member') return VIA_WORDS[v];
      if (!c.botStatus) return 'membership change';
      if (PRESENT_STATUSES.has(c.botStatus)) return `bot added (${c.botStatus})`;
      return c.botStatus === 'kicked' ? 'bot banned' : 'bot removed';
    })
    .join(', ');
}

/** What the user should know about a chat before using its id, or '' when nothing. */
export function noteFor(c: SeenChat): string {
  if (c.upgradedTo) return `upgraded to a supergroup: use ${c.upgradedTo}`;
  const notes: string[] = [];
  if (c.botStatus && !PRESENT_STATUSES.has(c.botStatus))
    notes.push(
      c.botStatus === 'kicked' ? 'the bot was banned here: unban and re-add it' : 'the bot is no longer in this chat: add it again',
    );
  if (c.botStatus === 'member' && c.type === 'channel') notes.push('the bot must be an administrator with "Post messages" to post');
  if (c.upgradedFrom) notes.push(`was basic group ${c.upgradedFrom}`);
  if (c.isForum) notes.push('forum: set messageThreadId to post into a topic');
  if (c.type === 'private') notes.push('private chat with this user');
  return notes.join('; ');
}

/** A display name: the title, or "@username", or the id. */
export function chatLabel(c: SeenChat): string {
  if (c.title && c.username) return `${c.title} (@${c.username})`;
  return c.title ?? (c.username ? `@${c.username}` : c.id);
}
