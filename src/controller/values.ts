// Validation of the values read from Secrets or the spec, after trimming. Messages describe what is
// wrong without ever echoing a token.
import { CHAT_ID_PATTERN, TOKEN_PATTERN } from '../api/contract.js';

export type Checked = { ok: true; value: string } | { ok: false; message: string };

export function checkToken(raw: string, where: string): Checked {
  const value = raw.trim();
  if (value === '') return { ok: false, message: `the bot token in ${where} is empty${raw.length ? ' (only whitespace)' : ''}` };
  if (value.length > 256) return { ok: false, message: `the value in ${where} is ${value.length} characters long; a bot token looks like 123456789:AA... (about 46 characters)` };
  if (/\s/.test(value)) return { ok: false, message: `the bot token in ${where} contains whitespace inside it` };
  if (/^bot/i.test(value)) return { ok: false, message: `the bot token in ${where} starts with "bot": store the token alone, without the "bot" URL prefix` };
  if (!TOKEN_PATTERN.test(value)) {
    return { ok: false, message: `the value in ${where} is not a bot token: expected <bot id>:<secret of 24+ letters, digits, _ or -> as @BotFather gives it` };
  }
  return { ok: true, value };
}

export function checkChatId(raw: string, where: string): Checked {
  const value = raw.trim();
  if (value === '') return { ok: false, message: `the chat id in ${where} is empty` };
  if (!CHAT_ID_PATTERN.test(value)) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return {
      ok: false,
      message: `chat id ${JSON.stringify(shown)} in ${where} is not valid: use a number such as -1001234567890 (groups and channels are negative) or @channelusername`,
    };
  }
  return { ok: true, value };
}
