// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for tests and benchmarks,
// started on a free loopback port with the given configuration, clustering off.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { alertmanagerWebhookPath } from './alertmanagerPayload.js';
import { startDaemon } from './daemon.js';

export const ALERTMANAGER_BIN = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'].find((p) => existsSync(p));

export interface AlertmanagerProcess {
  /** Where it listens; with a route prefix, its API is under `${url}${routePrefix}/api/v2`. */
  url: string;
  child: ChildProcess;
  output: () => string;
  postAlerts: (alerts: unknown[]) => Promise<void>;
  /** The silences Alertmanager holds (API v2), active or not. */
  silences: () => Promise<Silence[]>;
  /** The ids of the silences that hold back the first alert matching a matcher, e.g. instance="node-3". */
  silencedBy: (matcher: string) => Promise<string[]>;
  stop: () => Promise<void>;
}

export interface Silence {
  id: string;
  matchers: { name: string; value: string; isEqual?: boolean }[];
  createdBy: string;
  updatedAt: string;
  endsAt: string;
  status: { state: string };
}

/**
 * `routePrefix` serves everything under a path: '/api/alertmanager/grafana' puts the API exactly where
 * Grafana serves its own Alertmanager's, so the process stands in for a Grafana's silences API.
 */
export async function startAlertmanager(configYaml: string, opts: { routePrefix?: string } = {}): Promise<AlertmanagerProcess> {
  if (!ALERTMANAGER_BIN)
    throw new Error('prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager); .ci/run installs it');
  const prefix = opts.routePrefix ?? '';
  const daemon = await startDaemon(
    'alertmanager',
    ALERTMANAGER_BIN,
    'alertmanager.yml',
    configYaml,
    (dir, port) => [
      `--config.file=${dir}/alertmanager.yml`,
      `--storage.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(prefix ? [`--web.route-prefix=${prefix}`] : []),
      '--cluster.listen-address=',
      '--log.level=debug',
    ],
    prefix,
  );
  const url = `${daemon.url}${prefix}`;
  return {
    ...daemon,
    postAlerts: async (alerts) => {
      const r = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!r.ok) throw new Error(`alertmanager refused alerts: ${r.status} ${await r.text()}`);
    },
    silences: async () => (await (await fetch(`${url}/api/v2/silences`)).json()) as Silence[],
    silencedBy: async (matcher) => {
      const alerts = (await (await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(matcher)}`)).json()) as {
        status: { silencedBy: string[] };
      }[];
      return alerts[0]?.status.silencedBy ?? [];
    },
  };
}

/**
 * A configuration that sends every group to the operator's webhook of one channel with its Bearer
 * token, resolved notifications too, grouped by `groupBy` and quickly (1 s), as a test wants it.
 */
export function operatorReceiverConfig(
  operatorUrl: string,
  channel: { namespace: string; name: string },
  token: string,
  groupBy: string[],
): string {
  return `
route:
  receiver: telegram
  group_by: [${groupBy.join(', ')}]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: telegram
  webhook_configs:
  - url: ${operatorUrl}${alertmanagerWebhookPath(channel)}
    send_resolved: true
    http_config:
      authorization:
        credentials: ${token}
`;
}
