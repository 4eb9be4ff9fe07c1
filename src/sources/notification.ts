// A notification as every webhook source hands it on: the delivery service, the lifecycle and the
// templates read this shape and never a source's own payload, so a new source is one parser away from
// everything an Alertmanager notification gets. The fields are Alertmanager's (webhook payload version
// "4"), the common ground of the sources we take: Grafana's unified alerting posts the same fields plus
// its own, which travel in `extras`.

import { sortedEntries } from '../format/alertParts.js';

export type NotificationStatus = 'firing' | 'resolved';

export interface NotificationAlert {
  status: NotificationStatus;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** RFC 3339 as the source sent it; empty when it sent none. */
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  generatorURL: string;
  /** The source's own fields of this alert (Grafana: imageURL, values, dashboardURL…); empty for Alertmanager. */
  extras: Readonly<Record<string, unknown>>;
}

export interface Notification {
  /** The source's name (`WebhookSource.name`): the URL segment, the metrics label `source`. */
  source: string;
  groupKey: string;
  status: NotificationStatus;
  alerts: readonly NotificationAlert[];
  /** Alerts the source left out of this notification (Alertmanager's max_alerts). */
  truncatedAlerts: number;
  receiver: string;
  groupLabels: Readonly<Record<string, string>>;
  commonLabels: Readonly<Record<string, string>>;
  commonAnnotations: Readonly<Record<string, string>>;
  externalURL: string;
  /** The source's own fields of the whole notification (Grafana: title, message, orgId…). */
  extras: Readonly<Record<string, unknown>>;
  /**
   * What makes a retry the same notification (JSON-serialisable): a retry of it joins the delivery
   * under way instead of sending again (delivery/notifications.ts adds the channel and the source).
   */
  identity: unknown;
}

/**
 * The notification narrowed to some of its alerts (a route's share of it): their status, and the labels
 * and annotations they all share. The source's extras stay: they describe the whole notification.
 */
export function partOf(notification: Notification, alerts: readonly NotificationAlert[]): Notification {
  return {
    ...notification,
    status: alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    commonLabels: shared(alerts.map((alert) => alert.labels)),
    commonAnnotations: shared(alerts.map((alert) => alert.annotations)),
  };
}

function shared(records: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = records;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((r) => r[key] === value)));
}

/** The group's fields every source sends under Alertmanager's names, as a Notification holds them. */
export type GroupFields = Pick<
  Notification,
  'groupKey' | 'status' | 'truncatedAlerts' | 'receiver' | 'groupLabels' | 'commonLabels' | 'commonAnnotations' | 'externalURL'
>;

/** A parsed payload's group fields, copied by name: a source's own fields stay out (they go in `extras`). */
export function groupFields(payload: GroupFields): GroupFields {
  const { groupKey, status, truncatedAlerts, receiver, groupLabels, commonLabels, commonAnnotations, externalURL } = payload;
  return { groupKey, status, truncatedAlerts, receiver, groupLabels, commonLabels, commonAnnotations, externalURL };
}

/**
 * An alert's identity, state and content, for a source's `identity`: labels and annotations sorted, so
 * a retry that lists them in another order is still the same notification.
 */
export function alertIdentity(alert: Omit<NotificationAlert, 'extras'>): unknown[] {
  return [alert.fingerprint, sortedEntries(alert.labels), sortedEntries(alert.annotations), alert.status, alert.startsAt, alert.endsAt];
}
