// How a refused edit is read: Telegram's own descriptions (Bot API server, MessagesManager.cpp).
import { editFailureOf } from '../../../src/lifecycle/chatMessages.js';
import { classifyFailure } from '../../../src/telegram/errors.js';

const refused = (description: string, more: { httpStatus?: number; migrateToChatId?: number } = {}) =>
  classifyFailure({ method: 'editMessageText', httpStatus: more.httpStatus ?? 400, description, ...more });

test.each([
  ['Bad Request: message is not modified: specified new message content and reply markup are exactly the same', 'notModified'],
  ['Bad Request: message to edit not found', 'gone'],
  ["Bad Request: message can't be edited", 'gone'],
  ['Bad Request: MESSAGE_ID_INVALID', 'gone'],
  ['Bad Request: chat not found', 'gone'],
  ['Forbidden: bot was kicked from the supergroup chat', 'other'],
  ['Bad Request: message is too long', 'other'],
])('%s → %s', (description, expected) => {
  expect(editFailureOf(refused(description, { httpStatus: description.startsWith('Forbidden') ? 403 : 400 }))).toBe(expected);
});

test('a migrated chat: the message is gone from where we edit it', () => {
  expect(editFailureOf(refused('Bad Request: group chat was upgraded to a supergroup chat', { migrateToChatId: -100123 }))).toBe('gone');
});

test('429 and 5xx are not the message\u2019s fault: the delivery fails and Alertmanager retries', () => {
  expect(editFailureOf(refused('Too Many Requests: retry after 5', { httpStatus: 429 }))).toBe('other');
  expect(editFailureOf(refused('Internal Server Error', { httpStatus: 500 }))).toBe('other');
  expect(editFailureOf(new Error('socket hang up'))).toBe('other');
});
