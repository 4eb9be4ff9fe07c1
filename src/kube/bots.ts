// Reads and writes of ClusterTelegramBots (cluster-scoped): the list behind the watch, and status as
// one merge patch on /status with the operator's field manager.
import * as k8s from '@kubernetes/client-node';
import { BOT_PLURAL, FIELD_MANAGER, GROUP, VERSION } from '../api/contract.js';
import type { BotStatus, ClusterTelegramBot } from '../api/types.js';
import type { ListResult } from './objects.js';
import { LIST_PAGE_SIZE } from './channels.js';

export const BOT_WATCH_PATH = `/apis/${GROUP}/${VERSION}/${BOT_PLURAL}`;

/** Lists in pages, each shaped by `keep` as it arrives (see listChannels). */
export async function listBots(custom: k8s.CustomObjectsApi, keep: (raw: unknown) => unknown): Promise<ListResult<unknown>> {
  const items: unknown[] = [];
  let resourceVersion: string;
  let token: string | undefined;
  do {
    const page = (await custom.listClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: BOT_PLURAL,
      limit: LIST_PAGE_SIZE,
      _continue: token,
    })) as { items: unknown[]; metadata: { resourceVersion: string; continue?: string } };
    for (const item of page.items) items.push(keep(item));
    resourceVersion = page.metadata.resourceVersion;
    token = page.metadata.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}

export async function patchBotStatus(
  custom: k8s.CustomObjectsApi,
  bot: ClusterTelegramBot,
  patch: Partial<Record<keyof BotStatus, unknown>>,
): Promise<ClusterTelegramBot> {
  return (await custom.patchClusterCustomObjectStatus(
    { group: GROUP, version: VERSION, plural: BOT_PLURAL, name: bot.metadata.name, body: { status: patch }, fieldManager: FIELD_MANAGER },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as ClusterTelegramBot;
}
