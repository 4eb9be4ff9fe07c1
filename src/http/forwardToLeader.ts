// The follower's side of leader forwarding (the protocol is described in forwardProtocol.ts): prove
// the address on the Lease belongs to a replica holding the channel's webhook Secret, then hand it the
// notification and relay its answer only when the answer's MAC verifies. Nothing of the sender's
// request but its body goes out, and the body only after the challenge succeeded; redirects are never
// followed; whatever the other side answers is read up to a small bound.
import { randomBytes } from 'node:crypto';
import { deadline, OUTBOUND } from '../net/outbound.js';
import type { Logger } from '../observability/log.js';
import {
  FORWARD_PATH,
  NONCE_HEADER,
  PROOF_HEADER,
  forwardKey,
  forwardSubject,
  isNonce,
  parseLeaderEndpoint,
  proof,
  proofMatches,
  sha256Hex,
} from './forwardProtocol.js';
import { HttpError } from './request.js';

/** The challenge carries no alert content and must be answered at once. */
export const CHALLENGE_TIMEOUT_MS = OUTBOUND.leaderChallenge.deadlineMs;
const MAX_CHALLENGE_ANSWER_BYTES = OUTBOUND.leaderChallenge.maxAnswerBytes;
const MAX_ANSWER_BYTES = OUTBOUND.leaderNotification.maxAnswerBytes;

export interface ForwardRequest {
  /** The leader's address as read from the Lease (untrusted). */
  endpoint: string | undefined;
  /** The webhook source's name: in the path and inside every MAC. */
  source: string;
  namespace: string;
  name: string;
  /** The channel's webhook token: the key is derived from it; it is never sent. */
  token: string;
  body: Buffer;
  /** Aborts when Alertmanager hung up: the leader is hung up on too. */
  signal: AbortSignal;
  /** How long the leader may take to answer the notification, wall-clock (its own wait plus slack). */
  answerTimeoutMs: number;
  log: Logger;
}

export interface RelayedAnswer {
  status: number;
  text: string;
  retryAfter?: string;
}

const UNREACHABLE = 'this replica is not the leader and could not hand the notification to a verified leader; retry';
const unreachable = (why: string) => new HttpError(503, UNREACHABLE, { 'Retry-After': '1' }, why);

export async function forwardToLeader(r: ForwardRequest): Promise<RelayedAnswer> {
  const endpoint = parseLeaderEndpoint(r.endpoint);
  if (!endpoint.ok) throw unreachable(endpoint.reason);
  const origin = endpoint.origin;
  const channel = forwardSubject(r.source, r.namespace, r.name);
  const key = forwardKey(r.token, r.namespace, r.name);
  const base = `${origin}${FORWARD_PATH}/${encodeURIComponent(r.source)}/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}`;
  const followerNonce = randomBytes(32).toString('hex');

  // 1. The challenge: no alert content, a short deadline.
  let challenge: { nonce?: unknown; proof?: unknown };
  try {
    const res = await fetch(`${base}/challenge`, {
      method: 'POST',
      redirect: 'manual',
      headers: { [NONCE_HEADER]: followerNonce, [PROOF_HEADER]: proof(key, 'hello', [followerNonce, channel, origin]) },
      signal: deadline(CHALLENGE_TIMEOUT_MS, r.signal),
    });
    const text = await readLimited(res, MAX_CHALLENGE_ANSWER_BYTES);
    if (res.status !== 200) throw unreachable(`the leader endpoint answered the challenge with ${res.status}`);
    challenge = JSON.parse(text) as typeof challenge;
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw unreachable(`the leader endpoint did not answer the challenge (${(e as Error).name})`);
  }
  const leaderNonce = challenge?.nonce;
  const logged = { source: r.source, namespace: r.namespace, name: r.name, endpoint: origin };
  const given = challenge?.proof as string | undefined;
  if (!isNonce(leaderNonce) || !proofMatches(given, proof(key, 'challenge', [followerNonce, leaderNonce, channel, origin]))) {
    r.log.warn(logged, 'the leader endpoint on the Lease failed the challenge: nothing forwarded to it');
    throw unreachable('the leader endpoint failed the challenge');
  }

  // 2. The notification, authenticated by its MAC instead of any bearer.
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${base}/notification`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/json',
        [NONCE_HEADER]: leaderNonce,
        [PROOF_HEADER]: proof(key, 'notification', [followerNonce, leaderNonce, channel, origin, sha256Hex(r.body)]),
      },
      // Streamed from our buffer: given a Buffer, fetch would copy it first (4 MiB more per request).
      // fetch streams only an *async* iterable (a sync one would be sent as "[object Generator]").
      // eslint-disable-next-line @typescript-eslint/require-await
      body: (async function* () {
        yield r.body;
      })(),
      duplex: 'half',
      signal: deadline(r.answerTimeoutMs, r.signal),
    });
    text = await readLimited(res, MAX_ANSWER_BYTES);
  } catch (e) {
    throw unreachable(`the leader did not answer (${(e as Error).name})`);
  }
  const retryAfter = res.headers.get('retry-after') ?? '';
  const expected = proof(key, 'answer', [followerNonce, leaderNonce, String(res.status), retryAfter, sha256Hex(text)]);
  if (!proofMatches(res.headers.get(PROOF_HEADER), expected)) {
    r.log.warn({ ...logged, status: res.status }, "the leader's answer carries no valid MAC: not relayed");
    const why = `unverified answer, status ${res.status}`;
    throw new HttpError(502, "the leader's answer could not be verified; retry", { 'Retry-After': '1' }, why);
  }
  return { status: res.status, text, ...(retryAfter ? { retryAfter } : {}) };
}

/** The response body as text, refusing (and cancelling) anything longer than `max` bytes. */
async function readLimited(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new HttpError(502, 'the answer from the leader endpoint is too long', { 'Retry-After': '1' }, `answer over ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
