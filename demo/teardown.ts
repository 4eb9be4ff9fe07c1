// Everything the demo starts registers how to undo it; the tear-down undoes it in reverse order, at the
// end, on a failure or on Ctrl-C. After Ctrl-C nothing new starts, and a second Ctrl-C exits at once.
import type { ChildProcess } from 'node:child_process';
import { bad, ok, red, rel, say, yellow } from './console.js';
import { CLUSTER_DIR } from './settings.js';

type Cleanup = { what: string; run: () => Promise<void> | void };
const cleanups: Cleanup[] = [];
let tearingDown: Promise<void> | undefined;

/** Set when something failed: the control plane's directory is kept for its logs. */
export const failure = { keepClusterDir: false };

/** Registers something to undo; if tear-down already started, undoes it at once. */
export function onTeardown(what: string, run: () => Promise<void> | void): void {
  if (tearingDown)
    void Promise.resolve()
      .then(run)
      .catch(() => undefined);
  else cleanups.push({ what, run });
}

export function teardown(): Promise<void> {
  tearingDown ??= (async () => {
    while (cleanups.length > 0) {
      const c = cleanups.pop()!;
      try {
        await c.run();
        ok(c.what);
      } catch (e) {
        bad(`${c.what}: ${(e as Error).message}`);
      }
    }
  })();
  return tearingDown;
}

export class Interrupted extends Error {}
let interrupted: NodeJS.Signals | undefined;
let keepingUp: (() => void) | undefined;

/** Commands running right now (kubectl, the CLI): a tear-down stops them too. */
export const running = new Set<ChildProcess>();

export function interruptedBy(): NodeJS.Signals | undefined {
  return interrupted;
}

export function checkInterrupted(): void {
  if (interrupted) throw new Interrupted(interrupted);
}

/** Resolves on the first Ctrl-C (or SIGTERM) instead of tearing down: KEEP=1 waits here. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    keepingUp = resolve;
    if (interrupted) resolve();
  });
}

export function handleSignals(): void {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    say(red(`\n${signal} again: exiting without finishing the tear-down (see ${rel(CLUSTER_DIR)}/state.json for pids)`));
    process.exit(130);
  }
  interrupted = signal;
  if (keepingUp) {
    keepingUp();
    return;
  }
  say();
  say(yellow(`${signal}: stopping the demo and tearing everything down…`));
  for (const child of running) child.kill('SIGTERM');
  void teardown().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}
