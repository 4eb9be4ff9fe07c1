// The ConfigMap calls of the episode store (src/lifecycle/store.ts), in the operator's own namespace.
// Writes are JSON merge patches that carry the resourceVersion they were computed from, so two
// writers never overwrite each other's episodes: the API server answers 409 and the store retries.
import * as k8s from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../api/contract.js';
import { isNotFound } from './errors.js';
import { withSignal } from './leaseClient.js';
import { OUTBOUND } from '../net/outbound.js';

export interface StoredConfigMap {
  name: string;
  resourceVersion: string;
  labels: Record<string, string>;
  data: Record<string, string>;
}

export interface EpisodeConfigMaps {
  get(name: string): Promise<StoredConfigMap | undefined>;
  create(name: string, labels: Record<string, string>, data: Record<string, string>): Promise<StoredConfigMap>;
  /** `data` values of null remove keys. Rejects with a 409 when resourceVersion is not the current one. */
  patch(name: string, resourceVersion: string, data: Record<string, string | null>): Promise<StoredConfigMap>;
  list(labelSelector: string): Promise<StoredConfigMap[]>;
  delete(name: string): Promise<void>;
}

function toStored(cm: k8s.V1ConfigMap): StoredConfigMap {
  return {
    name: cm.metadata?.name ?? '',
    resourceVersion: cm.metadata?.resourceVersion ?? '',
    labels: cm.metadata?.labels ?? {},
    data: cm.data ?? {},
  };
}

/**
 * Each call gives up after this long: a press waits on these calls and Telegram drops its answer after
 * 15 s, and a hung API server must not hold a bot's updates loop (client-node sets no timeout of its own).
 */
export const EPISODE_CALL_TIMEOUT_MS = OUTBOUND.episodeConfigMaps.deadlineMs;

export function episodeConfigMaps(core: k8s.CoreV1Api, namespace: string, timeoutMs = EPISODE_CALL_TIMEOUT_MS): EpisodeConfigMaps {
  const deadline = () => withSignal(AbortSignal.timeout(timeoutMs));
  return {
    async get(name) {
      try {
        return toStored(await core.readNamespacedConfigMap({ namespace, name }, deadline()));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async create(name, labels, data) {
      const body: k8s.V1ConfigMap = { metadata: { name, namespace, labels }, data };
      return toStored(await core.createNamespacedConfigMap({ namespace, body, fieldManager: FIELD_MANAGER }, deadline()));
    },
    async patch(name, resourceVersion, data) {
      const body = { metadata: { resourceVersion }, data };
      return toStored(
        await core.patchNamespacedConfigMap(
          { namespace, name, body, fieldManager: FIELD_MANAGER },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, deadline()),
        ),
      );
    },
    async list(labelSelector) {
      return (await core.listNamespacedConfigMap({ namespace, labelSelector }, deadline())).items.map(toStored);
    },
    async delete(name) {
      try {
        await core.deleteNamespacedConfigMap({ namespace, name }, deadline());
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}
