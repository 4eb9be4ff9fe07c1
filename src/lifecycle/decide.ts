// What one Alertmanager notification does in the chat, as pure functions of what is remembered about
// its group: send a new message or edit the episode's message, with or without buttons, replying to
// the episode's first message or not, and what is remembered afterwards. The notifier (notifier.ts)
// carries the plan out; the table is tested in test/unit/lifecycle/decide.test.ts.
//
//                  remembered episode →  none / resolved             firing
//   Edit   firing                        send, new episode          edit in place (buttons kept)
//          resolved                      send, remembered (*)       edit in place, buttons removed
//   Reply  firing                        send, new episode          send as a reply to the first message
//          resolved                      send                       reply; first message loses its buttons
//   Send   firing                        send, new episode (**)     send
//          resolved                      send                       send; first message loses its buttons
// (*)  a resolved notification whose episode is already resolved edits that message again: it is
//      Alertmanager retrying (the operator was killed before it answered), so nothing is sent twice.
// (**) Send remembers an episode only when the channel has buttons: presses need the record.
// An edit that fails (message gone, can no longer be edited, chat migrated) becomes a send; one that
// Telegram calls "not modified" is done.
import type { ResolvedModes } from '../api/types.js';
import type { Episode } from './episode.js';

export type ResolvedMode = (typeof ResolvedModes)[number];
export type GroupStatus = Episode['state'];

export interface NotificationFacts {
  mode: ResolvedMode;
  status: GroupStatus;
  /** The group's episode in this channel, if one is remembered (and not expired). */
  episode?: Pick<Episode, 'state' | 'messageIds'>;
  /** The notification's source has silence (spec.<source>.silence): firing messages carry buttons. */
  buttons: boolean;
}

/** What is remembered once the messages are out. */
export type Remember =
  /** A new episode, its message being the one just sent. */
  | 'newEpisode'
  /** The same episode, now showing the message just sent or edited (Edit mode). */
  | 'episodeMessage'
  /** The same episode and its first message; only its state follows the notification (Reply, Send). */
  | 'episodeState'
  | 'nothing';

export type Plan =
  | { kind: 'edit'; messageIds: number[]; keyboard: boolean; state: GroupStatus; remember: 'episodeMessage' }
  | {
      kind: 'send';
      keyboard: boolean;
      state: GroupStatus;
      remember: Remember;
      /** Reply to this message (the episode's first). */
      replyTo?: number;
      /** The episode's first message whose buttons go (its group resolved in Reply/Send mode). */
      stripKeyboardOf?: number;
    };

export function planNotification(f: NotificationFacts): Plan {
  const live = f.episode?.state === 'firing' && f.episode.messageIds.length > 0 ? f.episode : undefined;
  const keyboard = f.buttons && f.status === 'firing';
  if (f.mode === 'Edit') {
    // A resolved episode is edited again only by its own resolved notification (a retry).
    const editable = live ?? (f.status === 'resolved' && f.episode?.messageIds.length ? f.episode : undefined);
    if (editable) return { kind: 'edit', messageIds: [...editable.messageIds], keyboard, state: f.status, remember: 'episodeMessage' };
    return { kind: 'send', keyboard, state: f.status, remember: 'newEpisode' };
  }
  if (!live) {
    const remember: Remember = f.status === 'resolved' ? 'nothing' : f.mode === 'Reply' || f.buttons ? 'newEpisode' : 'nothing';
    return { kind: 'send', keyboard, state: f.status, remember };
  }
  const first = live.messageIds[0]!;
  return {
    kind: 'send',
    keyboard: false, // the buttons stay on the episode's first message
    state: f.status,
    remember: 'episodeState',
    ...(f.mode === 'Reply' ? { replyTo: first } : {}),
    ...(f.status === 'resolved' && f.buttons ? { stripKeyboardOf: first } : {}),
  };
}

/** The message could not be edited: the same episode goes on in a new message, buttons and all. */
export function resendInstead(plan: EditPlan): Plan {
  return { kind: 'send', keyboard: plan.keyboard, state: plan.state, remember: 'episodeMessage' };
}

type EditPlan = Extract<Plan, { kind: 'edit' }>;

/**
 * How the parts of an edited message map onto the new text's parts: the first ones are edited, old
 * parts beyond the new count are deleted (the chat must not keep stale firing text), new parts
 * beyond the old count are sent.
 */
export function partsPlan(oldIds: readonly number[], newParts: number): { edit: number[]; remove: number[]; sendFrom: number } {
  const common = Math.min(oldIds.length, newParts);
  return { edit: oldIds.slice(0, common), remove: oldIds.slice(common), sendFrom: common };
}
