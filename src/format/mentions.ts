// A route's `mention` entries as the line added under a message: `@username` as text (Telegram links
// it), a numeric user id as a tg://user link (the only way to mention someone without a username).
import { escapeHtml } from './html.js';

export function mentionsLine(entries: readonly string[]): string {
  return entries.map(mentionHtml).join(' ');
}

function mentionHtml(entry: string): string {
  // The CRD allows only these two shapes; anything else is shown as the text it is, never as markup.
  if (/^[0-9]+$/.test(entry)) return `<a href="tg://user?id=${entry}">${entry}</a>`;
  return escapeHtml(entry);
}

/** `html` with the mentions line under it; unchanged without mentions. */
export function withMentions(html: string, entries: readonly string[]): string {
  return entries.length > 0 ? `${html}\n\n${mentionsLine(entries)}` : html;
}
