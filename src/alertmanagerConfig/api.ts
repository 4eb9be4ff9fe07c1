// The API calls behind the generated AlertmanagerConfigs: API discovery (is the Prometheus Operator's CRD
// installed?), get, server-side apply and delete. Errors are client-node's (toKubeError reads them).
import * as k8s from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../api/contract.js';
import { AMC, type AlertmanagerConfigObject } from './desired.js';
import { isNotFound } from '../kube/errors.js';

export interface StoredAlertmanagerConfig {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    ownerReferences?: { uid?: string; controller?: boolean }[];
  };
}

export interface AlertmanagerConfigApi {
  /** True when the API server serves monitoring.coreos.com/v1alpha1 alertmanagerconfigs. Discovery needs no RBAC. */
  served(): Promise<boolean>;
  get(namespace: string, name: string): Promise<StoredAlertmanagerConfig | undefined>;
  /**
   * Server-side apply with the operator's field manager. `force` only for an object already known to be the
   * operator's; `uid` (of that object) makes the API server refuse the write if it has since been replaced.
   */
  apply(obj: AlertmanagerConfigObject, opts: { force: boolean; uid?: string }): Promise<StoredAlertmanagerConfig>;
  /** Deletes the object with this uid (a replaced one is left alone); gone already is fine. */
  delete(namespace: string, name: string, uid: string): Promise<void>;
}

export function alertmanagerConfigApi(custom: k8s.CustomObjectsApi): AlertmanagerConfigApi {
  return {
    served: async () => {
      try {
        const list = await custom.getAPIResources({ group: AMC.group, version: AMC.version });
        return list.resources.some((r) => r.name === AMC.plural);
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    },
    get: async (namespace, name) => {
      try {
        return (await custom.getNamespacedCustomObject({ ...AMC, namespace, name })) as StoredAlertmanagerConfig;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    apply: async (obj, { force, uid }) => {
      const body = uid ? { ...obj, metadata: { ...obj.metadata, uid } } : obj;
      return (await custom.patchNamespacedCustomObject(
        { ...AMC, namespace: obj.metadata.namespace, name: obj.metadata.name, body, fieldManager: FIELD_MANAGER, force },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      )) as StoredAlertmanagerConfig;
    },
    delete: async (namespace, name, uid) => {
      try {
        await custom.deleteNamespacedCustomObject({ ...AMC, namespace, name, body: { preconditions: { uid } } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}
