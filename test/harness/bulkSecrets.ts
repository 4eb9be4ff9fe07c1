// Many large Secrets in one namespace, as a busy cluster holds them (Helm releases, CA bundles): for
// the tests that show the operator's memory does not grow with Secrets it never reads.
import type * as k8s from '@kubernetes/client-node';
import { clients } from './kube.js';

/** Secrets created at once: enough to be quick, few enough that ~1 MB bodies do not pile up in the API server. */
const AT_ONCE = 8;

/** Creates `count` Secrets in `namespace`, the i-th as `secret(i)` gives it. */
export async function createSecrets(namespace: string, count: number, secret: (i: number) => k8s.V1Secret): Promise<void> {
  const { core } = clients();
  for (let i = 0; i < count; i += AT_ONCE) {
    await Promise.all(
      Array.from({ length: Math.min(AT_ONCE, count - i) }, (_, j) => core.createNamespacedSecret({ namespace, body: secret(i + j) })),
    );
  }
}
