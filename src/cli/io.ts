// What a command may touch of the outside world, passed in so every command runs in-process in
// tests: output lines, the environment, standard input and (optionally) how a Secret is read.
import type { Reason } from '../api/contract.js';

export type Env = Record<string, string | undefined>;

export interface Stdin {
  /** True when a human is typing at a terminal: then the token is never read from it. */
  readonly isTTY: boolean;
  readAll(): Promise<string>;
}

/** Reads one key of a Secret and returns its decoded value (throws CliFailure on failure). */
export type SecretFetcher = (namespace: string | undefined, name: string, key: string, env: Env) => Promise<SecretRead>;

export interface SecretRead {
  namespace: string;
  value: string;
}

export interface CliIO {
  /** One line (or block) of the command's result. */
  out(text: string): void;
  /** Diagnostics: errors, hints, warnings. */
  err(text: string): void;
  env: Env;
  stdin: Stdin;
  /** Defaults to the client-node reader (KUBECONFIG or in-cluster config). */
  readSecret?: SecretFetcher;
  /** Told the raw token as soon as it is read, so output can be scrubbed of it. */
  onToken?: (token: string) => void;
}

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** A permanent failure: only a human can fix it (Ready would be False). */
  failed: 1,
  /** Wrong usage: unknown option, missing argument. */
  usage: 2,
  /** A passing failure: Telegram (or the apiserver) unavailable or rate limited; try again (Ready Unknown). */
  transient: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure a command explains and ends with; `message` is shown to the user as is. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Contract reason, where one applies (SecretNotFound, InvalidTokenFormat, …). */
    readonly reason?: Reason,
  ) {
    super(message);
  }
}

/** Writes to io with every occurrence of the token (and its secret half) replaced: a last guard. */
export function scrubbed(io: CliIO, token: () => string | undefined): CliIO {
  const scrub = (text: string): string => {
    const t = token();
    if (!t) return text;
    let out = text.split(t).join('<redacted>');
    const secret = t.slice(t.indexOf(':') + 1);
    if (secret.length >= 16) out = out.split(secret).join('<redacted>');
    return out;
  };
  return { ...io, out: (s) => io.out(scrub(s)), err: (s) => io.err(scrub(s)) };
}

/** `123456789:****`: enough to tell bots apart, nothing that authenticates. */
export function maskToken(token: string): string {
  const m = /^(\d{1,20}):/.exec(token.trim());
  return m ? `${m[1]}:****` : '****';
}
