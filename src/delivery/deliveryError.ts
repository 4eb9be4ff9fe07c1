// The one way a delivery fails. The sender rejects with it and nothing else (success is returned), so
// every layer above reads the same three things: the reason status, Events and metrics carry, whether
// trying again later may work, and what Telegram said (its classified error, redacted). A failure that
// never reached Telegram (not admitted, given up waiting, this replica stopped sending) is Telegram
// "Unavailable": transient, as it is for the caller.
import type { DeliveryReason } from '../api/contract.js';
import { TelegramError } from '../telegram/errors.js';
import { deliveryReason } from './reasons.js';

export class DeliveryError extends Error {
  override readonly name: string = 'DeliveryError';
  readonly reason: DeliveryReason;
  /** Worth trying again later (a 429, a timeout, a 5xx); otherwise the message cannot go as it is. */
  readonly transient: boolean;
  /** What Telegram said: the classified error of the Bot API call (or the Unavailable that stands for none). */
  readonly telegram: TelegramError;

  constructor(telegram: TelegramError) {
    // The TelegramError as the cause: the log's error serializer shows both.
    super(telegram.message, { cause: telegram });
    this.telegram = telegram;
    this.reason = deliveryReason(telegram);
    this.transient = telegram.transient;
  }

  /** `e` as a DeliveryError: itself, a TelegramError wrapped, anything else as Telegram being unavailable for `method`. */
  static of(e: unknown, method: string): DeliveryError {
    if (e instanceof DeliveryError) return e;
    return new DeliveryError(
      e instanceof TelegramError ? e : new TelegramError({ kind: 'Unavailable', message: `${method} failed`, method }),
    );
  }
}
