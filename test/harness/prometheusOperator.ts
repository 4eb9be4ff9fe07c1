// The real Prometheus Operator (built from the Go module proxy by hack/prometheus-operator.sh) against the
// test API server. There is no kubelet: its StatefulSets never run a pod, but it still renders each
// Alertmanager's configuration into the Secret alertmanager-<name>-generated, which is what tests read.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REPO_ROOT, freePort } from './controlPlane.js';
import { kubectl, kubectlResult } from './crds.js';
import { clients } from './kube.js';

const SCRIPT = path.join(REPO_ROOT, 'hack/prometheus-operator.sh');
const stdio: ['ignore', 'pipe', 'inherit'] = ['ignore', 'pipe', 'inherit'];

/** The module's CRD directory (a download; no build). */
export function prometheusOperatorCrdDir(): string {
  return execFileSync('bash', [SCRIPT, 'crds'], { encoding: 'utf8', stdio }).trim();
}

/** Installs the Prometheus Operator's CRDs named `plurals` (e.g. alertmanagerconfigs), from its module. */
export function installPrometheusOperatorCrds(plurals: string[]): void {
  const dir = prometheusOperatorCrdDir();
  for (const plural of plurals) {
    const file = readdirSync(dir).find((f) => f === `monitoring.coreos.com_${plural}.yaml`);
    if (!file) throw new Error(`no CRD for ${plural} in ${dir}`);
    kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=tgc-test', '-f', path.join(dir, file)]);
    waitEstablished(`crd/${plural}.monitoring.coreos.com`);
  }
}

/** kubectl wait, retried while the CRD has no status yet (kubectl fails at once then instead of waiting). */
function waitEstablished(crd: string): void {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = kubectlResult(['wait', '--for=condition=Established', '--timeout=60s', crd]);
    if (r.code === 0) return;
    if (Date.now() > deadline || !/accessor error/.test(r.stderr)) throw new Error(`kubectl wait ${crd}: ${r.stderr}`);
    execFileSync('sleep', ['0.2']);
  }
}

export function uninstallPrometheusOperatorCrd(plural: string): void {
  kubectlResult(['delete', 'crd', `${plural}.monitoring.coreos.com`, '--ignore-not-found', '--wait=true', '--timeout=60s']);
}

export interface PrometheusOperatorProcess {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Builds (first use: several minutes) and starts the Prometheus Operator, limited to `namespaces`. */
export async function startPrometheusOperator(namespaces: string[]): Promise<PrometheusOperatorProcess> {
  const dir = execFileSync('bash', [SCRIPT], { encoding: 'utf8', stdio }).trim();
  const port = await freePort();
  let out = '';
  const child = spawn(
    path.join(dir, 'operator'),
    [`--web.listen-address=127.0.0.1:${port}`, `--namespaces=${namespaces.join(',')}`, '--log-level=debug', '--kubelet-service='],
    { env: { PATH: process.env.PATH ?? '', KUBECONFIG: process.env.KUBECONFIG ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The configuration the Prometheus Operator generated for Alertmanager `name`, or undefined if none yet. */
export async function generatedAlertmanagerConfig(namespace: string, name: string): Promise<string | undefined> {
  const { core } = clients();
  try {
    const s = await core.readNamespacedSecret({ namespace, name: `alertmanager-${name}-generated` });
    const gz = s.data?.['alertmanager.yaml.gz'];
    return gz ? gunzipSync(Buffer.from(gz, 'base64')).toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}
