// How much webhook body may be in this process at once, and how much of it one tenant may hold.
// Bytes are reserved as they are read, never as declared: a request that declares 4 MiB (or sends a
// chunked body) and trickles one byte a second holds one byte, not 4 MiB. Each tenant (the
// channel's namespace: who holds a channel's bearer token) may hold a share of the budget; a read
// that would take a tenant past its share, or the process past the whole budget, is refused with
// 503 + Retry-After and the rest of that body is not kept. So one team's slow or large uploads cost
// that team its own share, and leave the other three quarters to everyone else (with the default
// budget; with WEBHOOK_MAX_CONCURRENT of 1, a share is one maximum-size body: the whole budget).
// Counting bytes, not requests, keeps a storm of small notifications (Alertmanager sends one request
// per alert group, all at once) flowing while a flood of maximum-size bodies is capped at
// WEBHOOK_MAX_CONCURRENT of them (4 x 4 MiB = 16 MiB of bodies by default; about twice that with the
// buffers of reading and forwarding them).

/** WEBHOOK_MAX_BODY_BYTES by default: the largest webhook body read. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** WEBHOOK_MAX_CONCURRENT by default: how many maximum-size bodies may be held at once. */
export const DEFAULT_MAX_CONCURRENT = 4;
/** One tenant may hold this fraction of the budget (or one maximum-size body, if that is more). */
export const TENANT_SHARE_DIVISOR = 4;

/** One request's bytes: taken as its body is read, all given back once it is answered. */
export interface Reservation {
  /** Takes `bytes` more; false (and nothing taken) when the tenant's share or the budget would be exceeded. */
  take(this: void, bytes: number): boolean;
  release(this: void): void;
}

export class RequestBudget {
  private used = 0;
  private readonly byTenant = new Map<string, number>();
  /** The most one tenant may hold at once. */
  readonly tenantShare: number;

  /**
   * `capacity`: the whole budget in bytes; `maxBodyBytes`: the largest single body, which a tenant's
   * share always fits (else a maximum-size notification could never be accepted).
   */
  constructor(
    readonly capacity: number,
    maxBodyBytes = capacity,
  ) {
    this.tenantShare = Math.min(capacity, Math.max(maxBodyBytes, Math.floor(capacity / TENANT_SHARE_DIVISOR)));
  }

  /**
   * A reservation for a request of `tenant`, holding nothing yet; undefined when the tenant or the
   * process has no room left at all (then nothing is worth reading).
   */
  open(tenant: string): Reservation | undefined {
    if (this.used >= this.capacity || (this.byTenant.get(tenant) ?? 0) >= this.tenantShare) return undefined;
    let held = 0;
    let released = false;
    return {
      take: (bytes) => {
        if (released) return false;
        const tenantUse = this.byTenant.get(tenant) ?? 0;
        if (this.used + bytes > this.capacity || tenantUse + bytes > this.tenantShare) return false;
        this.used += bytes;
        this.byTenant.set(tenant, tenantUse + bytes);
        held += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.used -= held;
        const left = (this.byTenant.get(tenant) ?? 0) - held;
        if (left > 0) this.byTenant.set(tenant, left);
        else this.byTenant.delete(tenant);
      },
    };
  }

  get inUse(): number {
    return this.used;
  }

  /** Bytes `tenant` holds now. */
  heldBy(tenant: string): number {
    return this.byTenant.get(tenant) ?? 0;
  }
}
