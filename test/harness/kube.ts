// Helpers for integration tests: clients for the control plane that global setup started, and a
// fresh namespace per test file so files never see each other's objects.
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';

export function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const file = process.env.KUBECONFIG;
  if (!file) throw new Error('KUBECONFIG is not set: integration tests run under jest global setup');
  kc.loadFromFile(file);
  return kc;
}

export function clients(kc = kubeConfig()) {
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    ext: kc.makeApiClient(k8s.ApiextensionsV1Api),
    rbac: kc.makeApiClient(k8s.RbacAuthorizationV1Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
}

export async function createNamespace(prefix: string, kc = kubeConfig()): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/** Polls `fn` until it returns a truthy value; the last error or value is in the failure message. */
export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/** The HTTP status of a failed client-node call (ApiException.code). */
export function statusOf(e: unknown): number | undefined {
  return (e as { code?: number }).code;
}
