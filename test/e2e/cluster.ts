// The e2e cluster as the tests see it: started and removed through hack/e2e/cluster.sh, its kubeconfig,
// the node's address and a kubectl of the cluster's own version. Deliberately not KUBECONFIG: in
// `make test` the integration project's control plane owns that variable. Started from the test file,
// not from a jest global setup: a machine that cannot run it (not root, no containerd) fails these
// tests, not the whole run.
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { withExitStatus, type CommandResult } from '../harness/exitStatus.js';

export const E2E_DIR = path.join(REPO_ROOT, '.dev', 'e2e');
export const KUBECONFIG = path.join(E2E_DIR, 'kubeconfig');
export const IMAGE = 'localhost/telegram-channel-operator:e2e';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/**
 * The cluster up (a cluster already up, e.g. after `make e2e-up`, is used as it is), and the operator's
 * image built by `make image` on podman from the Dockerfile as it is, then loaded into the node.
 */
export function startCluster(): void {
  try {
    run('bash', ['hack/e2e/cluster.sh', 'up']);
    run('make', ['--no-print-directory', 'image', 'CONTAINER_TOOL=podman', 'LOCAL_BASE_IMAGES=1', `IMG=${IMAGE}`]);
    run('bash', ['hack/e2e/cluster.sh', 'load', IMAGE]);
  } catch (e) {
    const err = e as { message: string; stdout?: string; stderr?: string };
    throw new Error(`the e2e cluster could not start: ${err.message}\n${((err.stdout ?? '') + (err.stderr ?? '')).slice(-4000)}`, {
      cause: e,
    });
  }
}

/** Removes the cluster and all it left on the machine, unless E2E_KEEP=1 (then `make e2e-down` does). */
export function stopCluster(): void {
  if (!process.env.E2E_KEEP) run('bash', ['hack/e2e/cluster.sh', 'down']);
}

const stateFile = (name: string) => {
  const file = path.join(E2E_DIR, name);
  if (!existsSync(file)) throw new Error(`${file} is missing: the e2e cluster is not up (make e2e-up, or run the e2e jest project)`);
  return readFileSync(file, 'utf8').trim();
};
export const nodeIp = () => stateFile('node-ip');
const kubectlBin = () => path.join(stateFile('bin-dir'), 'kubectl');

export function kubectl(args: string[], input?: string): string {
  return execFileSync(kubectlBin(), ['--kubeconfig', KUBECONFIG, ...args], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** kubectl with its exit status and both streams (for failure messages and rejections). */
export function kubectlResult(args: string[], input?: string): CommandResult {
  return withExitStatus(() => kubectl(args, input));
}

export function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  return kc;
}
