// The Interactive condition of a channel with spec.alertmanager.silence: can presses be received
// (getUpdates without a 409) and acted on (Alertmanager's API answers, and the silence policy lets the
// channel call it: URLNotAllowed, CredentialsNotAllowed)? UpdatesConflict wins over the Alertmanager's
// reasons: without presses, Alertmanager does not matter. Ready is never affected.
import type { Verdict } from '../api/contract.js';
import type { AccessRefusal } from './alertmanagerAccess.js';
import type { BotConflict } from './updatesHub.js';

export type AlertmanagerCheck = { ok: true; host: string } | { ok: false; reason: AccessRefusal; message: string };

/** Pure: the condition from the bot's 409 state and the last Alertmanager check. */
export function interactiveVerdict(bot: string, conflict: BotConflict | undefined, am: AlertmanagerCheck): Verdict {
  if (conflict) return { status: 'False', reason: 'UpdatesConflict', message: conflictMessage(bot, conflict) };
  if (!am.ok) return { status: 'False', reason: am.reason, message: `${am.message}; presses are answered with this reason` };
  return {
    status: 'True',
    reason: 'Verified',
    message: `button presses are received (getUpdates) and Alertmanager at ${am.host} answers its API`,
  };
}

export function conflictMessage(bot: string, c: BotConflict): string {
  const tail = 'Alerts are still delivered, but button presses are not received.';
  if (c.kind === 'webhook') {
    return (
      `Telegram refuses getUpdates for ${bot} because a webhook is set (409), so presses go to that webhook. ` +
      'If nothing needs that webhook, delete it yourself (Bot API deleteWebhook); otherwise use a dedicated bot for channels with ' +
      `silence. The operator never deletes a webhook. ${tail}`
    );
  }
  return (
    `another program is polling ${bot} with getUpdates (409: ${c.description.slice(0, 80) || 'conflict'}); Telegram allows one ` +
    `poller per bot. Stop that program, or use a dedicated bot for channels with silence. ${tail}`
  );
}
