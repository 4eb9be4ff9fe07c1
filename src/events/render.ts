// The chat's view of Warning events, in Telegram HTML whatever the channel's parseMode (the text is
// ours, and every piece that comes from the cluster is escaped): one message per object and reason,
// and the "and N more" message that stands for those past the chat's limits. Notes are cut so that a
// message always fits one Telegram message, however long or markup-laden the note.
import { escapeHtml } from '../format/html.js';
import { totalCount, type Aggregate } from './aggregation.js';

/** Characters of a note shown (before escaping); a 4096-character message has room for the rest. */
export const NOTE_SHOWN_CHARS = 800;
/** Objects listed by name in the "and N more" message; the others are only counted. */
export const OVERFLOW_LISTED = 15;

function time(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/** kind namespace/name (or kind name for a cluster-scoped object), cut to `max` characters, escaped. */
function objectName(a: Aggregate, max: number): string {
  const r = a.regarding;
  return escapeHtml(cut(`${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`, max));
}

export function renderAggregate(a: Aggregate): string {
  const count = totalCount(a);
  const lines = [
    `⚠️ <b>${escapeHtml(cut(a.reason, 128))}</b> · ${objectName(a, 400)}`,
    `${count > 1 ? `×${count}, ` : ''}last seen ${time(a.lastSeenMs)}`,
  ];
  if (a.note) lines.push(`<blockquote>${escapeHtml(cut(a.note, NOTE_SHOWN_CHARS))}</blockquote>`);
  return lines.join('\n');
}

/**
 * The channel's overflow message: how many objects and reasons it stands for (`total`: some may have
 * left memory since), the most recently seen listed.
 */
export function renderOverflow(folded: readonly Aggregate[], total: number = folded.length): string {
  const recent = [...folded].sort((x, y) => y.lastSeenMs - x.lastSeenMs);
  const lines = [`⚠️ <b>and ${total} more</b> Warning events (past this chat's message limits):`];
  for (const a of recent.slice(0, OVERFLOW_LISTED)) {
    const count = totalCount(a);
    lines.push(`• <b>${escapeHtml(cut(a.reason, 64))}</b> ${objectName(a, 120)}${count > 1 ? ` ×${count}` : ''}`);
  }
  if (total > OVERFLOW_LISTED) lines.push(`… and ${total - Math.min(OVERFLOW_LISTED, recent.length)} others`);
  return lines.join('\n');
}
