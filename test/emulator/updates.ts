// The update queue's filters, as telegram-bot-api keeps them (Client.cpp get_allowed_update_types,
// update_allowed_update_types, add_update_impl):
// - `allowed_updates` is a setting of the bot, not of one call: getUpdates and setWebhook store it, and it
//   stays until a later call passes another list. An empty list (or only unknown names) restores the
//   default, which is every kind except chat_member, message_reaction and message_reaction_count. A value
//   that is not a JSON array of strings changes nothing.
// - The filter applies when an update *arrives*: an update of a kind not allowed at that moment is never
//   queued, and updates already queued stay when the list changes.
// - Every update has a lifetime in the queue: callback queries 150 s, most others 24 h.

import type { Update } from './scenario.js';

/** The server's UpdateType order (it is also the order getWebhookInfo lists them in). */
export const UPDATE_KINDS = [
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'inline_query',
  'chosen_inline_result',
  'callback_query',
  'custom_event',
  'custom_query',
  'shipping_query',
  'pre_checkout_query',
  'poll',
  'poll_answer',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
  'message_reaction',
  'message_reaction_count',
  'business_connection',
  'business_message',
  'edited_business_message',
  'deleted_business_messages',
  'purchased_paid_media',
  'managed_bot',
  'guest_message',
] as const;

const NOT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export const DEFAULT_ALLOWED: ReadonlySet<string> = new Set(UPDATE_KINDS.filter((k) => !NOT_BY_DEFAULT.has(k)));

/** Seconds an update of this kind waits in the queue before the server forgets it. */
export function updateLifetimeSeconds(kind: string | undefined): number {
  return kind === 'callback_query' || kind === 'shipping_query' || kind === 'pre_checkout_query' ? 150 : 86_400;
}

/** The update's kind: its one field besides update_id. */
export function updateKind(update: Omit<Update, 'update_id'>): string | undefined {
  return Object.keys(update).find((k) => k !== 'update_id');
}

/**
 * The new setting for an `allowed_updates` parameter, or undefined to keep the current one: '' and
 * anything that is not a JSON array of strings change nothing; a list naming no known kind is the default.
 */
export function parseAllowedUpdates(raw: string): ReadonlySet<string> | undefined {
  if (raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return undefined;
  const known = new Set<string>(UPDATE_KINDS);
  const chosen = new Set((value as string[]).map((v) => v.toLowerCase()).filter((v) => known.has(v)));
  return chosen.size === 0 ? DEFAULT_ALLOWED : chosen;
}

/** Kinds this emulator does not know (test-made updates) always pass. */
export function isAllowed(allowed: ReadonlySet<string>, kind: string | undefined): boolean {
  const known = (UPDATE_KINDS as readonly string[]).includes(kind ?? '');
  return !known || allowed.has(kind ?? '');
}

/** getWebhookInfo's `allowed_updates`: present only when the setting is not the default. */
export function allowedUpdatesInfo(allowed: ReadonlySet<string>): string[] | undefined {
  const isDefault = allowed.size === DEFAULT_ALLOWED.size && [...allowed].every((k) => DEFAULT_ALLOWED.has(k));
  return isDefault ? undefined : UPDATE_KINDS.filter((k) => allowed.has(k));
}
