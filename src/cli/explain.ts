// Telegram failures in plain words for a person at a terminal, with what to do next.
import { DEFAULT_TELEGRAM_API_URL } from '../api/contract.js';
import { TelegramError } from '../telegram/errors.js';
import { CliFailure, EXIT, maskToken, type Env } from './io.js';

/** A failure of getMe (or any call) that is about the token or the connection, never the chat. */
export function explainTokenFailure(e: unknown, token: string, env: Env): CliFailure {
  const err =
    e instanceof TelegramError
      ? e
      : new TelegramError({
          kind: 'Unavailable',
          message: `unexpected failure: ${e instanceof Error ? e.message : String(e)}`,
          method: 'call',
        });
  const bot = maskToken(token);
  if (err.kind === 'Unauthorized') {
    const base = apiUrl(env);
    const lines = [`Telegram rejected the token ${bot} (${err.httpStatus ?? 401}): it is wrong, or it was revoked in @BotFather.`];
    lines.push('Get the current one from @BotFather: /mybots → your bot → API Token.');
    if (base !== DEFAULT_TELEGRAM_API_URL)
      lines.push(`TELEGRAM_API_URL is ${base}: check that it is the Bot API (a wrong base URL also answers 404).`);
    return new CliFailure(lines.join('\n'), EXIT.failed, 'Unauthorized');
  }
  if (err.kind === 'RateLimited') {
    return new CliFailure(`Telegram asks to slow down (429): try again in ${err.retryAfterSeconds ?? 5} s.`, EXIT.transient, 'RateLimited');
  }
  if (err.kind === 'Unavailable') {
    return new CliFailure(
      `Telegram is not reachable at ${apiUrl(env)}: ${err.message}. Check the network, HTTPS_PROXY, and TELEGRAM_API_URL, then try again.`,
      EXIT.transient,
      'TelegramUnavailable',
    );
  }
  return new CliFailure(`Telegram refused ${err.method}: ${err.message}`, EXIT.failed);
}

export function apiUrl(env: Env): string {
  const v = env.TELEGRAM_API_URL?.trim();
  return v ? v.replace(/\/+$/, '') : DEFAULT_TELEGRAM_API_URL;
}

/** Only scheme and host of a webhook URL: its path and query often carry a secret. */
export function webhookHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(an unparsable URL)';
  }
}

export type Conflict = 'webhook' | 'poller' | undefined;

/** Which 409 this is: a webhook is set, or another getUpdates (long poll) is running. */
export function conflictKind(err: unknown): Conflict {
  if (!(err instanceof TelegramError) || err.httpStatus !== 409) return undefined;
  const d = `${err.description ?? ''} ${err.message}`;
  if (/webhook is active|setWebhook/i.test(d)) return 'webhook';
  return 'poller';
}
