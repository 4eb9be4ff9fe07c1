import { pino, type Logger } from 'pino';
import { redact, redactDeep } from './telegram/redact.js';

export type { Logger };

/**
 * JSON logs on stdout. Every record passes through redaction, so a token that slipped into an
 * error message or an object still never reaches a log line.
 */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { component: 'telegram-channel-operator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redactDeep(obj),
    },
    serializers: {
      err: (e: unknown) => {
        const err = e as { name?: string; message?: string; code?: unknown };
        return { type: err?.name, message: redact(String(err?.message ?? e)), code: err?.code };
      },
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>);
      },
    },
  });
}
