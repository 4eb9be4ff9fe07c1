// Grafana's webhook contact point (unified alerting): Alertmanager's payload plus Grafana's extras. Its
// schema and rendering live in format/grafanaPayload.ts; this file maps a payload to the
// source-neutral Notification, Grafana's own fields travelling in `extras`.
import type { ChannelSpec } from '../api/types.js';
import { parseGrafanaPayload, renderGrafanaHtml, type GrafanaPayload } from '../format/grafanaPayload.js';
import type { Notification } from './notification.js';
import type { SourceSettings, WebhookSource } from './source.js';

export const grafanaSource: WebhookSource = {
  name: 'grafana',
  displayName: 'Grafana',
  optInField: 'spec.grafana',
  // Buttons silence in Grafana's own Alertmanager (api/silenceSources.ts): the episode remembers its
  // source, so a press never silences in the channel's other Alertmanager.
  optIn: (spec: ChannelSpec): SourceSettings | undefined =>
    spec.grafana && {
      tokenSecretRef: spec.grafana.tokenSecretRef,
      resolved: spec.grafana.resolved,
      ...(spec.grafana.silence ? { silence: spec.grafana.silence } : {}),
    },
  parse(json) {
    const parsed = parseGrafanaPayload(json);
    return parsed.ok ? { ok: true, notification: grafanaNotification(parsed.payload) } : parsed;
  },
  // templateData is the payload this file's parse produced (grafanaNotification): the delivery service
  // renders a notification with the source that parsed it.
  render: (n) => renderGrafanaHtml(n.templateData as GrafanaPayload),
};

/** A parsed Grafana payload as a Notification; the payload itself is what its templates see. */
export function grafanaNotification(payload: GrafanaPayload): Notification {
  return {
    source: grafanaSource.name,
    groupKey: payload.groupKey,
    status: payload.status,
    alerts: payload.alerts.map(({ silenceURL, dashboardURL, panelURL, imageURL, values, valueString, ...alert }) => ({
      ...alert,
      extras: { silenceURL, dashboardURL, panelURL, imageURL, values, valueString },
    })),
    truncatedAlerts: payload.truncatedAlerts,
    receiver: payload.receiver,
    groupLabels: payload.groupLabels,
    commonLabels: payload.commonLabels,
    commonAnnotations: payload.commonAnnotations,
    externalURL: payload.externalURL,
    extras: { title: payload.title, message: payload.message, orgId: payload.orgId, state: payload.state },
    identity: grafanaIdentity(payload),
    templateData: payload,
  };
}

/**
 * The group, and each alert's identity, state, content and image: a retry carries all of it unchanged,
 * and two notifications that differ only in an alert's values or image are not merged into one.
 */
function grafanaIdentity(payload: GrafanaPayload): unknown {
  const sorted = (o: Readonly<Record<string, unknown>>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const alerts = payload.alerts.map((a) => [
    a.fingerprint,
    sorted(a.labels),
    sorted(a.annotations),
    a.status,
    a.startsAt,
    a.endsAt,
    a.imageURL,
    sorted(a.values),
  ]);
  return [payload.groupKey, payload.status, payload.truncatedAlerts, payload.title, alerts];
}
