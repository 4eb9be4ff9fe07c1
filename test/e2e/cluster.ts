// The e2e cluster as the tests see it (hack/e2e/cluster.sh starts it; test/e2e/globalSetup.ts calls it):
// its kubeconfig, the node's address and a kubectl of the cluster's own version. Deliberately not
// KUBECONFIG: in `make test` the integration project's control plane owns that variable.
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/controlPlane.js';

export const E2E_DIR = path.join(REPO_ROOT, '.dev', 'e2e');
export const KUBECONFIG = path.join(E2E_DIR, 'kubeconfig');
export { IMAGE } from './image.js';

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
export function kubectlResult(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  try {
    return { code: 0, stdout: kubectl(args, input), stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

export function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  return kc;
}
