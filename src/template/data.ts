// What a template sees: the webhook payload under Alertmanager's field names, plus `firing` and
// `resolved` (its alerts in each state) and `channel`. Built as fresh plain objects so nothing but
// these fields crosses into the render worker.

/** The fields a template sees of a notification: an Alertmanager payload, or any source's Notification. */
export interface TemplatePayload {
  status: string;
  alerts: readonly TemplateAlert[];
  groupLabels: Readonly<Record<string, string>>;
  commonLabels: Readonly<Record<string, string>>;
  commonAnnotations: Readonly<Record<string, string>>;
  externalURL: string;
  receiver: string;
}

export interface TemplateAlert {
  status: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface TemplateChannel {
  namespace: string;
  name: string;
}

function alertData(alert: TemplateAlert): Record<string, unknown> {
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

export function templateData(payload: TemplatePayload, channel: TemplateChannel): Record<string, unknown> {
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
