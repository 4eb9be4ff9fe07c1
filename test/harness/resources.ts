// The operator's resources as client-node's custom-object calls name them, from the names the
// operator itself uses (src/api/contract.ts), so a test, a benchmark or the demo never spells them again.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { API_VERSION, BOT_KIND, BOT_PLURAL, GROUP, KIND, PLURAL, VERSION } from '../../src/api/contract.js';

/** TelegramChannels: spread into createNamespacedCustomObject and friends. */
export const CHANNELS = { group: GROUP, version: VERSION, plural: PLURAL } as const;
/** ClusterTelegramBots (cluster-scoped). */
export const BOTS = { group: GROUP, version: VERSION, plural: BOT_PLURAL } as const;

/** The CRDs' names, as `kubectl wait crd/<name>` takes them. */
export const CHANNEL_CRD = `${PLURAL}.${GROUP}`;
export const BOT_CRD = `${BOT_PLURAL}.${GROUP}`;

export const CHANNEL_TYPE = { apiVersion: API_VERSION, kind: KIND } as const;
export const BOT_TYPE = { apiVersion: API_VERSION, kind: BOT_KIND } as const;

/** Creates a ClusterTelegramBot; the caller deletes it (it outlives any namespace). */
export async function createClusterBot(custom: CustomObjectsApi, name: string, spec: Record<string, unknown>): Promise<void> {
  await custom.createClusterCustomObject({ ...BOTS, body: { ...BOT_TYPE, metadata: { name }, spec } });
}
