// Helpers for the alert-lifecycle benchmarks (issue 13): Alertmanager webhook payloads posted straight
// to the operator, and a watch that counts the API server's writes to the episode ConfigMaps.
import * as k8s from '@kubernetes/client-node';
import type { Clients } from './kube.js';

/** The label every episode ConfigMap carries (src/lifecycle/records.ts, LABEL_EPISODES). */
export const EPISODES_LABEL = 'telegram.notify.dev/episodes';

export interface WebhookAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAt: string;
  endsAt?: string;
}

/** Alertmanager's webhook payload (version 4) for one group, as Alertmanager builds it. */
export function groupPayload(groupKey: string, alerts: WebhookAlert[], receiver = 'telegram') {
  const firing = alerts.some((a) => a.status === 'firing');
  const common = Object.fromEntries(Object.entries(alerts[0]?.labels ?? {}).filter(([k, v]) => alerts.every((a) => a.labels[k] === v)));
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: firing ? 'firing' : 'resolved',
    receiver,
    groupLabels: { alertname: common.alertname ?? '' },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench:9093',
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: Buffer.from(JSON.stringify(a.labels)).toString('hex').slice(0, 16),
    })),
  };
}

/** POSTs a payload to the operator's webhook for a channel; returns the HTTP status and the round trip. */
export async function postWebhook(
  operatorUrl: string,
  namespace: string,
  channel: string,
  token: string,
  payload: unknown,
): Promise<{ status: number; ms: number; body: string }> {
  const started = Date.now();
  const r = await fetch(`${operatorUrl}/webhooks/alertmanager/${namespace}/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(payload),
  });
  const body = await r.text();
  return { status: r.status, ms: Date.now() - started, body };
}

/**
 * Every write to an episode ConfigMap, in any namespace, as the API server reports it (ADDED and
 * MODIFIED watch events; DELETED apart). Started before the operator, so none is missed.
 */
export class EpisodeWriteWatch {
  readonly writesAt: number[] = [];
  deleted = 0;
  private controller: AbortController | undefined;
  private stopped = false;
  private rv = '';

  constructor(private readonly c: Clients) {}

  async start(): Promise<void> {
    const l = await this.c.core.listConfigMapForAllNamespaces({ labelSelector: EPISODES_LABEL, limit: 1 });
    this.rv = l.metadata?.resourceVersion ?? '';
    await this.connect();
  }

  between(from: number, to: number): number {
    return this.writesAt.filter((t) => t >= from && t < to).length;
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }

  private async connect(): Promise<void> {
    this.controller = await new k8s.Watch(this.c.kc).watch(
      '/api/v1/configmaps',
      { labelSelector: EPISODES_LABEL, resourceVersion: this.rv, allowWatchBookmarks: true },
      (type, obj: { metadata?: { resourceVersion?: string } }) => {
        if (obj?.metadata?.resourceVersion) this.rv = obj.metadata.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.writesAt.push(Date.now());
        if (type === 'DELETED') this.deleted++;
      },
      () => {
        if (!this.stopped) setTimeout(() => void this.connect().catch(() => undefined), 200);
      },
    );
  }
}

/** Requests the emulator recorded for one bot token, by method, and how many were 429s. */
export function requestsByMethod(
  requests: { token: string; method: string; status: number; time?: number }[],
  token: string,
  from = 0,
  to = Number.POSITIVE_INFINITY,
): { byMethod: Record<string, number>; rateLimited: number; total: number } {
  const byMethod: Record<string, number> = {};
  let rateLimited = 0;
  let total = 0;
  for (const r of requests) {
    if (r.token !== token) continue;
    const t = r.time ?? 0;
    if (t < from || t >= to) continue;
    total++;
    byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
    if (r.status === 429) rateLimited++;
  }
  return { byMethod, rateLimited, total };
}
