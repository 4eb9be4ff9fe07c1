// The inline keyboard under a firing notification whose source has silence (spec.<source>.silence), and
// its callback data. Callback data only NAMES an episode (`s:<id>:<durationIndex>`, `u:<id>`,
// `a:<id>`): it comes back from any Telegram client, forged or not, so the press handler
// (src/interaction/) checks the chat, the message and the user's right against the stored episode.
import type { Episode } from './episode.js';

export interface InlineButton {
  text: string;
  callback_data: string;
}
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

/** Telegram refuses callback_data over 64 bytes (BUTTON_DATA_INVALID). */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** What an episode id may be: URL-safe, at most 16 characters (the contract). */
export const EPISODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

export type CallbackAction =
  | { kind: 'silence'; episodeId: string; durationIndex: number }
  | { kind: 'unsilence'; episodeId: string }
  | { kind: 'ack'; episodeId: string };

export function callbackData(action: CallbackAction): string {
  if (!EPISODE_ID_PATTERN.test(action.episodeId)) throw new Error(`invalid episode id ${JSON.stringify(action.episodeId)}`);
  const data =
    action.kind === 'silence'
      ? `s:${action.episodeId}:${checkedIndex(action.durationIndex)}`
      : `${action.kind === 'unsilence' ? 'u' : 'a'}:${action.episodeId}`;
  if (Buffer.byteLength(data) > CALLBACK_DATA_MAX_BYTES) throw new Error(`callback data over ${CALLBACK_DATA_MAX_BYTES} bytes`);
  return data;
}

/** The action a callback names, or undefined for anything else (forged, from an older keyboard, garbage). */
export function parseCallbackData(data: string): CallbackAction | undefined {
  if (Buffer.byteLength(data) > CALLBACK_DATA_MAX_BYTES) return undefined;
  const m = /^(s|u|a):([A-Za-z0-9_-]{1,16})(?::([0-9]))?$/.exec(data);
  if (!m) return undefined;
  const [, kind, episodeId, index] = m as unknown as [string, string, string, string | undefined];
  if (kind === 's') return index === undefined ? undefined : { kind: 'silence', episodeId, durationIndex: Number(index) };
  if (index !== undefined) return undefined;
  return kind === 'u' ? { kind: 'unsilence', episodeId } : { kind: 'ack', episodeId };
}

function checkedIndex(i: number): number {
  if (!Number.isInteger(i) || i < 0 || i > 9) throw new Error(`invalid duration index ${i}`);
  return i;
}

/**
 * The buttons a firing episode shows: "Silence <duration>" for each duration (or "Unsilence" while
 * silenced) and "Ack" until someone acked. A resolved episode has none: the resolved rendering
 * removes them (an edit without reply_markup does).
 */
export function episodeKeyboard(
  e: Pick<Episode, 'id' | 'state' | 'silence' | 'ack'>,
  durations: readonly string[],
): InlineKeyboard | undefined {
  if (e.state !== 'firing') return undefined;
  const silence: InlineButton[] = e.silence
    ? [{ text: '🔔 Unsilence', callback_data: callbackData({ kind: 'unsilence', episodeId: e.id }) }]
    : durations.map((d, i) => ({
        text: `🔕 Silence ${d}`,
        callback_data: callbackData({ kind: 'silence', episodeId: e.id, durationIndex: i }),
      }));
  const ack: InlineButton[] = e.ack ? [] : [{ text: '✋ Ack', callback_data: callbackData({ kind: 'ack', episodeId: e.id }) }];
  const rows = [silence, ack].filter((row) => row.length > 0);
  return rows.length > 0 ? { inline_keyboard: rows } : undefined;
}
