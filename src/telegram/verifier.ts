// getMe → getChat → getChatMember(bot): may this bot post to this chat? Produces the TokenValid and
// ChatReachable verdicts with the contract's reasons. getMe is shared per token: any number of
// channels on one bot cost one getMe per cycle (concurrent callers share the one request in flight).
import type { ChatReason, Reason, TokenReason, Verdict } from '../api/contract.js';
import type { TelegramClient } from './client.js';
import { TelegramError } from './errors.js';
import { tokenKey } from './tokenKey.js';
import type { TelegramChat, TelegramUser } from './schemas.js';

export interface VerifyResult {
  token: Verdict<TokenReason>;
  /** When the token fails, the chat is not checked and carries the token's reason. */
  chat: Verdict<ChatReason | TokenReason>;
  bot?: { id: number; username: string };
  chatInfo?: { id: string; type: string; title?: string; isForum?: boolean };
  /** Set when Telegram asked us to slow down: retry no sooner than this. */
  retryAfterMs?: number;
  /**
   * Whether the bot could create forum topics here (a `topic` route needs both), from the getChat and
   * getChatMember answers the verification reads anyway; absent when those calls did not both answer.
   */
  topics?: { isForum: boolean; canManageTopics: boolean };
}

/**
 * How long a token's getMe answer is shared. Long enough that a start-up or a cycle of thousands of
 * channels costs one getMe per token; a token revoked meanwhile still shows at once, because the
 * chat calls that follow answer 401 and drop the cached answer.
 */
const TOKEN_RESULT_TTL_MS = 10 * 60_000;

export class Verifier {
  private readonly botCache = new Map<string, { at: number; result: Promise<TelegramUser> }>();

