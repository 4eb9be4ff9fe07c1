// The commands the demo shows (kubectl, the CLI) run as child processes the tear-down can stop, and
// the demo's view of its channels.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cond, type Channel } from '../test/harness/channels.js';
import { REPO_ROOT } from '../test/harness/controlPlane.js';
import { NS } from './settings.js';
import { Interrupted, interruptedBy, running } from './teardown.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  // After Ctrl-C nothing new starts: the tear-down may already have stopped what it would talk to.
  const interrupted = interruptedBy();
  if (interrupted) return Promise.reject(new Interrupted(interrupted));
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { cwd: REPO_ROOT, env: opts.env ?? process.env, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        running.delete(child);
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        if (err && code === -1) reject(err instanceof Error ? err : new Error('the command failed', { cause: err }));
        else resolve({ code, stdout, stderr });
      },
    );
    running.add(child);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** The demo control plane's kubeconfig, known once the first act has started it. */
export const cluster = { kubeconfig: '' };

/** kubectl against the demo's control plane; `input` goes to its stdin (`-f -`). */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await run('kubectl', ['--kubeconfig', cluster.kubeconfig, ...args], { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

export type { Channel };
export const readyOf = (ch: Channel) => cond(ch, 'Ready');

export async function getChannels(): Promise<Channel[]> {
  return (JSON.parse(await kubectl(['get', 'tgc', '-n', NS, '-o', 'json'])) as { items: Channel[] }).items;
}

/** The last lines of a log, for an error message. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
