// Whether a message goes out without a sound (disable_notification): the channel or the route says so,
// or quiet hours do. A message carries several alerts but has one sound: it is silent under quiet hours
// only when every one of its alerts is (an `except` match on any of them rings the whole message).
import type { QuietHours } from './quietHours.js';

export interface SilentInputs {
  /** spec.disableNotification. */
  channelSilent: boolean;
  /** The route's `silent`. */
  routeSilent: boolean;
  quietHours?: QuietHours;
  at: Date;
}

export function messageSilent(alerts: readonly { labels: Readonly<Record<string, string>> }[], inputs: SilentInputs): boolean {
  if (inputs.channelSilent || inputs.routeSilent) return true;
  const quiet = inputs.quietHours;
  return quiet !== undefined && alerts.length > 0 && alerts.every((alert) => quiet.silent(alert.labels, inputs.at));
}
