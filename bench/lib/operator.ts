// The built operator (dist/main.js) as a child process, as the integration tests run it, plus a
// scrape of its Prometheus metrics.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { REPO_ROOT } from '../../test/harness/controlPlane.js';
import { ensureBuilt, startOperator, type OperatorProcess } from '../../test/harness/operator.js';

export interface StartedOperator {
  op: OperatorProcess;
  /** Date.now() just before the process was spawned. */
  spawnedAt: number;
  /** Date.now() when /readyz first answered 200 (watches listed). */
  readyzAt: number;
}

export async function launchOperator(kubeconfig: string, env: Record<string, string>): Promise<StartedOperator> {
  ensureBuilt(); // outside the timed window (a no-op when dist/ is current or SKIP_OPERATOR_BUILD is set)
  const spawnedAt = Date.now();
  const op = await startOperator({ KUBECONFIG: kubeconfig, LOG_LEVEL: 'info', ...operatorRuntimeEnv(), ...env });
  return { op, spawnedAt, readyzAt: Date.now() };
}

/**
 * The operator runs with the NODE_OPTIONS the shipped Deployment sets (deploy/base), so the figures
 * are those of a real install; BENCH_OPERATOR_NODE_OPTIONS adds to them (later V8 flags win), e.g. a
 * CPU profile or a preload that tries a fix (see bench/probes).
 */
export function operatorNodeOptions(): string {
  return [deployedEnv('NODE_OPTIONS'), process.env.BENCH_OPERATOR_NODE_OPTIONS ?? ''].join(' ').trim();
}

/** Settings of the process itself (not of the operator) that the Deployment may ship, passed on as shipped. */
const RUNTIME_ENV = ['MALLOC_ARENA_MAX'] as const;

/**
 * NODE_OPTIONS (above) and the RUNTIME_ENV the Deployment sets; BENCH_OPERATOR_<name> replaces one
 * of them for an experiment.
 */
export function operatorRuntimeEnv(): Record<string, string> {
  const env: Record<string, string> = { NODE_OPTIONS: operatorNodeOptions() };
  for (const name of RUNTIME_ENV) {
    const value = process.env[`BENCH_OPERATOR_${name}`] ?? deployedEnv(name);
    if (value) env[name] = value;
  }
  return env;
}

function deployedContainer(): k8s.V1Container | undefined {
  const manifest = readFileSync(path.join(REPO_ROOT, 'deploy', 'base', 'deployment.yaml'), 'utf8');
  const deployment = k8s.loadYaml<k8s.V1Deployment>(manifest);
  return deployment.spec?.template.spec?.containers.find((c) => c.name === 'operator') ?? deployment.spec?.template.spec?.containers[0];
}

function deployedEnv(name: string): string {
  return deployedContainer()?.env?.find((e) => e.name === name)?.value ?? '';
}

/** The memory limit the shipped Deployment sets (e.g. 400Mi), in MiB. */
export function deployedMemoryLimitMiB(): number {
  const limit = String(deployedContainer()?.resources?.limits?.memory ?? '');
  const m = /^(\d+)(Mi|Gi)$/.exec(limit);
  if (!m) throw new Error(`deploy/base/deployment.yaml: memory limit ${JSON.stringify(limit)} is not in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** Sums of every sample of each metric family, by its label set: name → {labels → value}. */
export async function scrapeMetrics(url: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const [, name, labels = '', value] = m;
      (out[name!] ??= {})[labels] = Number(value);
    }
  } catch {
    // operator gone: no metrics
  }
  return out;
}

export function metricTotal(metrics: Record<string, Record<string, number>>, name: string, labelFilter?: RegExp): number {
  const fam = metrics[name] ?? {};
  return Object.entries(fam)
    .filter(([labels]) => !labelFilter || labelFilter.test(labels))
    .reduce((a, [, v]) => a + v, 0);
}

export function metricByLabels(metrics: Record<string, Record<string, number>>, name: string): Record<string, number> {
  return { ...(metrics[name] ?? {}) };
}
