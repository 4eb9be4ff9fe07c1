// The Alertmanager webhook (version "4"): the first source. Its schema and rendering live in
// format/alertmanager.ts; this file maps a payload to the source-neutral Notification.
import type { ChannelSpec } from '../api/types.js';
import { parseAlertmanagerPayload, renderAlertmanagerHtml, type AlertmanagerPayload } from '../format/alertmanager.js';
import type { Notification } from './notification.js';
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
    groupKey: payload.groupKey,
    status: payload.status,
    alerts: payload.alerts.map((a) => ({ ...a, extras: {} })),
    truncatedAlerts: payload.truncatedAlerts,
    receiver: payload.receiver,
    groupLabels: payload.groupLabels,
    commonLabels: payload.commonLabels,
    commonAnnotations: payload.commonAnnotations,
    externalURL: payload.externalURL,
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
  const sorted = (o: Record<string, string>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const alerts = payload.alerts.map((a) => [a.fingerprint, sorted(a.labels), sorted(a.annotations), a.status, a.startsAt, a.endsAt]);
  return [payload.groupKey, payload.status, payload.truncatedAlerts, alerts];
}
