// A Prometheus-family server (Alertmanager, Prometheus) as the tests run it: its configuration in a
// temporary directory of its own, a free loopback port, its output kept, ready once /-/ready answers.
// Stopped by the process it started, never by name; the directory goes with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './controlPlane.js';

export interface Daemon {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * `args` gets the directory holding `configFile` (written from `configYaml`) and the port to listen on.
 * `routePrefix`: the server serves everything under it (--web.route-prefix), /-/ready included.
 */
export async function startDaemon(
  name: string,
  bin: string,
  configFile: string,
  configYaml: string,
  args: (dir: string, port: number) => string[],
  routePrefix = '',
): Promise<Daemon> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  writeFileSync(path.join(dir, configFile), configYaml);
  const port = await freePort();
  let out = '';
  const child = spawn(bin, args(dir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
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
    if (child.exitCode !== null) throw new Error(`${name} exited: ${out}`);
    try {
      if ((await fetch(`${url}${routePrefix}/-/ready`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => out, stop };
}
