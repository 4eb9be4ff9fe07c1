// Runs the built operator (dist/main.js) as a real child process, as a cluster would: its own
// process, its own environment, logs on stdout. Tests, the benchmarks and the demo read its logs and
// its HTTP port, and can kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, freePort } from './controlPlane.js';

export interface OperatorProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote to stdout and stderr. */
  output: () => string;
  /** Parsed JSON log records so far. */
  logs: () => Record<string, unknown>[];
  /** Sends a signal and resolves with the exit code once the process has ended. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export { freePort };

let built = false;
/** Makes sure dist/ is current when a test file runs alone (make test builds first anyway). */
export function ensureBuilt(): void {
  if (built || process.env.SKIP_OPERATOR_BUILD) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  built = true;
}

/** A replica's environment under leader election: its pod name, the Lease in `namespace`, its address on loopback. */
export function replicaEnv(namespace: string, podName: string): Record<string, string> {
  return { LEADER_ELECTION: 'true', POD_NAMESPACE: namespace, POD_NAME: podName, POD_IP: '127.0.0.1' };
}

/** NODE_OPTIONS exactly as deploy/base ships them. */
export function shippedNodeOptions(): string {
  const yaml = readFileSync(path.join(REPO_ROOT, 'deploy/base/deployment.yaml'), 'utf8');
  const m = /- name: NODE_OPTIONS\s+value: "([^"]+)"/.exec(yaml);
  if (!m) throw new Error('NODE_OPTIONS not found in deploy/base/deployment.yaml');
  return m[1]!;
}

export interface StartOptions {
  /** false: return once the process runs, for tests of an operator that cannot become ready. */
  waitReady?: boolean;
  /** The process writes its logs to this file instead of memory (the demo keeps them for the user). */
  logFile?: string;
  /** false: run dist/ as it is; `make demo` builds it before and a missing dist/main.js is an error. */
  build?: boolean;
  /** Called once the process runs, before it is ready: a caller that can be interrupted (the demo's
   * Ctrl-C) registers its clean-up here, so an operator that never gets ready is stopped too. */
  onSpawn?: (proc: OperatorProcess) => void;
}

export async function startOperator(env: Record<string, string>, opts: StartOptions = {}): Promise<OperatorProcess> {
  if (opts.build !== false) ensureBuilt();
  // A test that must know the port before start (e.g. for WEBHOOK_BASE_URL) passes HTTP_PORT itself.
  const port = env.HTTP_PORT ? Number(env.HTTP_PORT) : await freePort();
  let out = '';
  const logFd = opts.logFile === undefined ? undefined : openSync(opts.logFile, 'w');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/main.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', KUBECONFIG: process.env.KUBECONFIG ?? '', HTTP_PORT: String(port), LOG_LEVEL: 'debug', ...env },
    stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
  });
  if (logFd !== undefined) closeSync(logFd);
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const output = () => (opts.logFile === undefined ? out : readLog(opts.logFile));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: OperatorProcess = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output,
    logs: () =>
      output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  opts.onSpawn?.(proc);
  if (opts.waitReady === false) return proc;
  // Ready means: HTTP is up and the watches have listed once.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`operator exited with ${child.exitCode ?? child.signalCode}:\n${output()}`);
    try {
      const r = await fetch(`${proc.url}/readyz`);
      if (r.status === 200) return proc;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop('SIGKILL');
  throw new Error(`operator not ready within 30 s:\n${output()}`);
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
