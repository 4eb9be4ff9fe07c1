// The Alertmanager webhook (version "4"): the first source. Its schema and rendering live in
// format/alertmanager.ts; this file maps a payload to the source-neutral Notification.
import type { ChannelSpec } from '../api/types.js';
import { parseAlertmanagerPayload, renderAlertmanagerHtml, type AlertmanagerPayload } from '../format/alertmanager.js';
import { alertIdentity, groupFields, type Notification } from './notification.js';
import type { SourceSettings, WebhookSource } from './source.js';

export const alertmanagerSource: WebhookSource = {
  name: 'alertmanager',
  displayName: 'Alertmanager',
  optInField: 'spec.alertmanager',
  optIn: (spec: ChannelSpec): SourceSettings | undefined => spec.alertmanager,
  parse(json) {
    const parsed = parseAlertmanagerPayload(json);
    return parsed.ok ? { ok: true, notification: alertmanagerNotification(parsed.payload) } : parsed;
  },
  render: (n) => renderAlertmanagerHtml(n),
};

/** A parsed Alertmanager payload as a Notification: Alertmanager's fields are the Notification's own, so no extras. */
export function alertmanagerNotification(payload: AlertmanagerPayload): Notification {
  return {
    source: alertmanagerSource.name,
    ...groupFields(payload),
    alerts: payload.alerts.map((a) => ({ ...a, extras: {} })),
    extras: {},
    identity: alertmanagerIdentity(payload),
  };
}

/**
 * The group, and each alert's identity, state and content. A retry carries all of it unchanged; two
 * different notifications that happen to share a group key and fingerprints (as hand-made payloads
 * do) still differ by their labels or annotations, so they are never merged into one.
 */
function alertmanagerIdentity(payload: AlertmanagerPayload): unknown {
  return [payload.groupKey, payload.status, payload.truncatedAlerts, payload.alerts.map(alertIdentity)];
}
