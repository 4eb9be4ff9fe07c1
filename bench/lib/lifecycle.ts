// Helpers for the alert-lifecycle benchmarks: Alertmanager webhook payloads for one group, and a
// watch that counts the API server's writes to the episode ConfigMaps.
import { LABEL_EPISODES } from '../../src/lifecycle/records.js';
import { alertmanagerPayload, type TestAlert } from '../../test/harness/alertmanagerPayload.js';
import type { Clients } from './kube.js';
import { resumingWatch, type ResumingWatch } from './resumingWatch.js';

export interface WebhookAlert extends TestAlert {
  labels: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAt: string;
}

/**
 * One group's notification as Alertmanager builds it: the labels every alert shares are the common
 * ones, and each alert's fingerprint follows from its labels, so a repeat names the same alert.
 */
export function groupPayload(groupKey: string, alerts: WebhookAlert[], receiver = 'telegram') {
  const common = Object.fromEntries(Object.entries(alerts[0]?.labels ?? {}).filter(([k, v]) => alerts.every((a) => a.labels[k] === v)));
  return alertmanagerPayload(
    alerts.map((a) => ({ ...a, fingerprint: Buffer.from(JSON.stringify(a.labels)).toString('hex').slice(0, 16) })),
    {
      groupKey,
      receiver,
      groupLabels: { alertname: common.alertname ?? '' },
      commonLabels: common,
      externalURL: 'http://alertmanager.bench:9093',
    },
  );
}

/**
 * Every write to an episode ConfigMap, in any namespace, as the API server reports it (ADDED and
 * MODIFIED watch events; DELETED apart). Started before the operator, so none is missed.
 */
export class EpisodeWriteWatch {
  readonly writesAt: number[] = [];
  deleted = 0;
  private watch: ResumingWatch | undefined;

  constructor(private readonly c: Clients) {}

  async start(): Promise<void> {
    const l = await this.c.core.listConfigMapForAllNamespaces({ labelSelector: LABEL_EPISODES, limit: 1 });
    const opts = { labelSelector: LABEL_EPISODES, resourceVersion: l.metadata?.resourceVersion ?? '' };
    this.watch = await resumingWatch(this.c.kc, '/api/v1/configmaps', opts, (type) => {
      if (type === 'ADDED' || type === 'MODIFIED') this.writesAt.push(Date.now());
      if (type === 'DELETED') this.deleted++;
    });
  }

  between(from: number, to: number): number {
    return this.writesAt.filter((t) => t >= from && t < to).length;
  }

  stop(): void {
    this.watch?.stop();
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
