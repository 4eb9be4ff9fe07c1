// Every Bot API failure becomes a TelegramError with a kind the operator can act on. Classification
// follows the reference's client rules: parameters first (retry_after, migrate_to_chat_id), then
// case-insensitive description patterns, then the status code. Messages never contain the token.

export type TelegramErrorKind =
  | 'Unauthorized' // 401/404: wrong or revoked token, or a wrong API base URL
  | 'RateLimited' // 429
  | 'Unavailable' // network, timeout, 5xx, unreadable body
  | 'ChatMigrated'
  | 'ChatNotFound'
  | 'BotKicked'
  | 'BotNotMember'
  | 'CannotPost'
  | 'ThreadNotFound'
  | 'InvalidChatId'
  | 'InvalidMarkup'
  | 'MessageTooLong'
  | 'Rejected'; // any other 4xx: permanent for this request

export class TelegramError extends Error {
  override readonly name = 'TelegramError';
  constructor(
    readonly kind: TelegramErrorKind,
    message: string,
    readonly method: string,
    readonly httpStatus?: number,
    readonly retryAfterSeconds?: number,
    readonly migrateToChatId?: number,
    /** What Telegram said, redacted; kept for logs and status messages. */
    readonly description?: string,
  ) {
    super(message);
  }

  get transient(): boolean {
    return this.kind === 'RateLimited' || this.kind === 'Unavailable';
  }
}

const PATTERNS: [RegExp, TelegramErrorKind][] = [
  [/upgraded|migrated/i, 'ChatMigrated'],
  [/kicked from|blocked by the user/i, 'BotKicked'],
  [/not a member|can't initiate conversation|user is deactivated|chat was deleted/i, 'BotNotMember'],
  [/chat not found|private chat not found/i, 'ChatNotFound'],
  [
    /not enough rights|need administrator rights|have no rights|have no write access|can't send messages to the bot|bot can't send messages to bots/i,
    'CannotPost',
  ],
  [/message thread not found/i, 'ThreadNotFound'],
  [/chat_id is empty/i, 'InvalidChatId'],
  [/can't parse entities|unsupported parse_mode/i, 'InvalidMarkup'],
  [/message is too long|text is too long/i, 'MessageTooLong'],
];

export interface ApiFailure {
  method: string;
  httpStatus: number;
  errorCode?: number;
  description: string;
  retryAfter?: number;
  retryAfterHeader?: string;
  migrateToChatId?: number;
}

export function classifyFailure(f: ApiFailure): TelegramError {
  const code = f.errorCode ?? f.httpStatus;
  const d = f.description;
  if (f.migrateToChatId !== undefined) {
    return new TelegramError(
      'ChatMigrated',
      `the group was upgraded to a supergroup; use chat id ${f.migrateToChatId}`,
      f.method,
      code,
      undefined,
      f.migrateToChatId,
      d,
    );
  }
  if (code === 429 || f.retryAfter !== undefined) {
    const fromText = /retry after (\d+)/i.exec(d)?.[1];
    const header = f.retryAfterHeader && /^\d+$/.test(f.retryAfterHeader.trim()) ? Number(f.retryAfterHeader) : undefined;
    const seconds = f.retryAfter ?? header ?? (fromText ? Number(fromText) : 5);
    return new TelegramError(
      'RateLimited',
      `Telegram rate limit on ${f.method}: retry after ${seconds}s`,
      f.method,
      code,
      seconds,
      undefined,
      d,
    );
  }
  if (code === 401 || code === 404) {
    return new TelegramError(
      'Unauthorized',
      `Telegram rejected the bot token (${code} ${d || 'Unauthorized'}): the token is wrong or revoked, or TELEGRAM_API_URL is not the Bot API`,
      f.method,
      code,
      undefined,
      undefined,
      d,
    );
  }
  if (code >= 500) {
    return new TelegramError(
      'Unavailable',
      `Telegram answered ${code} to ${f.method}${d ? `: ${d}` : ''}`,
      f.method,
      code,
      undefined,
      undefined,
      d,
    );
  }
  for (const [re, kind] of PATTERNS) if (re.test(d)) return new TelegramError(kind, d, f.method, code, undefined, undefined, d);
  return new TelegramError('Rejected', `${f.method} was rejected: ${code} ${d}`.trim(), f.method, code, undefined, undefined, d);
}
