// What a template sees: the notification under its source's field names, plus `firing` and `resolved`
// (its alerts in each state) and `channel`. Every source's common fields (Alertmanager's) come first;
// a source's own fields (its `extras`: Grafana's title, message, orgId, and per alert its values,
// imageURL, dashboardURL, panelURL, silenceURL) sit beside them under their own names, so a template
// reads `{{ title }}` and `{{ a.values.B }}` as Grafana's docs write them. Built as fresh plain objects
// so nothing but these fields crosses into the render worker.
import type { Notification, NotificationAlert } from '../sources/notification.js';

export interface TemplateChannel {
  namespace: string;
  name: string;
}

/** What of a notification its template reads: all but what the operator keeps for itself (source, identity). */
export type TemplateNotification = Omit<Notification, 'source' | 'identity'>;

function alertData(alert: NotificationAlert): Record<string, unknown> {
  return {
    ...copied(alert.extras),
    // The common fields after the extras: a source's extra never hides one of them.
    status: alert.status,
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL,
    fingerprint: alert.fingerprint,
  };
}

export function templateData(notification: TemplateNotification, channel: TemplateChannel): Record<string, unknown> {
  const alerts = notification.alerts.map(alertData);
  return {
    ...copied(notification.extras),
    status: notification.status,
    alerts,
    firing: alerts.filter((alert) => alert['status'] === 'firing'),
    resolved: alerts.filter((alert) => alert['status'] === 'resolved'),
    groupKey: notification.groupKey,
    truncatedAlerts: notification.truncatedAlerts,
    groupLabels: { ...notification.groupLabels },
    commonLabels: { ...notification.commonLabels },
    commonAnnotations: { ...notification.commonAnnotations },
    externalURL: notification.externalURL,
    receiver: notification.receiver,
    channel: { namespace: channel.namespace, name: channel.name },
  };
}

/** A deep copy of a source's extras: parsed JSON, so plain data all the way down. */
function copied(extras: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return structuredClone({ ...extras });
}
