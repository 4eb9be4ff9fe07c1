// Telegram's photo and caption refusals (reference: telegram-bot-api.md; test/emulator/photos.ts and
// editing.ts for the exact wordings) become kinds a caller branches on: a photo that cannot be sent
// falls back to text, a caption edit on a text message edits the text instead.
import { classifyFailure, type TelegramErrorKind } from '../../../src/telegram/errors.js';

test.each<[string, string, TelegramErrorKind]>([
  ['sendPhoto', 'Bad Request: message caption is too long', 'CaptionTooLong'],
  ['editMessageCaption', 'Bad Request: message caption is too long', 'CaptionTooLong'],
  ['editMessageCaption', 'Bad Request: there is no caption in the message to edit', 'MessageHasNoCaption'],
  ['editMessageText', 'Bad Request: there is no text in the message to edit', 'MessageHasNoText'],
  ['sendPhoto', 'Bad Request: wrong file identifier/HTTP URL specified', 'PhotoInvalid'],
  ['sendPhoto', 'Bad Request: PHOTO_INVALID_DIMENSIONS', 'PhotoInvalid'],
  ['sendPhoto', 'Bad Request: IMAGE_PROCESS_FAILED', 'PhotoInvalid'],
  ['sendPhoto', 'Bad Request: failed to get HTTP URL content', 'PhotoInvalid'],
  ['sendPhoto', 'Bad Request: wrong type of the web page content', 'PhotoInvalid'],
  ['sendPhoto', 'Bad Request: file must be non-empty', 'PhotoInvalid'],
  ['sendPhoto', 'Bad Request: file is too big', 'PhotoInvalid'],
  ['sendPhoto', 'Bad Request: there is no photo in the request', 'PhotoInvalid'],
  // The rights and the text limits keep the kinds sendMessage has.
  ['sendPhoto', 'Bad Request: not enough rights to send photos to the chat', 'CannotPost'],
  ['sendPhoto', 'Bad Request: text is too long', 'MessageTooLong'],
])('%s: "%s" is %s', (method, description, kind) => {
  const err = classifyFailure({ method, httpStatus: 400, errorCode: 400, description });
  expect(err.kind).toBe(kind);
  expect(err.transient).toBe(false);
  expect(err.method).toBe(method);
});
