// What deliver(channel, message) answers: every shape a delivery can end in, for annotation messages
// and webhook notifications alike. The webhook maps it to an HTTP answer (http/webhook.ts, `answer`);
// the in-flight notifications settle their waiters with the same members.
import type { DeliveryError } from './deliveryError.js';

export type DeliveryOutcome =
  /** Every part was accepted while the caller waited (it started the delivery, or joined one under way). */
  | { kind: 'delivered'; messageIds: number[]; joined: boolean }
  /** A retry of a notification delivered while nobody was waiting: nothing sent again. */
  | { kind: 'deliveredEarlier' }
  /** The caller stopped waiting first; the delivery may still be under way (a retry joins it). */
  | { kind: 'notYet' }
  /** The channel is not Ready for its current generation; `permanent`: it needs a human, not a retry soon. */
  | { kind: 'notReady'; why: string; permanent: boolean }
  /** The channel's Secrets cannot be read right now (the API server is busy); `detail` is for the log only. */
  | { kind: 'secretsUnavailable'; detail: string }
  /** Telegram refused it, or it was not accepted in time (`error.transient`). */
  | { kind: 'failed'; error: DeliveryError }
  /** This replica stopped sending (it lost the Lease): nothing recorded, the next leader sends it. */
  | { kind: 'stopped' };
