// `reply_markup` in three stages, each where the real stack does it, so errors come in the same order:
//  1. the Bot API reads the JSON (telegram-bot-api Client.cpp get_reply_markup, get_inline_keyboard_button);
//  2. TDLib keeps what it can (td ReplyMarkup.cpp: a button with empty text is dropped, a row keeps at most
//     12 buttons, a keyboard 300, empty rows go, and a keyboard left empty is no keyboard at all);
//  3. Telegram's servers refuse what TDLib let through (`BUTTON_DATA_INVALID` for callback_data over 64
//     bytes, `BUTTON_TEXT_INVALID` for a label of only spaces), after the chat and rights checks.
// Only inline keyboards matter to a relay; other kinds are accepted and kept as sent.

import { serverMessage } from './envelope.js';
import { utf8Length } from './markup.js';

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  /** Other button kinds (web_app, copy_text, …) are kept as sent. */
  [other: string]: unknown;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: InlineButton[][];
}

/** What Telegram keeps: an inline keyboard, another kind of markup as sent, or nothing. */
export type StoredMarkup = { kind: 'inline'; markup: InlineKeyboardMarkup } | { kind: 'other'; markup: Record<string, unknown> };

export type MarkupResult = { ok: true; markup?: StoredMarkup } | { ok: false; error: string };

export const MAX_CALLBACK_DATA_BYTES = 64;
const MAX_ROW_BUTTONS = 12;
const MAX_BUTTONS = 300;

/** Button kinds other than url and callback_data; the Bot API accepts them by the field's presence. */
const OTHER_KINDS = [
  'callback_game',
  'pay',
  'switch_inline_query',
  'switch_inline_query_chosen_chat',
  'switch_inline_query_current_chat',
  'login_url',
  'web_app',
  'copy_text',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stages 1 and 2. `raw` is the parameter as the server sees it: '' when absent. */
export function parseReplyMarkup(raw: string): MarkupResult {
  if (raw === '') return { ok: true };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return bad("Can't parse reply keyboard markup JSON object");
  }
  if (!isObject(value)) return bad('Object expected as reply markup');
  const rows = value.inline_keyboard;
  if (rows !== undefined && !Array.isArray(rows)) return bad('Field "inline_keyboard" must be of type Array');
  if (rows === undefined || rows.length === 0) {
    // A reply keyboard, remove_keyboard or force_reply: not pressable, kept as sent. `{}` is no markup.
    const other = ['keyboard', 'remove_keyboard', 'hide_keyboard', 'force_reply', 'force_reply_keyboard'].some((k) => k in value);
    return other ? { ok: true, markup: { kind: 'other', markup: value } } : { ok: true };
  }
  const kept: InlineButton[][] = [];
  let total = 0;
  for (const row of rows) {
    if (!Array.isArray(row)) return bad('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    const buttons: InlineButton[] = [];
    for (const button of row) {
      const parsed = parseButton(button);
      if (typeof parsed === 'string') return bad(`Can't parse inline keyboard button: ${parsed}`);
      // TDLib drops label-less buttons silently and truncates long rows and keyboards.
      if (parsed.text === '' || buttons.length >= MAX_ROW_BUTTONS || total >= MAX_BUTTONS) continue;
      buttons.push(parsed);
      total += 1;
    }
    if (buttons.length > 0) kept.push(buttons);
  }
  return kept.length > 0 ? { ok: true, markup: { kind: 'inline', markup: { inline_keyboard: kept } } } : { ok: true };
}

/** Stage 3: what the servers refuse, as an upper-case constant (description `Bad Request: <it>`). */
export function serverMarkupError(markup: StoredMarkup | undefined): string | undefined {
  if (markup?.kind !== 'inline') return undefined;
  for (const row of markup.markup.inline_keyboard) {
    for (const button of row) {
      if (button.text.trim() === '') return 'BUTTON_TEXT_INVALID';
      if (button.callback_data !== undefined && utf8Length(button.callback_data) > MAX_CALLBACK_DATA_BYTES) return 'BUTTON_DATA_INVALID';
    }
  }
  return undefined;
}

/** The inline keyboard a message carries, or undefined (what `reply_markup` in a Message shows). */
export function inlineKeyboard(markup: StoredMarkup | undefined): InlineKeyboardMarkup | undefined {
  return markup?.kind === 'inline' ? markup.markup : undefined;
}

/** Same keyboard, as TDLib compares it for "message is not modified". */
export function sameMarkup(a: StoredMarkup | undefined, b: StoredMarkup | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function parseButton(button: unknown): InlineButton | string {
  if (!isObject(button)) return 'InlineKeyboardButton must be an Object';
  const text = stringField(button, 'text', true);
  if (text.error !== undefined) return text.error;
  const url = stringField(button, 'url', false);
  if (url.error !== undefined) return url.error;
  if (url.value !== '') return { text: text.value, url: url.value };
  const data = stringField(button, 'callback_data', false);
  if (data.error !== undefined) return data.error;
  if (data.value !== '') return { text: text.value, callback_data: data.value };
  const kind = OTHER_KINDS.find((k) => k in button);
  if (kind !== undefined) return { text: text.value, [kind]: button[kind] };
  return 'Text buttons are unallowed in the inline keyboard';
}

/** JsonObject::get_(required|optional)_string_field: strings, and numbers as their text. */
function stringField(o: Record<string, Json>, name: string, required: boolean): { value: string; error?: undefined } | { error: string } {
  const v = o[name];
  if (v === undefined) return required ? { error: `Can't find field "${name}"` } : { value: '' };
  if (typeof v === 'string') return { value: v };
  if (typeof v === 'number') return { value: String(v) };
  return { error: `Field "${name}" must be of type String` };
}

function bad(message: string): MarkupResult {
  return { ok: false, error: serverMessage(message) };
}
