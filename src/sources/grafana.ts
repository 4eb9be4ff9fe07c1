// Grafana's webhook contact point (unified alerting): Alertmanager's payload plus Grafana's extras. Its
// schema and rendering live in format/grafanaPayload.ts; this file maps a payload to the
// source-neutral Notification, Grafana's own fields travelling in `extras`.
import type { ChannelSpec } from '../api/types.js';
import {
  parseGrafanaPayload,
  renderGrafanaHtml,
  type GrafanaAlert,
  type GrafanaPayload,
  type GrafanaRenderable,
} from '../format/grafanaPayload.js';
import { sortedEntries } from '../format/alertParts.js';
import { alertIdentity, groupFields, type Notification } from './notification.js';
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
  render: (n) => renderGrafanaHtml(grafanaPayloadOf(n)),
};

/** A parsed Grafana payload as a Notification, Grafana's own fields in `extras` under Grafana's names. */
export function grafanaNotification(payload: GrafanaPayload): Notification {
  return {
    source: grafanaSource.name,
    ...groupFields(payload),
    alerts: payload.alerts.map(({ silenceURL, dashboardURL, panelURL, imageURL, values, valueString, ...alert }) => ({
      ...alert,
      extras: { silenceURL, dashboardURL, panelURL, imageURL, values, valueString },
    })),
    extras: { title: payload.title, message: payload.message, orgId: payload.orgId, state: payload.state },
    identity: grafanaIdentity(payload),
  };
}

/**
 * The payload back from a Notification, for the built-in rendering: built from the notification's own
 * alerts, so a route's share of a notification (sources/notification.ts `partOf`) shows only its alerts.
 * An extra of the wrong type (a notification this file did not parse) reads as Grafana's default.
 */
function grafanaPayloadOf(n: Notification): GrafanaRenderable {
  return {
    title: text(n.extras, 'title'),
    status: n.status,
    truncatedAlerts: n.truncatedAlerts,
    externalURL: n.externalURL,
    alerts: n.alerts.map(({ extras, ...alert }) => ({
      ...alert,
      labels: { ...alert.labels },
      annotations: { ...alert.annotations },
      silenceURL: text(extras, 'silenceURL'),
      dashboardURL: text(extras, 'dashboardURL'),
      panelURL: text(extras, 'panelURL'),
      imageURL: text(extras, 'imageURL'),
      values: isValues(extras['values']) ? extras['values'] : {},
      valueString: text(extras, 'valueString'),
    })),
  };
}

const text = (extras: Readonly<Record<string, unknown>>, key: string): string => {
  const value = extras[key];
  return typeof value === 'string' ? value : '';
};

function isValues(value: unknown): value is GrafanaAlert['values'] {
  return (
    typeof value === 'object' && value !== null && Object.values(value).every((v) => v === null || ['number', 'string'].includes(typeof v))
  );
}

/**
 * The group, and each alert's identity, state, content and image: a retry carries all of it unchanged,
 * and two notifications that differ only in an alert's values or image are not merged into one.
 */
function grafanaIdentity(payload: GrafanaPayload): unknown {
  const alerts = payload.alerts.map((a) => [...alertIdentity(a), a.imageURL, sortedEntries(a.values)]);
  return [payload.groupKey, payload.status, payload.truncatedAlerts, payload.title, alerts];
}
