// In-flight webhook notifications: one entry per notification, from the moment it is handed to
// the sender until it is answered. Alertmanager retries a notification it got no 2xx for (its own
// deadline, a 503, a follower that gave up waiting); such a retry JOINS the delivery already under
// way instead of queueing the whole notification again, so a long notification whose parts take
// longer than any deadline still reaches the chat once. Lifecycle of an entry:
//   sending   the sender holds the message (queued, or some parts already out). Requests wait for it,
//             each until its own deadline; when the last one stops waiting, the message is abandoned
//             (the sender drops it only if no part has gone out yet — a part on its way is finished).
//   delivered every part was accepted while nobody waited: kept for REMEMBER_MS so the retry that is
//             bound to come is answered 2xx without sending again, then forgotten.
// A notification answered 2xx is forgotten at once, so Alertmanager's deliberate repeats
// (repeat_interval) always go out. A failed one is forgotten too: its retry starts afresh.
// The memory lives in the leader's process and starts empty after a leader change.
import { createHash } from 'node:crypto';
import type { Notification } from '../sources/notification.js';
import { DeliveryError } from './deliveryError.js';
import type { DeliveryOutcome } from './outcome.js';
import type { Delivery } from './sender.js';

/** Long enough for a retry at the next flush (Alertmanager's default group_interval is 5 minutes). */
export const REMEMBER_MS = 15 * 60_000;
const MAX_REMEMBERED = 10_000;

/**
 * What makes two notifications the same message: the channel, the source, and what the source says
 * identifies a notification (Alertmanager: the group, and each alert's identity, state and content).
 */
export function notificationIdentity(channelKey: string, n: Pick<Notification, 'source' | 'identity'>): string {
  return createHash('sha256')
    .update(JSON.stringify([channelKey, n.source, n.identity]))
    .digest('hex');
}

/**
 * How a notification ended for one request: delivered (it started the delivery, or joined it),
 * delivered earlier while nobody waited, not yet (this request stopped waiting first), or failed
 * (nothing is remembered). The members of DeliveryOutcome of the same names.
 */
export type NotificationOutcome = Extract<DeliveryOutcome, { kind: 'delivered' | 'deliveredEarlier' | 'notYet' | 'failed' }>;

type Waiter = (o: NotificationOutcome) => void;
interface Sending {
  waiters: Set<Waiter>;
  abandon: AbortController;
}

export class InFlightNotifications {
  private readonly sending = new Map<string, Sending>();
  /** identity → expires at (ms); insertion order is expiry order (a constant lifetime). */
  private readonly delivered = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Delivers the notification `identity` with `start` — or joins the delivery of it already under
   * way — and waits for it until `wait` aborts. `start` receives the signal that abandons the message
   * once nobody waits for it any more.
   */
  deliver(identity: string, start: (abandon: AbortSignal) => Promise<Delivery>, wait: AbortSignal): Promise<NotificationOutcome> {
    this.prune();
    const expires = this.delivered.get(identity);
    if (expires !== undefined) {
      this.delivered.delete(identity);
      return Promise.resolve({ kind: 'deliveredEarlier' });
    }
    let entry = this.sending.get(identity);
    const joined = entry !== undefined;
    if (!entry) {
      entry = { waiters: new Set(), abandon: new AbortController() };
      this.sending.set(identity, entry);
      this.track(identity, entry, start(entry.abandon.signal));
    }
    return this.waitFor(entry, wait, joined);
  }

  /** Notifications being sent, and delivered ones remembered for their retry. */
  get size(): { sending: number; remembered: number } {
    return { sending: this.sending.size, remembered: this.delivered.size };
  }

  private waitFor(entry: Sending, wait: AbortSignal, joined: boolean): Promise<NotificationOutcome> {
    return new Promise((resolve) => {
      const waiter: Waiter = (o) => resolve(o.kind === 'delivered' ? { ...o, joined } : o);
      const stop = () => {
        if (!entry.waiters.delete(waiter)) return;
        resolve({ kind: 'notYet' });
        if (entry.waiters.size === 0) entry.abandon.abort();
      };
      entry.waiters.add(waiter);
      if (wait.aborted) stop();
      else wait.addEventListener('abort', stop, { once: true });
    });
  }

  private track(identity: string, entry: Sending, sent: Promise<Delivery>): void {
    const settle = (outcome: NotificationOutcome) => {
      this.sending.delete(identity);
      const waiters = [...entry.waiters];
      entry.waiters.clear();
      for (const w of waiters) w(outcome);
      return waiters.length > 0;
    };
    sent.then(
      (delivery) => {
        const answered = settle({ kind: 'delivered', messageIds: delivery.messageIds, joined: false });
        if (!answered) this.remember(identity);
      },
      (error: unknown) => void settle({ kind: 'failed', error: DeliveryError.of(error, 'send') }),
    );
  }

  private remember(identity: string): void {
    if (this.delivered.size >= MAX_REMEMBERED) this.delivered.delete(this.delivered.keys().next().value!);
    this.delivered.set(identity, this.now() + REMEMBER_MS);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, expires] of this.delivered) {
      if (expires > now) break;
      this.delivered.delete(id);
    }
  }
}
