import { rmSync } from 'node:fs';
import { readState, stopControlPlane } from './controlPlane.ts';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.TEST_CONTROL_PLANE_DIR;
  if (!dir) return;
  const s = readState(dir);
  if (s) await stopControlPlane(s);
  if (!process.env.KEEP_TEST_CLUSTER) rmSync(dir, { recursive: true, force: true });
}
