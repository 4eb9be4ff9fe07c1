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
  | 'CaptionTooLong' // over 1,024 characters after entity parsing
  // A photo Telegram would not take (an upload that is no image, too large, of odd dimensions; a URL
  // its servers cannot fetch; an unknown file_id): the alert can still go out as text.
  | 'PhotoInvalid'
  // Editing, deleting and answering: outcomes a caller branches on, not failures of the channel.
  | 'MessageNotModified' // the edit would change nothing: the message already shows it
  | 'MessageNotFound' // the message to edit or delete is gone (deleted, or never in this chat)
  | 'MessageNotEditable' // too old, not the bot's, or sent with a reply keyboard
  | 'MessageNotDeletable'
  | 'MessageHasNoCaption' // editMessageCaption on a text message: edit its text instead
  | 'MessageHasNoText' // editMessageText on a photo: edit its caption instead
  | 'ReplyTargetNotFound' // the message to reply to is gone
  | 'CallbackQueryExpired' // answered already, or more than 15 s after the press
  | 'Rejected'; // any other 4xx: permanent for this request

export interface TelegramErrorOptions {
  kind: TelegramErrorKind;
  message: string;
  /** The Bot API method that failed (getMe, sendMessage…). */
  method: string;
  httpStatus?: number;
  retryAfterSeconds?: number;
  migrateToChatId?: number;
  /** What Telegram said, redacted; kept for logs and status messages. */
  description?: string;
}

export class TelegramError extends Error {
  override readonly name = 'TelegramError';
  readonly kind: TelegramErrorKind;
  readonly method: string;
  readonly httpStatus?: number;
  readonly retryAfterSeconds?: number;
  readonly migrateToChatId?: number;
  readonly description?: string;

  constructor(o: TelegramErrorOptions) {
    super(o.message);
    this.kind = o.kind;
    this.method = o.method;
    this.httpStatus = o.httpStatus;
    this.retryAfterSeconds = o.retryAfterSeconds;
    this.migrateToChatId = o.migrateToChatId;
    this.description = o.description;
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
  [/not enough rights|need administrator rights|have no rights|have no write access/i, 'CannotPost'],
  [/can't send messages to the bot|bot can't send messages to bots/i, 'CannotPost'],
  [/message thread not found/i, 'ThreadNotFound'],
  [/chat_id is empty/i, 'InvalidChatId'],
  [/can't parse entities|unsupported parse_mode/i, 'InvalidMarkup'],
  [/message is too long|text is too long/i, 'MessageTooLong'],
  [/message caption is too long/i, 'CaptionTooLong'],
  [
    /wrong file identifier|PHOTO_INVALID_DIMENSIONS|IMAGE_PROCESS_FAILED|failed to get HTTP URL content|wrong type of the web page content|file must be non-empty|file is too big|there is no photo in the request/i,
    'PhotoInvalid',
  ],
  [/there is no caption in the message to edit/i, 'MessageHasNoCaption'],
  [/there is no text in the message to edit/i, 'MessageHasNoText'],
  [/message is not modified/i, 'MessageNotModified'],
  [/message to edit not found|message to delete not found/i, 'MessageNotFound'],
  [/message can't be edited/i, 'MessageNotEditable'],
  [/message can't be deleted/i, 'MessageNotDeletable'],
  [/message to be replied not found|reply message not found/i, 'ReplyTargetNotFound'],
  [/query is too old|query id is invalid/i, 'CallbackQueryExpired'],
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
  const failure = (kind: TelegramErrorKind, message: string, more: Partial<TelegramErrorOptions> = {}) =>
    new TelegramError({ kind, message, method: f.method, httpStatus: code, description: d, ...more });
  if (f.migrateToChatId !== undefined) {
    return failure('ChatMigrated', `the group was upgraded to a supergroup; use chat id ${f.migrateToChatId}`, {
      migrateToChatId: f.migrateToChatId,
    });
  }
  if (code === 429 || f.retryAfter !== undefined) {
    const fromText = /retry after (\d+)/i.exec(d)?.[1];
    const header = f.retryAfterHeader && /^\d+$/.test(f.retryAfterHeader.trim()) ? Number(f.retryAfterHeader) : undefined;
    const seconds = f.retryAfter ?? header ?? (fromText ? Number(fromText) : 5);
    return failure('RateLimited', `Telegram rate limit on ${f.method}: retry after ${seconds}s`, { retryAfterSeconds: seconds });
  }
  if (code === 401 || code === 404) {
    return failure(
      'Unauthorized',
      `Telegram rejected the bot token (${code} ${d || 'Unauthorized'}): ` +
        'the token is wrong or revoked, or TELEGRAM_API_URL is not the Bot API',
    );
  }
  if (code >= 500) return failure('Unavailable', `Telegram answered ${code} to ${f.method}${d ? `: ${d}` : ''}`);
  for (const [re, kind] of PATTERNS) if (re.test(d)) return failure(kind, d);
  return failure('Rejected', `${f.method} was rejected: ${code} ${d}`.trim());
}
