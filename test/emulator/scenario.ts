// The emulator's world as plain, JSON-serialisable data: a scenario file for the CLI is exactly this
// shape, and tests build one with the helpers below. Nothing here knows about HTTP.

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';
export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

/** A raw Bot API `Update`; the emulator only needs `update_id` and passes everything else through. */
export interface Update {
  update_id: number;
  [field: string]: unknown;
}

export interface BotSpec {
  /** `<id>:<secret>`; only well-formed tokens can ever match a bot. */
  token: string;
  id: number;
  username: string;
  firstName: string;
  /** A revoked token (or deleted bot) answers 401 like an unknown one; kept so a test can flip it at run time. */
  revoked?: boolean;
  canJoinGroups?: boolean;
  canReadAllGroupMessages?: boolean;
  /** Pending updates for getUpdates; `update_id`s must increase. */
  updates?: Update[];
  /** A set webhook makes getUpdates answer 409. */
  webhookUrl?: string;
}

export interface ChatSpec {
  /** Basic groups `-N`, supergroups and channels `-100N`, private chats the user id. */
  id: number;
  type: ChatType;
  title?: string;
  /** Public username without `@`; only supergroups and channels (and bots) resolve by `@username`. */
  username?: string;
  firstName?: string;
  lastName?: string;
  /** Supergroup with topics enabled. */
  isForum?: boolean;
  /** Open forum topic ids (the General topic, 1, is never addressable by id). */
  topics?: number[];
  /** A basic group upgraded to the supergroup with this id. */
  migratedTo?: number;
  /** A basic group that was deleted (deactivated without upgrade). */
  deleted?: boolean;
  /** Public without a username (e.g. a geo group); a username implies public. */
  isPublic?: boolean;
}

export interface MembershipSpec {
  chatId: number;
  /** The member: normally one of the scenario's bots, but any user id works for getChatMember. */
  botId: number;
  status: MemberStatus;
  /** Channels only: an administrator may post unless this is false. */
  canPostMessages?: boolean;
  /** Supergroups and channels: an administrator with this right may delete others' messages. */
  canDeleteMessages?: boolean;
  /** Groups and supergroups: false on a restricted member (or a member muted by default permissions). */
  canSendMessages?: boolean;
  /** Groups and supergroups: a restricted member sends photos only with this; false mutes photos of a member. */
  canSendPhotos?: boolean;
  /** Forum supergroups: an administrator creates topics, and edits others' topics, only with this right. */
  canManageTopics?: boolean;
  /** Unix seconds for restricted/kicked; 0 = forever. */
  untilDate?: number;
}

/** `true` applies to every bot, a list to just those bot ids. */
export type BotSet = boolean | number[];

export interface UserSpec {
  id: number;
  firstName: string;
  lastName?: string;
  /** A human's username never resolves as a chat (`@user` → chat not found). */
  username?: string;
  /** Another bot account: bots can't message bots. */
  isBot?: boolean;
  /** Deleted account. */
  deactivated?: boolean;
  /** Pressed Start in the private chat with these bots. */
  started?: BotSet;
  /** Blocked these bots. */
  blocked?: BotSet;
}

export interface Scenario {
  bots: BotSpec[];
  chats: ChatSpec[];
  memberships: MembershipSpec[];
  users: UserSpec[];
}

export function appliesTo(set: BotSet | undefined, botId: number): boolean {
  return set === true || (Array.isArray(set) && set.includes(botId));
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A deterministic, realistic token for fixtures: `<id>:` + 35 chars of `[A-Za-z0-9_-]`, the shape real
 * tokens have (`AA` prefix included). `salt` gives a second, different token for the same bot id.
 */
export function makeToken(botId: number, salt = 0): string {
  let state = (botId * 2654435761 + salt * 97 + 12345) >>> 0;
  let secret = 'AA';
  while (secret.length < 35) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    secret += SECRET_ALPHABET[(state >>> 16) % SECRET_ALPHABET.length];
  }
  return `${botId}:${secret}`;
}

