// What a Telegram failure means for a delivery: the reason status, Events and metrics carry, and
// whether it says something about the chat itself (so the channel's verification is stale).
import type { DeliveryReason } from '../api/contract.js';
import type { TelegramError } from '../telegram/errors.js';

export function deliveryReason(err: TelegramError | undefined): DeliveryReason {
  switch (err?.kind) {
    case 'ChatMigrated':
    case 'ChatNotFound':
    case 'BotKicked':
    case 'BotNotMember':
    case 'CannotPost':
    case 'ThreadNotFound':
    case 'Unauthorized':
    case 'RateLimited':
      return err.kind;
    case 'InvalidMarkup':
      return 'InvalidMarkup';
    case 'Unavailable':
      return 'TelegramUnavailable';
    default:
      return 'Rejected';
  }
}

const CHAT_LEVEL: ReadonlySet<DeliveryReason> = new Set<DeliveryReason>([
  'ChatMigrated',
  'ChatNotFound',
  'BotKicked',
  'BotNotMember',
  'CannotPost',
  'ThreadNotFound',
  'Unauthorized',
]);

/** A refusal about the chat itself (kicked, migrated…): the last verification is stale. */
export function isAboutTheChat(reason: DeliveryReason): boolean {
  return CHAT_LEVEL.has(reason);
}
