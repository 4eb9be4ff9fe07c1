// The machine and the versions a benchmark ran on, for the header of BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALERTMANAGER_BIN } from '../../test/harness/alertmanager.js';
import { REPO_ROOT } from '../../test/harness/controlPlane.js';
import { operatorNodeOptions, operatorRuntimeEnv } from './operator.js';

export interface Environment {
  date: string;
  machine: { cpuModel: string; cores: number; ramGB: number; kernel: string };
  versions: {
    node: string;
    kubeApiserver: string;
    alertmanager: string;
    operator: string;
    gitCommit: string;
    uncommittedFiles?: string[];
    distBuiltAt?: string;
  };
  /** As in deploy/base/deployment.yaml: the operator is measured as it is shipped. */
  operatorNodeOptions?: string;
  /** The other process settings the operator ran with (MALLOC_ARENA_MAX), as shipped. */
  operatorRuntimeEnv?: Record<string, string>;
}

function tryRun(cmd: string, args: string[], cwd = REPO_ROOT): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function describeEnvironment(kubeApiserverVersion: string): Environment {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    // not Linux
  }
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const am = ALERTMANAGER_BIN
    ? tryRun(ALERTMANAGER_BIN, ['--version'])
        .split('\n')[0]!
        .replace(/^alertmanager, version\s*/, '')
    : 'not installed';
  return {
    date: new Date().toISOString(),
    machine: { cpuModel, cores: os.cpus().length, ramGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, kernel: os.release() },
    versions: {
      node: process.version,
      kubeApiserver: kubeApiserverVersion,
      alertmanager: am,
      operator: `${pkg.name} ${pkg.version}`,
      gitCommit: tryRun('git', ['rev-parse', '--short=12', 'HEAD']),
      // dist/ is what runs; it may be built from a working tree that differs from the commit.
      uncommittedFiles: tryRun('git', ['diff', '--name-only', 'HEAD', '--', 'src'])
        .split('\n')
        .filter((f) => f && f !== 'unknown'),
      distBuiltAt: (() => {
        try {
          return statSync(path.join(REPO_ROOT, 'dist/main.js')).mtime.toISOString();
        } catch {
          return 'not built';
        }
      })(),
    },
    operatorNodeOptions: operatorNodeOptions(),
    operatorRuntimeEnv: Object.fromEntries(Object.entries(operatorRuntimeEnv()).filter(([name]) => name !== 'NODE_OPTIONS')),
  };
}
