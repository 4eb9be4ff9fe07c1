// An in-memory CliIO for running the CLI in-process: captured stdout/stderr, a given env and stdin.
import type { CliIO, Env, SecretFetcher } from '../../../src/cli/io.js';

export interface FakeIo extends CliIO {
  stdout: string[];
  stderr: string[];
  /** Everything written, both streams. */
  all(): string;
  outText(): string;
  errText(): string;
}

export function fakeIo(opts: { env?: Env; stdin?: string; tty?: boolean; readSecret?: SecretFetcher } = {}): FakeIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: opts.env ?? {},
    stdin: { isTTY: opts.tty ?? opts.stdin === undefined, readAll: async () => opts.stdin ?? '' },
    ...(opts.readSecret ? { readSecret: opts.readSecret } : {}),
    all: () => [...stdout, ...stderr].join('\n'),
    outText: () => stdout.join('\n'),
    errText: () => stderr.join('\n'),
  };
}
