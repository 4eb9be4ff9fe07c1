// Alertmanager's webhook payload (version 4) as tests, the benchmarks and the demo send it: one
// builder instead of a literal per file. Each alert defaults to firing, labelled alertname=<name>, with
// fixed placeholders for the fields the operator only renders; pass what a caller depends on.

export interface TestAlert {
  /** The alertname label; without it the labels stand as given. */
  name?: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  fingerprint?: string;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface PayloadOptions {
  groupKey?: string;
  receiver?: string;
  externalURL?: string;
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
}

/** Alertmanager's "zero" time: what it sends as endsAt while an alert fires. */
const NOT_ENDED = '0001-01-01T00:00:00Z';

export function alertmanagerPayload(alerts: readonly TestAlert[], opts: PayloadOptions = {}) {
  return {
    version: '4',
    groupKey: opts.groupKey ?? 'g',
    truncatedAlerts: 0,
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: opts.receiver ?? 'r',
    groupLabels: opts.groupLabels ?? {},
    commonLabels: opts.commonLabels ?? {},
    commonAnnotations: opts.commonAnnotations ?? {},
    externalURL: opts.externalURL ?? 'http://am',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { ...(a.name === undefined ? {} : { alertname: a.name }), ...(a.labels ?? {}) },
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? new Date().toISOString(),
      endsAt: a.endsAt ?? NOT_ENDED,
      generatorURL: a.generatorURL ?? '',
      fingerprint: a.fingerprint ?? 'f',
    })),
  };
}

export interface WebhookAnswer {
  status: number;
  body: string;
  /** The round trip in ms, as the caller's clock saw it. */
  ms: number;
}

/** POSTs a payload to the operator's Alertmanager webhook for one channel, with its Bearer token. */
export async function postAlertmanagerWebhook(
  operatorUrl: string,
  channel: { namespace: string; name: string },
  token: string,
  payload: unknown,
): Promise<WebhookAnswer> {
  const started = Date.now();
  const r = await fetch(`${operatorUrl}${alertmanagerWebhookPath(channel)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(payload),
  });
  const body = await r.text();
  return { status: r.status, body, ms: Date.now() - started };
}

export function alertmanagerWebhookPath(channel: { namespace: string; name: string }): string {
  return `/webhooks/alertmanager/${channel.namespace}/${channel.name}`;
}
