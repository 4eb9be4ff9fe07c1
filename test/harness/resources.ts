// The operator's resources as client-node's custom-object calls name them, from the names the
// operator itself uses (src/api/contract.ts), so a test, a benchmark or the demo never spells them again.
import { API_VERSION, BOT_KIND, BOT_PLURAL, GROUP, KIND, PLURAL, VERSION } from '../../src/api/contract.js';

/** TelegramChannels: spread into createNamespacedCustomObject and friends. */
export const CHANNELS = { group: GROUP, version: VERSION, plural: PLURAL } as const;
/** ClusterTelegramBots (cluster-scoped). */
export const BOTS = { group: GROUP, version: VERSION, plural: BOT_PLURAL } as const;

export const CHANNEL_TYPE = { apiVersion: API_VERSION, kind: KIND } as const;
export const BOT_TYPE = { apiVersion: API_VERSION, kind: BOT_KIND } as const;