export function bot(id: number, username: string, firstName = username): BotSpec {
  return { token: makeToken(id), id, username, firstName };
}

/** `-100` followed by the channel id, as the Bot API prints supergroup and channel ids. */
export function supergroupId(channelId: number): number {
  return -1_000_000_000_000 - channelId;
}

export function emptyScenario(): Scenario {
  return { bots: [], chats: [], memberships: [], users: [] };
}

/**
 * Small fluent builder so a test states only what matters to it, e.g.
 * `new ScenarioBuilder().bot(b).supergroup(id, 'Ops', b.id).build()`.
 */
export class ScenarioBuilder {
  private readonly s: Scenario = emptyScenario();

  bot(spec: BotSpec): this {
    this.s.bots.push(structuredClone(spec));
    return this;
  }

  chat(spec: ChatSpec, ...memberships: Omit<MembershipSpec, 'chatId'>[]): this {
    this.s.chats.push({ ...spec });
    for (const m of memberships) this.s.memberships.push({ chatId: spec.id, ...m });
    return this;
  }

  member(chatId: number, botId: number, status: MemberStatus, extra: Partial<MembershipSpec> = {}): this {
    this.s.memberships.push({ chatId, botId, status, ...extra });
    return this;
  }

  /** A healthy supergroup where the bot is a plain member. */
  supergroup(id: number, title: string, botId: number, extra: Partial<ChatSpec> = {}): this {
    return this.chat({ id, type: 'supergroup', title, ...extra }, { botId, status: 'member' });
  }

  /** A forum supergroup with open topics; the bot is a member unless `membership` says otherwise. */
  forum(id: number, title: string, botId: number, topics: number[], membership: Partial<Omit<MembershipSpec, 'chatId'>> = {}): this {
    return this.chat({ id, type: 'supergroup', title, isForum: true, topics }, { botId, status: 'member', ...membership });
  }

  /** A healthy basic group where the bot is a member. */
  group(id: number, title: string, botId: number): this {
    return this.chat({ id, type: 'group', title }, { botId, status: 'member' });
  }

  /** A basic group upgraded to a supergroup (`newId`) in which the bot stayed a member. */
  upgradedGroup(oldId: number, newId: number, title: string, botId: number): this {
    this.chat({ id: oldId, type: 'group', title, migratedTo: newId }, { botId, status: 'member' });
    return this.supergroup(newId, title, botId);
  }

  /** A channel; `canPost: false` makes the bot an administrator without "Post messages". */
  channel(id: number, title: string, botId: number, canPost = true, extra: Partial<ChatSpec> = {}): this {
    return this.chat({ id, type: 'channel', title, ...extra }, { botId, status: 'administrator', canPostMessages: canPost });
  }

  user(spec: UserSpec): this {
    this.s.users.push(structuredClone(spec));
    return this;
  }

  build(): Scenario {
    return structuredClone(this.s);
  }
}

/** Named ids of `demoScenario()`, so tests and docs refer to situations, not numbers. */
export const DEMO = {
  bot: bot(7000000001, 'ops_alerts_bot', 'Ops Alerts'),
  otherBot: bot(7000000002, 'second_helper_bot', 'Helper'),
  /** Well-formed token that no bot has: 401. */
  unknownToken: makeToken(7000000099),
  chats: {
    ops: supergroupId(1000000001), // healthy private supergroup, bot is admin
    publicNotMember: supergroupId(1000000002), // @ops_public, bot not a member
    privateNotMember: supergroupId(1000000003), // private supergroup, bot not a member
    legacyGroup: -400000001, // basic group upgraded to `upgradedTo`
    upgradedTo: supergroupId(1000000004),
    group: -400000002, // healthy basic group
    deletedGroup: -400000003,
    kickedGroup: -400000004,
    leftGroup: -400000005,
    kickedSupergroup: supergroupId(1000000005),
    restrictedSupergroup: supergroupId(1000000006),
    channel: supergroupId(1000000007), // @ops_channel, bot can post
    channelNoPost: supergroupId(1000000008), // bot admin without can_post_messages
    kickedChannel: supergroupId(1000000009),
    privateChannelNotMember: supergroupId(1000000010),
    forum: supergroupId(1000000011), // topics 42 and 77
    subscriberChannel: supergroupId(1000000012), // bot is a plain subscriber
    managedForum: supergroupId(1000000013), // forum without topics yet; bot is an administrator with can_manage_topics
  },
  users: {
    ann: 100001, // started the bot
    bob: 100002, // never started it
    carol: 100003, // blocked it
    dave: 100004, // deleted account
    eve: 100005, // human with a username (@eve_human)
    /** People around the Ops chat, for button presses: an administrator, a plain member, and an outsider. */
    olga: 100006, // administrator of Ops (@olga_oncall)
    max: 100007, // plain member of Ops
    sam: 100008, // not in Ops at all (@sam_elsewhere)
  },
  forumTopics: [42, 77],
} as const;

