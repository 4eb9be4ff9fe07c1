// A real Prometheus (Debian's `prometheus` package, 2.42) for tests: a free loopback port, its own
// temporary TSDB, the given configuration. Stopped by the PID it was started with, never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './operator.js';

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
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prom-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), configYaml);
  const port = await freePort();
  let out = '';
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${out}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    api: async (pathAndQuery) => {
      const r = await fetch(`${url}/api/v1/${pathAndQuery}`);
      const body = (await r.json()) as { status: string; data: any; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${r.status} ${body.error ?? ''}`);
      return body.data;
    },
    stop,
  };
}
