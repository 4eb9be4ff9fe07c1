// Alertmanager notifications that reached Telegram after Alertmanager had stopped waiting for the
// answer. A message already on its way to Telegram cannot be called back, so when Alertmanager's own
// deadline cuts a request in that moment it records a failure and sends the same notification again
// at its next flush; without this memory the chat would get it twice. Only such deliveries are
// remembered, and only until their retry comes, so Alertmanager's deliberate repeats
// (repeat_interval) after an answered delivery are never swallowed.
import { createHash } from 'node:crypto';
import type { AlertmanagerPayload } from '../delivery/format/alertmanager.js';

/** Long enough for a retry at the next flush (Alertmanager's default group_interval is 5 minutes). */
const REMEMBER_MS = 15 * 60_000;
const MAX_ENTRIES = 10_000;

/** What makes two notifications the same message: the group, and each alert's identity and state. */
export function notificationIdentity(channelKey: string, payload: AlertmanagerPayload): string {
  const alerts = payload.alerts.map((a) => [a.fingerprint || JSON.stringify(Object.entries(a.labels).sort()), a.status, a.startsAt, a.endsAt]);
  return createHash('sha256').update(JSON.stringify([channelKey, payload.groupKey, payload.status, payload.truncatedAlerts, alerts])).digest('hex');
}

export class UnacknowledgedDeliveries {
  private readonly entries = new Map<string, number>(); // identity → expires at (ms)

  constructor(private readonly now: () => number = Date.now) {}

  remember(identity: string): void {
    this.prune();
    this.entries.delete(identity); // re-inserted at the end, keeping insertion order = expiry order
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(identity, this.now() + REMEMBER_MS);
  }

  /** True once for a notification delivered while nobody was waiting: this request is its retry. */
  takeRetry(identity: string): boolean {
    const expires = this.entries.get(identity);
    if (expires === undefined) return false;
    this.entries.delete(identity);
    return expires > this.now();
  }

  private prune(): void {
    const now = this.now();
    // Insertion order is expiry order (a constant lifetime), so expired entries are at the front.
    for (const [id, expires] of this.entries) {
      if (expires > now) break;
      this.entries.delete(id);
    }
  }
}
