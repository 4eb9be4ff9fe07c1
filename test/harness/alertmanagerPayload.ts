// Alertmanager's webhook payload (version 4) as tests send it: one builder instead of a literal per test
// file. Each alert defaults to firing, labelled alertname=<name>, with fixed placeholders for the fields
// the operator only renders; pass what a test depends on.

export interface TestAlert {
  name: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  fingerprint?: string;
  startsAt?: string;
  generatorURL?: string;
}

export interface PayloadOptions {
  groupKey?: string;
  receiver?: string;
  externalURL?: string;
}

export function alertmanagerPayload(alerts: readonly TestAlert[], opts: PayloadOptions = {}) {
  return {
    version: '4',
    groupKey: opts.groupKey ?? 'g',
    truncatedAlerts: 0,
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: opts.receiver ?? 'r',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: opts.externalURL ?? 'http://am',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: a.name, ...(a.labels ?? {}) },
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? new Date().toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: a.generatorURL ?? '',
      fingerprint: a.fingerprint ?? 'f',
    })),
  };
}
