// The contract's rules for the values read from Secrets or the spec, after trimming. Shared by the
// reconciler and the CLI, so "check" and status say the same thing about the same value.
//
// One rule for every message here: a value that failed validation is never echoed, not even in part.
// A chat id may come from any key of any Secret (chatIdSecretRef: {name: db-creds, key: password}),
// and these messages reach status, Events, logs and webhook answers, which far more people can read
// than the Secret. So an invalid value is described by where it came from, its length and its shape
// ("looks like a bot token", "has letters"); only a value that validated (a chat id) is ever shown.
// spec.chatId follows the same rule although the spec is not secret: the value is one `kubectl get`
// away for whoever can read the message, so echoing it adds nothing, and one rule cannot be misapplied.
import { CHAT_ID_PATTERN, TOKEN_PATTERN } from './contract.js';

export type Checked = { ok: true; value: string } | { ok: false; message: string };

const TOKEN_EXPECTED = 'expected <bot id>:<secret of 24+ letters, digits, _ or -> as @BotFather gives it';
const CHAT_EXPECTED = 'use a number such as -1001234567890 (groups and channels are negative) or @channelusername';

export function checkToken(raw: string, where: string): Checked {
  const value = raw.trim();
  if (value === '') return { ok: false, message: `the bot token in ${where} is empty${raw.length ? ' (only whitespace)' : ''}` };
  if (value.length <= 256 && TOKEN_PATTERN.test(value)) return { ok: true, value };
  const shape = describeValue(value);
  const fail = (message: string): Checked => ({ ok: false, message });
  if (value.length > 256) {
    return fail(`the value in ${where} is not a bot token (${shape}); a bot token looks like 123456789:AA... (about 46 characters)`);
  }
  if (/\s/.test(value)) return fail(`the bot token in ${where} contains whitespace inside it (${shape})`);
  if (/^bot/i.test(value)) {
    return fail(`the bot token in ${where} starts with "bot" (${shape}): store the token alone, without the "bot" URL prefix`);
  }
  return fail(`the value in ${where} is not a bot token (${shape}): ${TOKEN_EXPECTED}`);
}

export function checkChatId(raw: string, where: string): Checked {
  const value = raw.trim();
  if (value === '') return { ok: false, message: `the chat id in ${where} is empty` };
  if (!CHAT_ID_PATTERN.test(value)) {
    return { ok: false, message: `the chat id in ${where} is not valid (${describeValue(value)}): ${CHAT_EXPECTED}` };
  }
  return { ok: true, value };
}

/**
 * The length and shape of a value, in words, without any of its characters: e.g. "46 characters,
 * looks like a bot token" or "12 characters, has letters and punctuation". Only syntax the checks
 * above look for is named ("starts with bot", "has no colon"), never the content.
 */
export function describeValue(value: string): string {
  const length = [...value].length; // code points: an emoji is one character to the person reading this
  const facts: string[] = [];
  if (TOKEN_PATTERN.test(value) && value.length <= 256) facts.push('looks like a bot token');
  else if (/^bot[0-9]+:/i.test(value)) facts.push('looks like a bot token with the "bot" URL prefix');
  else if (CHAT_ID_PATTERN.test(value)) facts.push('looks like a chat id');
  else if (/^[a-z][a-z0-9+.-]*:\/\/|^t\.me\//i.test(value)) facts.push('looks like a link');
  else if (/^-?[0-9]+$/.test(value)) facts.push(`is a number of ${value.replace('-', '').length} digits (at most 16)`);
  else if (/^@/.test(value)) facts.push('starts with @ but is not a username of 5–32 letters, digits or _');
  else {
    if (/^bot/i.test(value)) facts.push('starts with "bot"');
    const kinds = [
      /[A-Za-z]/.test(value) && 'letters',
      /[0-9]/.test(value) && 'digits',
      /[!-/:-@[-`{-~]/.test(value) && 'punctuation',
      /[^\p{ASCII}]/u.test(value) && 'non-ASCII characters',
    ].filter((k): k is string => !!k);
    if (kinds.length) facts.push(`has ${joinAnd(kinds)}`);
    if (/:/.test(value) && !/^[^:]*:[^:]*$/.test(value)) facts.push('has more than one ":"');
  }
  if (/\s/.test(value)) facts.push('contains whitespace');
  // \p{Cc} less the whitespace controls (tab, newlines), which 'contains whitespace' already names.
  if (/[^\P{Cc}\t\n\v\f\r]/u.test(value)) facts.push('contains control characters');
  return [`${length} character${length === 1 ? '' : 's'}`, ...facts].join(', ');
}

function joinAnd(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
