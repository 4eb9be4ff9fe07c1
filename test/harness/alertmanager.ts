// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for tests and benchmarks,
// started on a free loopback port with the given configuration, clustering off.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alertmanagerWebhookPath } from './alertmanagerPayload.js';
import { freePort } from './operator.js';

export const ALERTMANAGER_BIN = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'].find((p) => existsSync(p));

export interface AlertmanagerProcess {
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

export async function startAlertmanager(configYaml: string): Promise<AlertmanagerProcess> {
  if (!ALERTMANAGER_BIN)
    throw new Error('prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager); .ci/run installs it');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'am-'));
  writeFileSync(path.join(dir, 'alertmanager.yml'), configYaml);
  const port = await freePort();
  let out = '';
  const child = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${dir}/alertmanager.yml`,
      `--storage.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${out}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`alertmanager not ready: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
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
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
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
