// A real Prometheus (Debian's `prometheus` package, 2.42) for tests: a free loopback port, its own
// temporary TSDB, the given configuration. Stopped by the PID it was started with, never by name.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startDaemon } from './daemon.js';

export const PROMETHEUS_BIN = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => existsSync(p));

export interface PrometheusProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** GET /api/v1/<path>; throws unless Prometheus answers status "success". */
  api: <T = any>(pathAndQuery: string) => Promise<T>;
  stop: () => Promise<void>;
}

export async function startPrometheus(configYaml: string): Promise<PrometheusProcess> {
  if (!PROMETHEUS_BIN) throw new Error("prometheus is not installed (apt-get install prometheus: Debian's package); .ci/run installs it");
  const daemon = await startDaemon('prometheus', PROMETHEUS_BIN, 'prometheus.yml', configYaml, (dir, port) => [
    `--config.file=${dir}/prometheus.yml`,
    `--storage.tsdb.path=${dir}/data`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=info',
  ]);
  const { url } = daemon;
  return {
    ...daemon,
    api: async (pathAndQuery) => {
      const r = await fetch(`${url}/api/v1/${pathAndQuery}`);
      const body = (await r.json()) as { status: string; data: any; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${r.status} ${body.error ?? ''}`);
      return body.data;
    },
  };
}