/** One of everything the operator has to tell apart; served by the CLI by default. */
export function demoScenario(): Scenario {
  const b = DEMO.bot.id;
  const c = DEMO.chats;
  return new ScenarioBuilder()
    .bot(DEMO.bot)
    .bot(DEMO.otherBot)
    .chat({ id: c.ops, type: 'supergroup', title: 'Ops' }, { botId: b, status: 'administrator' })
    .chat({ id: c.publicNotMember, type: 'supergroup', title: 'Ops Public', username: 'ops_public' })
    .chat({ id: c.privateNotMember, type: 'supergroup', title: 'Ops Private' })
    .upgradedGroup(c.legacyGroup, c.upgradedTo, 'Legacy Ops', b)
    .group(c.group, 'Small Team', b)
    .chat({ id: c.deletedGroup, type: 'group', title: 'Gone', deleted: true }, { botId: b, status: 'member' })
    .chat({ id: c.kickedGroup, type: 'group', title: 'Kicked Here' }, { botId: b, status: 'kicked', untilDate: 0 })
    .chat({ id: c.leftGroup, type: 'group', title: 'Left Here' }, { botId: b, status: 'left' })
    .chat({ id: c.kickedSupergroup, type: 'supergroup', title: 'Banned' }, { botId: b, status: 'kicked', untilDate: 0 })
    .chat(
      { id: c.restrictedSupergroup, type: 'supergroup', title: 'Muted' },
      { botId: b, status: 'restricted', canSendMessages: false, untilDate: 0 },
    )
    .channel(c.channel, 'Ops Channel', b, true, { username: 'ops_channel' })
    .channel(c.channelNoPost, 'Read Only Channel', b, false)
    .chat({ id: c.kickedChannel, type: 'channel', title: 'Banned Channel' }, { botId: b, status: 'kicked', untilDate: 0 })
    .chat({ id: c.privateChannelNotMember, type: 'channel', title: 'Secret Channel' })
    .forum(c.forum, 'Ops Forum', b, [...DEMO.forumTopics])
    .chat({ id: c.subscriberChannel, type: 'channel', title: 'Subscribed' }, { botId: b, status: 'member' })
    .forum(c.managedForum, 'Incidents', b, [], { status: 'administrator', canManageTopics: true, canDeleteMessages: true })
    .user({ id: DEMO.users.ann, firstName: 'Ann', started: true })
    .user({ id: DEMO.users.bob, firstName: 'Bob' })
    .user({ id: DEMO.users.carol, firstName: 'Carol', started: true, blocked: true })
    .user({ id: DEMO.users.dave, firstName: 'Deleted Account', started: true, deactivated: true })
    .user({ id: DEMO.users.eve, firstName: 'Eve', username: 'eve_human', started: true })
    .user({ id: DEMO.users.olga, firstName: 'Olga', username: 'olga_oncall' })
    .user({ id: DEMO.users.max, firstName: 'Max' })
    .user({ id: DEMO.users.sam, firstName: 'Sam', username: 'sam_elsewhere' })
    .member(c.ops, DEMO.users.olga, 'administrator')
    .member(c.ops, DEMO.users.max, 'member')
    .build();
}
