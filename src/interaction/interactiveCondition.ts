// The Interactive condition of a channel with spec.alertmanager.silence or spec.grafana.silence: can
// presses be received (getUpdates without a 409) and acted on (each source's silences API answers, and
// the silence policy lets the channel call it: URLNotAllowed, CredentialsNotAllowed)? UpdatesConflict
// wins over the APIs' reasons: without presses, the APIs do not matter. Of the sources, the first that
// fails decides, its message naming its field. Ready is never affected.
import type { Verdict } from '../api/contract.js';
import type { AccessRefusal } from './alertmanagerAccess.js';
import type { BotConflict } from './updatesHub.js';

export type AlertmanagerCheck = { ok: true; host: string } | { ok: false; reason: AccessRefusal; message: string };

/** The last check of one source's silences API. */
export interface SourceCheck {
  /** Who answers the API: "Alertmanager", "Grafana". */
  api: string;
  /** The settings checked: "spec.grafana.silence". */
  field: string;
  check: AlertmanagerCheck;
}

/** Pure: the condition from the bot's 409 state and the last check of each source's silences API. */
export function interactiveVerdict(bot: string, conflict: BotConflict | undefined, checks: readonly SourceCheck[]): Verdict {
  if (conflict) return { status: 'False', reason: 'UpdatesConflict', message: conflictMessage(bot, conflict) };
  for (const { api, field, check } of checks) {
    if (check.ok) continue;
    // A policy refusal names its field already. An API's failure says "Alertmanager at host", which is
    // right for Alertmanager's; Grafana's API speaks as an Alertmanager too, so its field says whose it is.
    const named = check.message.includes(field) || api === 'Alertmanager' ? check.message : `${field}.url: ${check.message}`;
    return { status: 'False', reason: check.reason, message: `${named}; presses are answered with this reason` };
  }
  const answering = checks.map(({ api, check }) => `${api} at ${check.ok ? check.host : '?'}`);
  const verb = answering.length === 1 ? 'answers its' : 'answer their';
  return {
    status: 'True',
    reason: 'Verified',
    message: `button presses are received (getUpdates) and ${answering.join(' and ')} ${verb} silences API`,
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
