// The episode's first message as the chat shows it: the notification's first part, a footer naming
// who silenced or acked it, and its buttons. Used when a notification edits or sends it, and by
// EpisodeRenderer.refresh after a press (src/interaction/) changed the episode.
import { escapeHtml } from '../format/html.js';
import type { Logger } from '../observability/log.js';
import type { ChatMessages } from './chatMessages.js';
import type { Episode, EpisodeRenderer } from './episode.js';
import { episodeKeyboard, type InlineKeyboard } from './keyboard.js';
import type { KeyedSerializer } from './serialize.js';
import type { ChannelRef, ConfigMapEpisodeStore } from './store.js';

/**
 * Room kept free in the first part for the footer, so that adding it never makes the message too long
 * (each line: a username of up to 32 characters and a time).
 */
export const FOOTER_RESERVE = 200;

/** 'telegram:@olga' → '@olga'; 'telegram:42' → 'user 42'. */
export function whoShown(by: string): string {
  const who = by.startsWith('telegram:') ? by.slice('telegram:'.length) : by;
  return /^[0-9]+$/.test(who) ? `user ${who}` : who;
}

function timeShown(rfc3339: string): string {
  const t = new Date(rfc3339);
  return Number.isNaN(t.getTime()) ? rfc3339 : `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The lines under the first part: who silenced it and until when, who acked it. Empty when neither. */
export function footer(e: Pick<Episode, 'silence' | 'ack'>): string {
  const lines: string[] = [];
  if (e.silence) lines.push(`🔕 Silenced by ${escapeHtml(whoShown(e.silence.by))} until ${escapeHtml(timeShown(e.silence.endsAt))}`);
  if (e.ack) lines.push(`✋ Acked by ${escapeHtml(whoShown(e.ack.by))} at ${escapeHtml(timeShown(e.ack.at))}`);
  return lines.length > 0 ? `\n\n${lines.join('\n')}` : '';
}

export function firstPartShown(text: string, e: Pick<Episode, 'silence' | 'ack'>): string {
  return text + footer(e);
}

/** The keyboard of an episode's first message, or undefined (resolved, or a channel without buttons). */
export function keyboardOf(
  e: Pick<Episode, 'id' | 'state' | 'silence' | 'ack'>,
  durations: readonly string[] | undefined,
): InlineKeyboard | undefined {
  return durations ? episodeKeyboard(e, durations) : undefined;
}

/**
 * The chat `chatId` (the episode's: the channel may have moved since) through the channel's bot, and
 * the button durations of the episode's `source` (undefined: no buttons), as the channel is now.
 */
export type ChatFor = (
  channel: ChannelRef,
  chatId: string,
  source: string | undefined,
) => Promise<{ chat: ChatMessages; durations?: readonly string[] } | undefined>;

export class EpisodeMessageRenderer implements EpisodeRenderer {
  constructor(private readonly deps: { store: ConfigMapEpisodeStore; serializer: KeyedSerializer; chatFor: ChatFor; log: Logger }) {}

  /**
   * Re-renders the episode's first message from the episode as STORED now (the caller's copy may
   * be older), in turn with the group's notifications. "Not modified" is success; a message that is
   * gone is left alone (the next notification sends a new one); other failures are thrown.
   */
  refresh(e: Episode): Promise<void> {
    return this.deps.serializer.run(serialKey(e.channel, e.groupKey), async () => {
      const r = await this.deps.store.getRecord(e.id);
      const first = r?.messageIds[0];
      // A shared message has no buttons, and one member's text alone must not replace its neighbours'.
      if (!r || first === undefined || r.shared) return;
      const target = await this.deps.chatFor(r.channel, r.chatId, r.source);
      if (!target) return;
      const keyboard = keyboardOf(r, target.durations);
      const result =
        r.text !== undefined
          ? await target.chat.edit(first, firstPartShown(r.text, r), keyboard)
          : await target.chat.setKeyboard(first, keyboard);
      // Gone: left as it is; the group's next notification sends a new message.
      if (result === 'gone')
        this.deps.log.info({ episode: r.id, messageId: first }, 'episode message can no longer be edited: left as it is');
    });
  }
}

export function serialKey(channel: ChannelRef, groupKey: string): string {
  return `${channel.uid}\n${groupKey}`;
}
