// classifyFailure against the reference's error tables (sections 1.3–1.8): parameters first, then
// description patterns (case-insensitive), then the status code.
import { classifyFailure, TelegramError, type TelegramErrorKind } from '../../../src/telegram/errors.js';

const fail = (httpStatus: number, description: string, extra: Partial<Parameters<typeof classifyFailure>[0]> = {}) =>
  classifyFailure({ method: 'sendMessage', httpStatus, description, ...extra });

/**
 * Telegram's descriptions by the reference's sections (1.4 chat access, 1.5 message content, 1.8
 * historical wordings): each a permanent failure of its kind.
 */
test.each<[string, number, string, TelegramErrorKind]>([
  ['1.4', 400, 'Bad Request: chat_id is empty', 'InvalidChatId'],
  ['1.4', 400, 'Bad Request: chat not found', 'ChatNotFound'],
  ['1.4', 400, 'Bad Request: private chat not found', 'ChatNotFound'],
  ['1.4', 403, 'Forbidden: user is deactivated', 'BotNotMember'],
  ['1.4', 403, 'Forbidden: bot was blocked by the user', 'BotKicked'],
  ['1.4', 403, "Forbidden: bot can't initiate conversation with a user", 'BotNotMember'],
  ['1.4', 403, "Forbidden: the bot can't send messages to the bot", 'CannotPost'],
  ['1.4', 403, 'Forbidden: bot was kicked from the group chat', 'BotKicked'],
  ['1.4', 403, 'Forbidden: bot is not a member of the group chat', 'BotNotMember'],
  ['1.4', 403, 'Forbidden: the group chat was deleted', 'BotNotMember'],
  ['1.4', 400, 'Bad Request: group chat was upgraded to a supergroup chat', 'ChatMigrated'],
  ['1.4', 403, 'Forbidden: bot was kicked from the supergroup chat', 'BotKicked'],
  ['1.4', 403, 'Forbidden: bot was kicked from the channel chat', 'BotKicked'],
  ['1.4', 403, 'Forbidden: bot is not a member of the supergroup chat', 'BotNotMember'],
  ['1.4', 403, 'Forbidden: bot is not a member of the channel chat', 'BotNotMember'],
  ['1.4', 400, 'Bad Request: not enough rights to send text messages to the chat', 'CannotPost'],
  ['1.4', 400, 'Bad Request: need administrator rights in the channel chat', 'CannotPost'],
  ['1.4', 400, 'Bad Request: have no write access to the chat', 'CannotPost'],
  ['1.4', 400, 'Bad Request: have no rights to send a message', 'CannotPost'],
  ['1.5', 400, 'Bad Request: message text is empty', 'Rejected'],
  ['1.5', 400, 'Bad Request: text must be non-empty', 'Rejected'],
  ['1.5', 400, 'Bad Request: text is too long', 'MessageTooLong'],
  ['1.5', 400, 'Bad Request: message is too long', 'MessageTooLong'],
  ['1.5', 400, 'Bad Request: unsupported parse_mode', 'InvalidMarkup'],
  ['1.5', 400, 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 5', 'InvalidMarkup'],
  ['1.5', 400, "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'", 'InvalidMarkup'],
  ['1.5', 400, 'Bad Request: message thread not found', 'ThreadNotFound'],
  ['1.5', 400, 'Bad Request: message to be replied not found', 'ReplyTargetNotFound'],
  ['1.5', 400, 'Bad Request: reply markup is too long', 'Rejected'],
  ['1.8', 400, 'Bad Request: group chat was migrated to a supergroup chat', 'ChatMigrated'],
  ['1.8', 403, "Forbidden: bot can't send messages to bots", 'CannotPost'],
  ['1.8', 403, '[Error]: Bot was blocked by the user', 'BotKicked'],
  ['1.8', 409, 'Conflict: terminated by other long poll or webhook', 'Rejected'],
  ['1.8', 400, 'Bad Request: entities too long', 'Rejected'],
  ['1.8', 400, 'Bad Request: PEER_ID_INVALID', 'Rejected'],
  ['1.8', 400, 'Bad Request: reply message not found', 'ReplyTargetNotFound'],
  ['1.8', 400, 'Bad Request: message to delete not found', 'MessageNotFound'],
  ['1.8', 400, 'Bad Request: message to edit not found', 'MessageNotFound'],
  ['1.8', 400, 'Bad Request: message is not modified', 'MessageNotModified'],
  ['1.8', 400, "Bad Request: message can't be edited", 'MessageNotEditable'],
  ['1.8', 400, "Bad Request: message can't be deleted for everyone", 'MessageNotDeletable'],
  ['1.8', 400, 'Bad Request: query is too old and response timeout expired or query ID is invalid', 'CallbackQueryExpired'],
  ['1.8', 400, 'Bad Request: member not found', 'Rejected'],
  ['1.8', 400, 'Bad Request: user not found', 'Rejected'],
])('section %s: %i %s → %s', (_section, status, description, kind) => {
  const e = fail(status, description);
  expect(e).toBeInstanceOf(TelegramError);
  expect(e.kind).toBe(kind);
  expect(e.httpStatus).toBe(status);
  expect(e.description).toBe(description);
  expect(e.transient).toBe(false);
});

describe('section 1.5: message content', () => {
  test('the flood limit (429 retry after 60) is RateLimited with 60 s', () => {
    const e = fail(429, 'Too Many Requests: retry after 60', { retryAfter: 60 });
    expect(e.kind).toBe('RateLimited');
    expect(e.retryAfterSeconds).toBe(60);
    expect(e.transient).toBe(true);
  });

  test('Rejected names the method, code and description', () => {
    expect(fail(400, 'Bad Request: message text is empty').message).toBe(
      'sendMessage was rejected: 400 Bad Request: message text is empty',
    );
  });
});

describe('section 1.8: historical wordings', () => {
  test('patterns are case-insensitive', () => {
    expect(fail(400, 'BAD REQUEST: CHAT NOT FOUND').kind).toBe('ChatNotFound');
    expect(fail(403, 'forbidden: BOT WAS KICKED FROM the group chat').kind).toBe('BotKicked');
  });
});

describe('token errors (1.3)', () => {
  test.each([
    [401, 'Unauthorized'],
    [404, 'Not Found'],
    [401, 'Unauthorized: invalid token specified'],
  ])('%i %s → Unauthorized, permanent', (status, description) => {
    const e = fail(status, description);
    expect(e.kind).toBe('Unauthorized');
    expect(e.transient).toBe(false);
    expect(e.message).toMatch(/wrong or revoked/);
    expect(e.message).toMatch(/TELEGRAM_API_URL/);
  });

  test('an empty 401 description still reads well', () => {
    expect(fail(401, '').message).toContain('401 Unauthorized');
  });
});

describe('rate limits (1.6, 8.2)', () => {
  test('parameters.retry_after wins over the header and the text', () => {
    const e = fail(429, 'Too Many Requests: retry after 3', { retryAfter: 7, retryAfterHeader: '9' });
    expect(e.kind).toBe('RateLimited');
    expect(e.retryAfterSeconds).toBe(7);
    expect(e.message).toMatch(/retry after 7s/);
  });

  test('only the Retry-After header', () => {
    expect(fail(429, 'Too Many Requests', { retryAfterHeader: ' 9 ' }).retryAfterSeconds).toBe(9);
  });

  test('only the "retry after N" text (2016-era bodies)', () => {
    expect(fail(429, 'Too Many Requests: retry after 11').retryAfterSeconds).toBe(11);
  });

  test('an HTTP-date Retry-After is not a number of seconds: the text or 5 s is used', () => {
    expect(fail(429, 'Too Many Requests: retry after 4', { retryAfterHeader: 'Wed, 21 Oct 2015 07:28:00 GMT' }).retryAfterSeconds).toBe(4);
    expect(fail(429, 'Too Many Requests', { retryAfterHeader: 'soon' }).retryAfterSeconds).toBe(5);
  });

  test('nothing at all: 5 s', () => {
    expect(fail(429, 'Too Many Requests').retryAfterSeconds).toBe(5);
  });

  test('retry_after on a non-429 status is still a rate limit', () => {
    expect(fail(400, 'Bad Request: something', { retryAfter: 2 }).kind).toBe('RateLimited');
  });

  test('error_code in the body wins over the HTTP status', () => {
    expect(
      classifyFailure({ method: 'getMe', httpStatus: 200, errorCode: 429, description: 'Too Many Requests: retry after 2' })
        .retryAfterSeconds,
    ).toBe(2);
  });
});

describe('migration', () => {
  test('migrate_to_chat_id beats the status and the text', () => {
    for (const status of [400, 403, 429, 500]) {
      const e = fail(status, 'Bad Request: chat not found', { migrateToChatId: -1001557912345, retryAfter: 3 });
      expect(e.kind).toBe('ChatMigrated');
      expect(e.migrateToChatId).toBe(-1001557912345);
      expect(e.message).toContain('-1001557912345');
    }
  });
});

describe('server errors', () => {
  test.each([
    [500, 'Internal Server Error: restart'],
    [502, ''],
    [503, 'Service Unavailable'],
    [504, 'Gateway Timeout'],
  ])('%i → Unavailable (transient)', (status, description) => {
    const e = fail(status, description);
    expect(e.kind).toBe('Unavailable');
    expect(e.transient).toBe(true);
    expect(e.message).toContain(String(status));
  });

  test('a 5xx is Unavailable even when its text looks like a chat error', () => {
    expect(fail(500, 'Internal Server Error: chat not found').kind).toBe('Unavailable');
  });
});
