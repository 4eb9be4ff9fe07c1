// Reads and writes of TelegramChannels: the list behind the watch, and status as one merge patch
// on /status with the operator's field manager.
import * as k8s from '@kubernetes/client-node';
import { FIELD_MANAGER, GROUP, PLURAL, VERSION } from '../api/contract.js';
import type { ChannelStatus, TelegramChannel } from '../api/types.js';
import type { ListResult } from './objects.js';

export function channelWatchPath(namespace?: string): string {
  return namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
}

/**
 * Lists in pages, so 10,000 channels never arrive as one 50 MB response held in memory at once; each
 * page is shaped by `keep` as it arrives (the watch cache's shape), so what the list holds until its
 * last page is what the cache will hold, not every channel's managedFields as well.
 */
export async function listChannels(
  custom: k8s.CustomObjectsApi,
  namespace: string | undefined,
  keep: (raw: unknown) => unknown,
): Promise<ListResult<unknown>> {
  const items: unknown[] = [];
  let resourceVersion: string;
  let token: string | undefined;
  do {
    const page = (
      namespace
        ? await custom.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace,
            plural: PLURAL,
            limit: LIST_PAGE_SIZE,
            _continue: token,
          })
        : await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, limit: LIST_PAGE_SIZE, _continue: token })
    ) as {
      items: unknown[];
      metadata: { resourceVersion: string; continue?: string };
    };
    for (const item of page.items) items.push(keep(item));
    resourceVersion = page.metadata.resourceVersion;
    token = page.metadata.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}

export const LIST_PAGE_SIZE = 500;

/**
 * One merge patch on /status. A patch that changes the delivery counters carries the resourceVersion the
 * counters were computed from: they are absolute numbers (read, add, write), so a write based on a stale
 * read would undo someone else's increment. The API server answers 409 instead, and the caller folds
 * its outcomes again into the fresh object.
 */
export async function patchChannelStatus(
  custom: k8s.CustomObjectsApi,
  ch: TelegramChannel,
  patch: Partial<Record<keyof ChannelStatus, unknown>>,
): Promise<TelegramChannel> {
  const delivery = patch.delivery as Record<string, unknown> | null | undefined;
  const countersChange = delivery === null || (delivery !== undefined && ('sent' in delivery || 'failed' in delivery));
  const precondition = countersChange && ch.metadata.resourceVersion ? { metadata: { resourceVersion: ch.metadata.resourceVersion } } : {};
  return (await custom.patchNamespacedCustomObjectStatus(
    {
      group: GROUP,
      version: VERSION,
      namespace: ch.metadata.namespace,
      plural: PLURAL,
      name: ch.metadata.name,
      body: { ...precondition, status: patch },
      fieldManager: FIELD_MANAGER,
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as TelegramChannel;
}
