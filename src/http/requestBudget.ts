// How much webhook body may be in this process at once. An authenticated request reserves its
// declared size (the whole per-request maximum when it does not declare one) before its body is read,
// and keeps it until it is answered; beyond the budget it is refused with 503 + Retry-After without reading anything.
// Counting bytes, not requests, keeps a storm of small notifications (Alertmanager sends one request
// per alert group, all at once) flowing while a flood of maximum-size bodies is capped at
// WEBHOOK_MAX_CONCURRENT of them (4 x 4 MiB = 16 MiB of bodies by default; about twice that with the
// buffers of reading and forwarding them).

/** WEBHOOK_MAX_BODY_BYTES by default: the largest webhook body read. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** WEBHOOK_MAX_CONCURRENT by default: how many maximum-size bodies may be held at once. */
export const DEFAULT_MAX_CONCURRENT = 4;

export class RequestBudget {
  private used = 0;

  constructor(private readonly capacity: number) {}

  /** A release function, or undefined when the budget is spent. */
  tryTake(bytes: number): (() => void) | undefined {
    const cost = Math.max(1, Math.min(bytes, this.capacity));
    if (this.used + cost > this.capacity) return undefined;
    this.used += cost;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= cost;
    };
  }

  get inUse(): number {
    return this.used;
  }
}
