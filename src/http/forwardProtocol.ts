// How a follower hands a webhook notification to the leader without trusting the Lease, at
// POST /forward/v1/{source}/{namespace}/{name}/challenge and .../notification.
// The Lease annotation that names the leader's address can be written by anyone allowed to update the
// Lease, so the address proves nothing. Instead both sides prove they hold the channel's webhook Secret,
// through a key derived from it for this purpose and this channel only:
//   key = HKDF-SHA256(webhook token, salt "telegram-channel-operator/forward/v1", info "<namespace>/<name>")
// "channel" below is the subject "<source>/<namespace>/<name>": the source is inside every MAC and the
// leader's nonce is bound to it, so a body forwarded for one source is never parsed as another's.
// 1. challenge (no alert content): the follower sends a fresh nonce F and MAC(key, hello, F, channel,
//    address). The leader checks it against ITS OWN address, so a request relayed through another
//    address (a man in the middle named by a forged Lease) fails here. It answers a fresh nonce L and
//    MAC(key, challenge, F, L, channel, its address), which the follower checks in constant time.
// 2. notification: only now does the body go, with MAC(key, notification, F, L, channel, address,
//    sha256(body)). L is single-use, so a replayed request is refused. The leader answers
//    MAC(key, answer, F, L, status, Retry-After, sha256(answer body)); the follower relays the status
//    only when that MAC verifies.
// The sender's bearer token never leaves the replica that received it: the key is one-way derived
// from the Secret, and only MACs and nonces travel.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const FORWARD_SALT = 'telegram-channel-operator/forward/v1';
export const NONCE_HEADER = 'x-telegram-operator-nonce';
export const PROOF_HEADER = 'x-telegram-operator-proof';
export const FORWARD_PATH = '/forward/v1';

export type Step = 'hello' | 'challenge' | 'notification' | 'answer';

/** What the MACs and the leader's nonces are bound to: the source and the channel. */
export function forwardSubject(source: string, namespace: string, name: string): string {
  return `${source}/${namespace}/${name}`;
}

export function forwardKey(webhookToken: string, namespace: string, name: string): Buffer {
  return Buffer.from(hkdfSync('sha256', webhookToken, FORWARD_SALT, `${namespace}/${name}`, 32));
}

/** MAC over the step's name and fields; JSON keeps field boundaries unambiguous. */
export function proof(key: Buffer, step: Step, fields: string[]): string {
  return createHmac('sha256', key)
    .update(JSON.stringify([step, ...fields]))
    .digest('hex');
}

/** Constant-time check of a hex MAC received from the other side. */
export function proofMatches(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
}

export function isNonce(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The leader's address as published on the Lease, reduced to its origin (what both sides put in their
 * MACs). Only plain http://host:port: no data:, file: or other schemes, no credentials, path or query.
 */
export function parseLeaderEndpoint(raw: string | undefined): { ok: true; origin: string } | { ok: false; reason: string } {
  if (!raw) return { ok: false, reason: 'no leader endpoint published on the Lease' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'the leader endpoint on the Lease is not a URL' };
  }
  if (url.protocol !== 'http:') {
    return { ok: false, reason: `the leader endpoint on the Lease has scheme "${url.protocol.slice(0, 12)}", not http:` };
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { ok: false, reason: 'the leader endpoint on the Lease is not a bare http://host:port' };
  }
  return { ok: true, origin: url.origin };
}
