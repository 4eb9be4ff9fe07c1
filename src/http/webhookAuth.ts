// Who may post to a channel's webhook, decided from the request's headers alone, before any body is
// read. Every refusal looks the same to the caller — one 401, byte for byte — whether the channel does
// not exist, has not opted in, its Secret or key is missing, or the token is wrong: a caller without
// the token learns nothing about channels or Secrets. The precise reason goes to the operator's log.
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseSpec, type TelegramChannel } from '../api/types.js';
import { SecretUnavailable, type SecretReader, type SecretValue } from '../credentials/secrets.js';
import type { WebhookSource } from '../sources/source.js';
import { HttpError } from './request.js';

export const UNAUTHORIZED_MESSAGE = "unauthorized: this URL needs Authorization: Bearer <the channel's webhook token>";

export function unauthorized(logReason: string): HttpError {
  return new HttpError(401, UNAUTHORIZED_MESSAGE, { 'WWW-Authenticate': 'Bearer' }, logReason);
}

export interface ChannelLookup {
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  secrets: SecretReader;
}

export interface WebhookSecret {
  channel: TelegramChannel;
  /** The channel's webhook token (surrounding whitespace removed). Never logged or echoed. */
  token: string;
}

/**
 * The channel and its webhook token for `source` (the Secret its opt-in field names); throws the
 * uniform 401 (or a 503 when the Secret cannot be read now).
 */
export async function webhookSecret(deps: ChannelLookup, source: WebhookSource, namespace: string, name: string): Promise<WebhookSecret> {
  const channel = deps.getChannel(namespace, name);
  if (!channel) throw unauthorized('no such TelegramChannel (or its namespace is not watched)');
  const parsed = parseSpec(channel.spec);
  if (!parsed.ok) throw unauthorized('the TelegramChannel spec is invalid');
  const settings = source.optIn(parsed.spec);
  if (!settings) throw unauthorized(`the TelegramChannel has no ${source.optInField} (not opted in)`);
  const ref = settings.tokenSecretRef;
  let secret: SecretValue;
  try {
    secret = await deps.secrets.read(namespace, ref.name, ref.key);
  } catch (e) {
    // Not knowing the token, a 401 would be a lie, and senders do not retry 4xx: ask for a retry.
    if (e instanceof SecretUnavailable)
      throw new HttpError(503, 'cannot check the token right now; retry', { 'Retry-After': '5' }, e.message);
    throw e;
  }
  if (!secret.ok) throw unauthorized(`the webhook Secret is not usable (${secret.reason})`);
  const token = secret.value.trim();
  if (!token) throw unauthorized('the webhook Secret value is empty');
  return { channel, token };
}

/** The bearer token of an Authorization header, if it has one. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() || undefined;
}

/** Constant-time comparison that does not reveal the expected token's length either. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Checks the request's bearer token against the channel's webhook Secret for `source`. */
export async function authenticate(
  deps: ChannelLookup,
  source: WebhookSource,
  namespace: string,
  name: string,
  authorization: string | undefined,
): Promise<WebhookSecret> {
  const given = bearerOf(authorization);
  // No bearer at all: refused before any lookup, so an anonymous flood costs no API read. The answer is
  // the same 401 as every other refusal, so it says nothing about whether the channel exists.
  if (!given) throw unauthorized('no Authorization: Bearer header');
  const found = await webhookSecret(deps, source, namespace, name);
  if (!sameSecret(given, found.token)) throw unauthorized('wrong bearer token');
  return found;
}
