// One work queue for both kinds. A channel's key is "namespace/name" (as always); a ClusterTelegramBot's
// is "ClusterTelegramBot:name". Neither a namespace nor a bot name (DNS-1123) can contain ":", so the
// two never collide, and a log line says which kind a key is.
import { BOT_KIND } from '../api/contract.js';
import type { Reconciler } from './manager.js';

const BOT_PREFIX = `${BOT_KIND}:`;

export function botKey(name: string): string {
  return BOT_PREFIX + name;
}

/** The bot's name if `key` is a bot's, else undefined (a channel's key). */
export function botNameOf(key: string): string | undefined {
  return key.startsWith(BOT_PREFIX) ? key.slice(BOT_PREFIX.length) : undefined;
}

/** Sends each key to the reconciler of its kind (what the manager is started with). */
export function byKind(reconcilers: { channels: Reconciler; bots: Reconciler }): Reconciler {
  const pick = (key: string) => (botNameOf(key) !== undefined ? reconcilers.bots : reconcilers.channels);
  return {
    reconcile: (key) => pick(key).reconcile(key),
    forget: (key) => pick(key).forget(key),
  };
}