  constructor(
    private readonly telegram: TelegramClient,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * getMe alone: is this token a bot's? What a ClusterTelegramBot checks once for all of its channels
   * (controller/botReconciler.ts); its channels then verify their chats with `knownBot` and no getMe.
   */
  async verifyToken(token: string): Promise<Pick<VerifyResult, 'token' | 'bot' | 'retryAfterMs'>> {
    try {
      const bot = await this.getMeShared(token);
      return { token: botVerdict(bot), bot: { id: bot.id, username: bot.username } };
    } catch (e) {
      const err = asTelegramError(e, 'getMe');
      return { token: tokenVerdict(err), retryAfterMs: retryAfterMs(err) };
    }
  }

  /**
   * `knownBot`: the token was verified already (its ClusterTelegramBot's status): no getMe.
   * `chatSource`: where the chat id came from when it was read from a Secret (e.g. `Secret ns/x key "y"`):
   * until Telegram has confirmed the chat, messages name that place, never the value (which may be any
   * number a Secret holds, a PIN for instance).
   */
  async verify(
    token: string,
    chatId: string,
    messageThreadId?: number,
    knownBot?: { id: number; username: string },
    chatSource?: string,
  ): Promise<VerifyResult> {
    let bot: { id: number; username: string };
    if (knownBot) {
      bot = knownBot;
    } else {
      try {
        bot = await this.getMeShared(token);
      } catch (e) {
        const err = asTelegramError(e, 'getMe');
        return {
          token: tokenVerdict(err),
          chat: { status: 'Unknown', reason: tokenVerdict(err).reason, message: 'not checked: the token must work first' },
          retryAfterMs: retryAfterMs(err),
        };
      }
    }
    const botRef = { id: bot.id, username: bot.username };
    const tokenOk = botVerdict(bot);

    let chat: TelegramChat;
    try {
      chat = await this.telegram.getChat(token, chatId);
    } catch (e) {
      const err = asTelegramError(e, 'getChat');
      if (err.kind === 'Unauthorized') return this.revoked(token, err);
      const verdict = await this.explainChatFailure(token, chatId, err, chatSource);
      return { token: tokenOk, bot: botRef, chat: verdict, retryAfterMs: retryAfterMs(err) };
    }
    const chatInfo = {
      id: String(chat.id),
      type: chat.type,
      title: chat.title ?? ([chat.first_name, chat.last_name].filter(Boolean).join(' ') || chat.username),
      ...(chat.type === 'supergroup' ? { isForum: chat.is_forum === true } : {}),
    };
    const base = { token: tokenOk, bot: botRef, chatInfo };

    if (messageThreadId !== undefined && chat.is_forum !== true) {
      return {
        ...base,
        chat: {
          status: 'False',
          reason: 'ThreadNotFound',
          message: `messageThreadId ${messageThreadId} is set, but ${describe(chat)} has no topics (it is not a forum)`,
        },
      };
    }
    if (chat.type === 'private') {
      return { ...base, chat: { status: 'True', reason: 'Verified', message: `private chat with ${chatInfo.title ?? chat.id}` } };
    }

    let verdict: Verdict<ChatReason>;
    let topics: VerifyResult['topics'];
    try {
      const member = await this.telegram.getChatMember(token, chatId, bot.id);
      verdict = memberVerdict(chat, member.status, member);
      topics = {
        isForum: chat.is_forum === true,
        canManageTopics: member.status === 'creator' || (member.status === 'administrator' && member.can_manage_topics === true),
      };
    } catch (e) {
      const err = asTelegramError(e, 'getChatMember');
      if (err.kind === 'Unauthorized') return this.revoked(token, err);
      return { ...base, chat: chatVerdict(err, chatId, chatSource), retryAfterMs: retryAfterMs(err) };
    }
    // A basic group upgraded to a supergroup still answers getChat and getChatMember(bot) as if
    // nothing happened; only a write reveals migrate_to_chat_id. sendChatAction is the lightest
    // write there is (at most a 5-second "typing…" hint), so basic groups get that one extra probe.
    if (verdict.status === 'True' && chat.type === 'group') {
      try {
        await this.telegram.sendChatAction(token, chatId);
      } catch (e) {
        const err = asTelegramError(e, 'sendChatAction');
        if (err.kind === 'Unauthorized') return this.revoked(token, err);
        return { ...base, chat: chatVerdict(err, chatId, chatSource), retryAfterMs: retryAfterMs(err) };
      }
    }
    return { ...base, chat: verdict, topics };
  }

  /** The token stopped working after getMe succeeded (revoked meanwhile): forget it and say so. */
  private revoked(token: string, err: TelegramError): VerifyResult {
    this.botCache.delete(tokenKey(token));
    return {
      token: tokenVerdict(err),
      chat: { status: 'Unknown', reason: 'Unauthorized', message: 'not checked: the token must work first' },
    };
  }

  /** getMe for a token, shared by every channel that uses it while the answer is fresh. */
  private getMeShared(token: string): Promise<TelegramUser> {
    const key = tokenKey(token);
    const hit = this.botCache.get(key);
    if (hit && this.now() - hit.at < TOKEN_RESULT_TTL_MS) return hit.result;
    const result = this.telegram.getMe(token);
    this.botCache.set(key, { at: this.now(), result });
    // A transient failure must not be remembered for a whole cycle.
    result.catch((e: unknown) => {
      if (e instanceof TelegramError && e.transient && this.botCache.get(key)?.result === result) this.botCache.delete(key);
    });
    if (this.botCache.size > 10_000) this.evictExpired();
    return result;
  }

  private evictExpired(): void {
    for (const [k, v] of this.botCache) if (this.now() - v.at >= TOKEN_RESULT_TTL_MS) this.botCache.delete(k);
  }

  /**
   * A positive id that Telegram cannot find is most often a group id whose minus sign was lost
   * (YAML, a shell, a copy from t.me). If the negative form exists, say exactly which id to use.
   */
  private async explainChatFailure(token: string, chatId: string, err: TelegramError, chatSource?: string): Promise<Verdict<ChatReason>> {
    if ((err.kind === 'ChatNotFound' || err.kind === 'BotNotMember') && /^[0-9]+$/.test(chatId)) {
      for (const [prefix, candidate] of [
        ['-', `-${chatId}`],
        ['-100', `-100${chatId}`],
      ] as const) {
        try {
          const chat = await this.telegram.getChat(token, candidate);
          // From a Secret: the candidate is the Secret's number with a prefix, so it is not shown either.
          const message = chatSource
            ? `${chatName(chatId, chatSource)} was not found, but the same number with "${prefix}" in front is ` +
              `${chat.title ? describe(chat) : `a ${chat.type}`}: put "${prefix}" in front of the number in ${chatSource} ` +
              '(group and channel ids are negative)'
            : `chat ${chatId} was not found, but ${candidate} is ${describe(chat)}: ` +
              `set the chat id to "${candidate}" (group and channel ids are negative)`;
          return { status: 'False', reason: 'ChatIdMissingMinusSign', message };
        } catch (e) {
          if (e instanceof TelegramError && e.kind === 'ChatMigrated') {
            return chatVerdict(e, candidate, chatSource);
          }
          if (e instanceof TelegramError && e.transient) return chatVerdict(e, chatId, chatSource);
        }
      }
    }
    return chatVerdict(err, chatId, chatSource);
  }
}

/** How a message names a chat Telegram has not confirmed: by its id, or by the Secret its id came from. */
function chatName(chatId: string, chatSource?: string, kind = 'chat'): string {
  return chatSource ? `the ${kind} whose id is in ${chatSource}` : `${kind === 'chat' ? 'chat' : `the ${kind}`} ${chatId}`;
}

function botVerdict(bot: { id: number; username: string }): Verdict<TokenReason> {
  return { status: 'True', reason: 'Verified', message: `bot @${bot.username} (id ${bot.id})` };
}

/** Ready from the two sub-verdicts: the first failing one, or Verified naming the bot and the chat. */
export function readyVerdict(result: VerifyResult, chatId: string): Verdict<Reason> {
  const failing = result.token.status !== 'True' ? result.token : result.chat.status !== 'True' ? result.chat : undefined;
  return (
    failing ?? {
      status: 'True',
      reason: 'Verified',
      message: `${result.token.message} can post to ${result.chatInfo?.type ?? 'chat'} "${result.chatInfo?.title ?? chatId}"`,
    }
  );
}

function asTelegramError(e: unknown, method: string): TelegramError {
  return e instanceof TelegramError
    ? e
    : new TelegramError({ kind: 'Unavailable', message: `unexpected failure during ${method}`, method });
}

function retryAfterMs(err: TelegramError): number | undefined {
  return err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : undefined;
}

function mapTransient(err: TelegramError): 'RateLimited' | 'TelegramUnavailable' {
  return err.kind === 'RateLimited' ? 'RateLimited' : 'TelegramUnavailable';
}

function tokenVerdict(err: TelegramError): Verdict<TokenReason> {
  if (err.transient) return { status: 'Unknown', reason: mapTransient(err), message: err.message };
  if (err.kind === 'Unauthorized') return { status: 'False', reason: 'Unauthorized', message: err.message };
  return { status: 'False', reason: 'Unauthorized', message: `getMe failed: ${err.message}` };
}

/** `chatSource`: the chat id came from that Secret, and Telegram has not confirmed it: messages do not show it. */
export function chatVerdict(err: TelegramError, chatId: string, chatSource?: string): Verdict<ChatReason> {
  switch (err.kind) {
    case 'RateLimited':
    case 'Unavailable':
      return { status: 'Unknown', reason: mapTransient(err), message: err.message };
    case 'ChatMigrated':
      return {
        status: 'False',
        reason: 'ChatMigrated',
        message:
          err.migrateToChatId !== undefined
            ? `${chatName(chatId, chatSource, 'group')} was upgraded to a supergroup: set the chat id to "${err.migrateToChatId}" (migrate_to_chat_id)`
            : `${chatName(chatId, chatSource, 'group')} was upgraded to a supergroup, but Telegram did not say its new id: ` +
              'find the -100… id with "telegram-channel-operator chats"',
      };
    case 'ChatNotFound':
      return {
        status: 'False',
        reason: 'ChatNotFound',
        message: `${chatName(chatId, chatSource)} not found: check the id, and that the bot was added to the chat`,
      };
    case 'InvalidChatId':
      return {
        status: 'False',
        reason: 'InvalidChatId',
        message: chatSource ? `the chat id in ${chatSource} is not valid for Telegram` : `chat id ${JSON.stringify(chatId)} is not valid`,
      };
    case 'BotKicked':
      return { status: 'False', reason: 'BotKicked', message: `${err.description ?? err.message}: add the bot back to the chat` };
    case 'BotNotMember':
      return {
        status: 'False',
        reason: 'BotNotMember',
        message: `${err.description ?? err.message}: add the bot to the chat (for a private chat, open the bot and press Start)`,
      };
    case 'CannotPost':
      return { status: 'False', reason: 'CannotPost', message: err.description ?? err.message };
    case 'ThreadNotFound':
      return {
        status: 'False',
        reason: 'ThreadNotFound',
        message: 'message thread not found: check messageThreadId (topic 1, General, cannot be used)',
      };
    case 'Unauthorized':
      return { status: 'Unknown', reason: 'TelegramUnavailable', message: err.message };
    default:
      return { status: 'False', reason: 'ChatNotFound', message: `Telegram rejected the chat: ${err.message}` };
  }
}

function memberVerdict(
  chat: TelegramChat,
  status: string,
  member: { can_post_messages?: boolean; can_send_messages?: boolean; is_member?: boolean },
): Verdict<ChatReason> {
  const where = describe(chat);
  switch (status) {
    case 'kicked':
      return { status: 'False', reason: 'BotKicked', message: `the bot was removed and banned from ${where}: unban it and add it back` };
    case 'left':
      return { status: 'False', reason: 'BotNotMember', message: `the bot is not a member of ${where}: add it` };
    case 'restricted':
      if (member.is_member === false)
        return { status: 'False', reason: 'BotNotMember', message: `the bot is not a member of ${where}: add it` };
      if (member.can_send_messages === false)
        return {
          status: 'False',
          reason: 'CannotPost',
          message: `the bot is restricted in ${where} and may not send messages: lift the restriction`,
        };
      break;
    case 'member':
      if (chat.type === 'channel')
        return {
          status: 'False',
          reason: 'CannotPost',
          message: `the bot is only a subscriber of ${where}: make it an administrator with the "Post messages" right`,
        };
      break;
    case 'administrator':
      if (chat.type === 'channel' && member.can_post_messages !== true) {
        return {
          status: 'False',
          reason: 'CannotPost',
          message: `the bot is an administrator of ${where} without the "Post messages" right (can_post_messages): grant it`,
        };
      }
      break;
  }
  return { status: 'True', reason: 'Verified', message: `the bot can post to ${where}` };
}

function describe(chat: { type: string; title?: string; id: number }): string {
  return chat.title ? `${chat.type} "${chat.title}"` : `${chat.type} ${chat.id}`;
}
