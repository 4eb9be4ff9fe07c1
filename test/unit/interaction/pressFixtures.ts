// What the press handler's tests stand on: a bot whose every presser is a chat administrator, and the
// channel whose Alertmanager they silence in (episodes: test/harness/memoryEpisodeStore.ts).
import type { TelegramChannel } from '../../../src/api/types.js';
import { PressAuthorizer } from '../../../src/interaction/authorize.js';
import type { PressBot } from '../../../src/interaction/pressHandler.js';

/** A bot whose chats answer `administrator` for every user, on the clock `now`. */
export function adminBot(now: number): PressBot {
  return {
    token: '1:x',
    key: 'bot-key',
    authorizer: new PressAuthorizer(
      async () => ({ status: 'administrator' }),
      () => now,
    ),
  };
}

/**
 * The channel the presses land in: chat -1001, silences in the Alertmanager at am:9093; its bot is the
 * Secret `bot` unless `botRef` names a ClusterTelegramBot.
 */
export function silencingChannel(
  metadata: TelegramChannel['metadata'],
  opts: { botRef?: string; allowed?: 'Administrators' | 'Members' } = {},
): TelegramChannel {
  return {
    metadata,
    spec: {
      ...(opts.botRef !== undefined ? { botRef: { name: opts.botRef } } : { tokenSecretRef: { name: 'bot' } }),
      chatId: '-1001',
      alertmanager: {
        tokenSecretRef: { name: 'am' },
        silence: { url: 'http://am:9093', ...(opts.allowed !== undefined ? { allowed: opts.allowed } : {}) },
      },
    },
  };
}
