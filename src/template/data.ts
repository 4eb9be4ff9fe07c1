// What a template sees: the Alertmanager webhook payload under its own field names, plus `firing` and
// `resolved` (its alerts in each state) and `channel`. Built as fresh plain objects so nothing but
// these fields crosses into the render worker.
import type { AlertmanagerAlert, AlertmanagerPayload } from '../format/alertmanager.js';

export interface TemplateChannel {
  namespace: string;
  name: string;
}

function alertData(alert: AlertmanagerAlert): Record<string, unknown> {
  return {
    status: alert.status,
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL,
    fingerprint: alert.fingerprint,
  };
}

export function templateData(payload: AlertmanagerPayload, channel: TemplateChannel): Record<string, unknown> {
  const alerts = payload.alerts.map(alertData);
  return {
    status: payload.status,
    alerts,
    firing: alerts.filter((alert) => alert['status'] === 'firing'),
    resolved: alerts.filter((alert) => alert['status'] === 'resolved'),
    groupLabels: { ...payload.groupLabels },
    commonLabels: { ...payload.commonLabels },
    commonAnnotations: { ...payload.commonAnnotations },
    externalURL: payload.externalURL,
    receiver: payload.receiver,
    channel: { namespace: channel.namespace, name: channel.name },
  };
}
