import { pino, type Logger } from 'pino';
import { redact } from './redact.js';

export type { Logger };

/** How deep a `cause` chain (or AggregateError's errors) is followed, and how many errors per level. */
const MAX_CAUSE_DEPTH = 5;
const MAX_AGGREGATED = 10;

/** An error as a log record shows it: redacted, with the reason behind it (`cause`) kept. */
export interface SerializedError {
  type: string;
  message: string;
  code?: string | number;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  cause?: SerializedError | string;
  errors?: (SerializedError | string)[];
}

/**
 * The one error serializer. Only fields that say what went wrong are copied (never `config`,
 * `request`, `headers` or `url`, where axios and fetch keep the bot token); every string is redacted.
 * "fetch failed" alone says nothing: the `cause` (ECONNREFUSED, a TLS or DNS error) is the reason.
 */
export function serializeError(e: unknown, depth = 0, seen: Set<unknown> = new Set()): SerializedError | string {
  if (!isErrorLike(e)) return redact(describe(e));
  if (seen.has(e)) return '[circular]';
  seen.add(e);
  const err = e as Error & Record<string, unknown>;
  const type = typeof err.name === 'string' ? redact(err.name) : (err.constructor?.name ?? 'Error');
  const out: SerializedError = { type, message: redact(describe(err.message)) };
  if (typeof err.code === 'string' || typeof err.code === 'number') out.code = typeof err.code === 'string' ? redact(err.code) : err.code;
  if (typeof err.errno === 'number') out.errno = err.errno;
  if (typeof err.syscall === 'string') out.syscall = err.syscall;
  if (typeof err.address === 'string') out.address = redact(err.address);
  if (typeof err.port === 'number') out.port = err.port;
  if (typeof err.hostname === 'string') out.hostname = redact(err.hostname);
  if (err.cause !== undefined) out.cause = depth < MAX_CAUSE_DEPTH ? serializeError(err.cause, depth + 1, seen) : '[more causes]';
  if (Array.isArray(err.errors) && depth < MAX_CAUSE_DEPTH) {
    out.errors = err.errors.slice(0, MAX_AGGREGATED).map((x: unknown) => serializeError(x, depth + 1, seen));
  }
  return out;
}

function isErrorLike(e: unknown): boolean {
  return e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e && ('stack' in e || 'name' in e));
}

/** Text for anything that may stand where a message is expected (a string, an object, a symbol…). */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // circular or BigInt: fall through
  }
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return value.toString();
  return '[an object that cannot be shown as JSON]';
}

/** Errors anywhere in a record become serialized errors; every other string is redacted. */
export function loggable(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return redact(describe(value));
  if (Array.isArray(value)) return value.map((v) => loggable(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // `err`/`error` holding an error-like object that is not an Error instance still gets the serializer.
    out[k] = (k === 'err' || k === 'error') && isErrorLike(v) ? serializeError(v) : loggable(v, depth + 1);
  }
  return out;
}

/**
 * JSON logs on stdout. Every record passes through redaction, so a token that slipped into an
 * error message or an object still never reaches a log line. `destination` is for tests.
 */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { component: 'telegram-channel-operator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      // loggable() redacts every string as it walks the record, and serializes errors on the way.
      log: (obj) => loggable(obj) as Record<string, unknown>,
    },
    // Errors are serialized before pino sees them (logMethod), so pino's own err serializer, which
    // would run after the deep redaction above and see a plain object, never has to.
    serializers: { err: (e: unknown) => e },
    hooks: {
      logMethod(args, method) {
        method.apply(this, normalizeArgs(args) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * log.error(err), log.error({ err }), log.info({ ... }, 'text %s', value): errors become serialized
 * errors, every string is redacted, and a record without a message takes its error's (redacted) message.
 */
function normalizeArgs(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  let obj: unknown = first;
  if (first instanceof Error) obj = { err: first };
  const tail = rest.map((a) => loggable(a));
  if (typeof obj !== 'object' || obj === null) return [loggable(obj), ...tail];
  const record = loggable(obj) as Record<string, unknown>;
  if (tail.length === 0 && record.msg === undefined) {
    const err = (record.err ?? record.error) as { message?: unknown } | undefined;
    if (err && typeof err === 'object' && typeof err.message === 'string') return [record, err.message];
  }
  return [record, ...tail];
}
