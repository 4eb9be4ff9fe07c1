// Installs the project's CRDs the way a user does: kubectl apply, server-side, with validation.
// (client-node's typed CRD API silently drops x-kubernetes-validations, so it is not used for this.)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './controlPlane.js';

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', process.env.KUBECONFIG ?? '', ...args], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** kubectl with its exit status and both streams, for asserting on rejections. */
export function kubectlResult(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  try {
    return { code: 0, stdout: kubectl(args, input), stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

export function installCrds(): void {
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', path.join(REPO_ROOT, 'crds')]);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/telegramchannels.telegram.notify.dev']);
}
