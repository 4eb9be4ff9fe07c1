// Admissions of annotation messages: per bot, how many may be accepted by Telegram but not yet
// recorded in status (a crash in between resends them, so this bounds the duplicates a crash can make).
import { Semaphore } from 'async-mutex';
import type { Admission } from './outgoing.js';

/**
 * One message's permit. It is the only code that gives the permit back: the sender reports (`notSent`:
 * nothing reached Telegram, so the permit may serve another message until the retry), the service says
 * `done` once the outcome is in status; whichever comes, the permit is given back once.
 */
export class Permit implements Admission {
  private release: (() => void) | undefined;
  private finished = false;

  constructor(private readonly gate: Semaphore) {}

  get held(): boolean {
    return this.release !== undefined;
  }

  async acquire(): Promise<void> {
    if (this.release || this.finished) return;
    const [, release] = await this.gate.acquire();
    this.release = release;
    if (this.finished) this.giveBack(); // done while it waited: nothing will use it
  }

  notSent(): void {
    this.giveBack();
  }

  /** The message is settled and its outcome recorded (or given up on): the permit goes back for good. */
  done(): void {
    this.finished = true;
    this.giveBack();
  }

  private giveBack(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}

/** Per bot, a gate of `size` permits. */
export class Admissions {
  private readonly gates = new Map<string, Semaphore>();

  constructor(private readonly size: number) {}

  permit(bot: string): Permit {
    let gate = this.gates.get(bot);
    if (!gate) this.gates.set(bot, (gate = new Semaphore(this.size)));
    return new Permit(gate);
  }
}
