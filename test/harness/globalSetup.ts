// Jest global setup for the integration project: one real control plane for the whole run.
// Each test file then works in a namespace of its own (see kube.ts). TEST_KUBECONFIG reuses a
// control plane that is already running (e.g. after `make cluster-up`) for a faster dev loop.
import path from 'node:path';
import { REPO_ROOT, startControlPlane } from './controlPlane.ts';

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_KUBECONFIG) {
    process.env.KUBECONFIG = process.env.TEST_KUBECONFIG;
    return;
  }
  const dir = path.join(REPO_ROOT, '.dev', `test-cluster-${process.pid}`);
  const s = await startControlPlane(dir);
  process.env.KUBECONFIG = s.kubeconfig;
  process.env.TEST_CONTROL_PLANE_DIR = dir;
}
