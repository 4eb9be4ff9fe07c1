// spec.template.configMapRef: the templates a team keeps in a ConfigMap of its namespace, read with a
// live GET at each reconcile that checks them, so an edited ConfigMap is seen without a watch on every
// ConfigMap of the cluster. Only the `data` and labels of the one ConfigMap named are kept.
import type * as k8s from '@kubernetes/client-node';
import { toKubeError } from './errors.js';

export type TemplateConfigMap =
  | { found: true; data: Record<string, string>; labels: Record<string, string> }
  /** Not there, or the operator may not read it: `message` says which, for the condition. */
  | { found: false; message: string };

export type TemplateConfigMapReader = (namespace: string, name: string) => Promise<TemplateConfigMap>;

/** A failure other than 404/403 (the API server busy or unreachable) rejects: the caller keeps its last verdict. */
export function templateConfigMapReader(core: Pick<k8s.CoreV1Api, 'readNamespacedConfigMap'>): TemplateConfigMapReader {
  return async (namespace, name) => {
    try {
      const cm = await core.readNamespacedConfigMap({ namespace, name });
      return { found: true, data: cm.data ?? {}, labels: cm.metadata?.labels ?? {} };
    } catch (e) {
      const err = toKubeError(e);
      if (err.code === 404) return { found: false, message: `ConfigMap ${namespace}/${name} not found` };
      if (err.code === 403) {
        return {
          found: false,
          message: `ConfigMap ${namespace}/${name} cannot be read by the operator (forbidden): it needs "get" on configmaps in ${namespace}`,
        };
      }
      throw new Error(`reading ConfigMap ${namespace}/${name}: ${err.message}`, { cause: e });
    }
  };
}
