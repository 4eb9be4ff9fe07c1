// How often one user may press the buttons of one bot: PRESS_LIMIT presses per PRESS_WINDOW_MS. A
// press is cheap to make and not to handle (a getChatMember, an Alertmanager call, a ConfigMap write),
// and presses are answered outside the bot's send bucket, so this is what keeps one presser from
// taking a bot's time from everyone else. Beyond it a press is answered "too many presses" and
// nothing else is done. Memory is bounded: at most MAX_TRACKED pressers, the stalest forgotten first.

export const PRESS_LIMIT = 5;
export const PRESS_WINDOW_MS = 10_000;
const MAX_TRACKED = 10_000;

export class PressLimiter {
  /** `${bot}:${user}` → when the presses of the current window began and how many there were. Insertion order is recency. */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limit = PRESS_LIMIT,
    private readonly windowMs = PRESS_WINDOW_MS,
  ) {}

  /** True when this press may be handled; counts it either way. */
  take(botKey: string, userId: number): boolean {
    const key = `${botKey}:${userId}`;
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) w = { start: now, count: 0 };
    w.count++;
    this.windows.delete(key);
    this.windows.set(key, w);
    if (this.windows.size > MAX_TRACKED) this.windows.delete(this.windows.keys().next().value!);
    return w.count <= this.limit;
  }

  /** For tests: how many pressers are tracked. */
  get tracked(): number {
    return this.windows.size;
  }
}
