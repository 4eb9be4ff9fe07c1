// Callback data of the buttons: `s:<episodeId>:<durationIndex>` Silence, `u:<episodeId>` Unsilence,
// `a:<episodeId>` Ack (the contract shared with src/lifecycle/, which builds the keyboards). The data
// comes from the presser's client and is never trusted: it only names a record; everything else
// (the chat, the message, the presser's right) is checked against that record at press time.

/** Episode ids are random and URL-safe, at most 16 characters. */
const EPISODE_ID = '[A-Za-z0-9_-]{1,16}';
const PATTERN = new RegExp(`^(?:s:(${EPISODE_ID}):([0-3])|([ua]):(${EPISODE_ID}))$`);

export type ButtonPress =
  | { action: 'silence'; episodeId: string; durationIndex: number }
  | { action: 'unsilence'; episodeId: string }
  | { action: 'ack'; episodeId: string };

/** The press the data names, or undefined for anything that is not one of our buttons. */
export function parseCallbackData(data: unknown): ButtonPress | undefined {
  if (typeof data !== 'string' || data.length > 64) return undefined;
  const m = PATTERN.exec(data);
  if (!m) return undefined;
  if (m[1] !== undefined) return { action: 'silence', episodeId: m[1], durationIndex: Number(m[2]) };
  return { action: m[3] === 'u' ? 'unsilence' : 'ack', episodeId: m[4]! };
}

/** The data for a button (used by tests and kept next to the parser so both read the same format). */
export function callbackData(p: ButtonPress): string {
  if (p.action === 'silence') return `s:${p.episodeId}:${p.durationIndex}`;
  return `${p.action === 'unsilence' ? 'u' : 'a'}:${p.episodeId}`;
}
