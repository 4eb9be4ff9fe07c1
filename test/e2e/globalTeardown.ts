// Stops the e2e cluster and removes everything it left on the machine, unless E2E_KEEP=1 (then
// `make e2e-down` does it later).
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../harness/controlPlane.ts';

export default function globalTeardown(): void {
  if (process.env.E2E_KEEP) return;
  execFileSync('bash', ['hack/e2e/cluster.sh', 'down'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
