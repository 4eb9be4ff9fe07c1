// What a webhook source is: everything the operator needs to know about one kind of sender. The HTTP
// route, its authentication, the body budget, leader forwarding, the delivery service and the alert
// lifecycle are written once for all of them; a source only names itself, says which spec field opts a
// channel in, parses a body into a Notification and renders the built-in message.
import type { ChannelSpec, ResolvedModes, SilenceSpec } from '../api/types.js';
import type { Notification } from './notification.js';

/** What a channel's opt-in field says: the bearer Secret, and how the notifications' messages live in the chat. */
export interface SourceSettings {
  /** The Secret holding the bearer token its sender must present. */
  tokenSecretRef: { name: string; key: string };
  /** How later notifications of a group show: edit the first message, reply to it, or send anew. */
  resolved: (typeof ResolvedModes)[number];
  /** Buttons that silence through an Alertmanager API v2; absent: no buttons. */
  silence?: SilenceSpec;
}

export type ParseResult = { ok: true; notification: Notification } | { ok: false; error: string };

export interface WebhookSource {
  /** Lowercase, URL-safe: POST /webhooks/{name}/{namespace}/{channel}; the metrics label `source`. */
  readonly name: string;
  /** How people call the sender, in answers and logs: "Alertmanager". */
  readonly displayName: string;
  /** The spec field that opts a channel in, as `optIn` reads it: "spec.alertmanager". */
  readonly optInField: string;
  /** The channel's settings for this source; undefined when the channel has not opted in. */
  optIn(spec: ChannelSpec): SourceSettings | undefined;
  /** A decoded JSON body → a notification, or an error naming the field path (answered 400). */
  parse(json: unknown): ParseResult;
  /** The built-in message: Telegram HTML, every value escaped (format/html.ts), split later. */
  render(notification: Notification): string;
}
