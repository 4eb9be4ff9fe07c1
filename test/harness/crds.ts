// Installs the project's CRDs the way a user does: kubectl apply, server-side, with validation.
// (client-node's typed CRD API silently drops x-kubernetes-validations, so it is not used for this.)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FIELD_MANAGER } from '../../src/api/contract.js';
import { REPO_ROOT } from './controlPlane.js';
import { withExitStatus, type CommandResult } from './exitStatus.js';
import { BOT_CRD, CHANNEL_CRD } from './resources.js';

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', process.env.KUBECONFIG ?? '', ...args], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** kubectl with its exit status and both streams, for asserting on rejections. */
export function kubectlResult(args: string[], input?: string): CommandResult {
  return withExitStatus(() => kubectl(args, input));
}

/** The objects a `kubectl apply --dry-run=server` reported as applied: one line each. */
export function serverDryRunApplied(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l.includes('(server dry run)'));
}

export function installCrds(): void {
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', path.join(REPO_ROOT, 'crds')]);
  for (const crd of [CHANNEL_CRD, BOT_CRD]) waitEstablished(crd);
}

/**
 * `kubectl wait` fails at once, rather than waiting, on a CRD the API server has not yet given any
 * status ("status.conditions accessor error"): that answer is asked again, anything else is thrown.
 */
function waitEstablished(crd: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd}`]);
      return;
    } catch (e) {
      if (attempt >= 20 || !String((e as { stderr?: unknown }).stderr).includes('accessor error')) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
}

const SERVICEMONITOR_CRD_STANDIN = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com', labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER } },
  spec: {
    group: 'monitoring.coreos.com',
    names: { kind: 'ServiceMonitor', listKind: 'ServiceMonitorList', plural: 'servicemonitors', singular: 'servicemonitor' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            required: ['spec'],
            properties: {
              spec: {
                type: 'object',
                required: ['selector', 'endpoints'],
                'x-kubernetes-preserve-unknown-fields': true,
              },
            },
          },
        },
      },
    ],
  },
};

/**
 * The Prometheus Operator's CRD is not in the test cluster: installs a minimal stand-in (once per control
 * plane), enough for the apiserver to accept and validate the envelope of a ServiceMonitor.
 */
export function installServiceMonitorStandIn(): void {
  const name = SERVICEMONITOR_CRD_STANDIN.metadata.name;
  if (kubectlResult(['get', 'crd', name]).code !== 0) {
    kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], JSON.stringify(SERVICEMONITOR_CRD_STANDIN));
  }
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${name}`]);
}
