// Jest global setup for the e2e project: the one-node cluster (hack/e2e/cluster.sh up; a cluster that is
// already up, e.g. after `make e2e-up`, is used as it is), and the operator's image built with
// `make image` on podman and loaded into the node.
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../harness/controlPlane.ts';
import { IMAGE } from './image.ts';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'], encoding: 'utf8' });

export default function globalSetup(): void {
  const started = Date.now();
  run('bash', ['hack/e2e/cluster.sh', 'up']);
  // The Dockerfile as it is, on base images assembled here (no registry): the same build as a user's.
  run('make', ['--no-print-directory', 'image', 'CONTAINER_TOOL=podman', 'LOCAL_BASE_IMAGES=1', `IMG=${IMAGE}`]);
  run('bash', ['hack/e2e/cluster.sh', 'load', IMAGE]);
  process.stderr.write(`e2e: cluster up and image loaded in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
