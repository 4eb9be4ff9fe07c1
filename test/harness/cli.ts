// `make cluster-up` / `make cluster-down`: a long-lived local control plane for development,
// with its kubeconfig at .dev/kubeconfig.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, isRunning, readState, startControlPlane, stopControlPlane } from './controlPlane.js';

const DEV_DIR = path.join(REPO_ROOT, '.dev');
const CLUSTER_DIR = path.join(DEV_DIR, 'cluster');
const KUBECONFIG = path.join(DEV_DIR, 'kubeconfig');

async function up(): Promise<void> {
  const existing = readState(CLUSTER_DIR);
  if (existing && isRunning(existing)) {
    console.log(`control plane already running (${existing.version}); export KUBECONFIG=${KUBECONFIG}`);
    return;
  }
  mkdirSync(DEV_DIR, { recursive: true });
  const s = await startControlPlane(CLUSTER_DIR);
  copyFileSync(s.kubeconfig, KUBECONFIG);
  console.log(`${s.version} is up at https://127.0.0.1:${s.apiserverPort}`);
  console.log(`export KUBECONFIG=${KUBECONFIG}`);
}

async function down(): Promise<void> {
  const s = readState(CLUSTER_DIR);
  if (!s) {
    console.log('no local control plane recorded in .dev/cluster');
    return;
  }
  await stopControlPlane(s);
  console.log('control plane stopped');
}

const command = process.argv[2];
const run = command === 'up' ? up : command === 'down' ? down : undefined;
if (!run) {
  console.error('usage: tsx test/harness/cli.ts up|down');
  process.exit(2);
}
run().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
