// The leader's side of leader forwarding (the protocol is described in forwardProtocol.ts):
// POST /forward/v1/{source}/{namespace}/{name}/challenge and .../notification. Neither takes a bearer token:
// the follower proves itself with MACs under the key derived from the channel's webhook Secret, and
// a notification is only read once it names a nonce this leader issued (single use, 30 s).
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
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
import { HttpError, callerHangUp, readBody } from './request.js';
import type { RequestBudget } from './requestBudget.js';
import { sendJson, type Route } from './server.js';
import { unauthorized, webhookSecret, type ChannelLookup } from './webhookAuth.js';
import type { TelegramChannel } from '../api/types.js';
import type { WebhookSource } from '../sources/source.js';

export interface WebhookAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ForwardReceiverDeps extends ChannelLookup {
  isLeader: () => boolean;
  /** This replica's own address as it publishes it on the Lease; the MACs are bound to it. */
  ownEndpoint: string | undefined;
  budget: RequestBudget;
  maxBodyBytes: number;
  /** The sources a notification may be forwarded for. */
  sources: readonly WebhookSource[];
  /** Delivers a notification body of `source` for the channel (the same as a direct webhook request after its authentication). */
  deliver: (source: WebhookSource, channel: TelegramChannel, body: Buffer, hangUp: AbortSignal) => Promise<WebhookAnswer>;
  log: Logger;
  now?: () => number;
}

const NONCE_TTL_MS = 30_000;
const MAX_PENDING_NONCES = 10_000;

/** Nonces this leader issued in a challenge, each good for one notification of one channel. */
export class IssuedNonces {
  private readonly pending = new Map<string, { channel: string; followerNonce: string; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(channel: string, followerNonce: string): string {
    this.prune();
    if (this.pending.size >= MAX_PENDING_NONCES) this.pending.delete(this.pending.keys().next().value!);
    const nonce = randomBytes(32).toString('hex');
    this.pending.set(nonce, { channel, followerNonce, expires: this.now() + NONCE_TTL_MS });
    return nonce;
  }

  /** The follower's nonce that goes with `nonce`, once; undefined if unknown, used, expired or for another channel. */
  take(nonce: string, channel: string): string | undefined {
    const p = this.pending.get(nonce);
    if (!p) return undefined;
    this.pending.delete(nonce);
    return p.channel === channel && p.expires > this.now() ? p.followerNonce : undefined;
  }

  private prune(): void {
    const now = this.now();
    for (const [n, p] of this.pending) {
      if (p.expires > now) break;
      this.pending.delete(n);
    }
  }
}

export function forwardRoutes(deps: ForwardReceiverDeps): Route[] {
  const nonces = new IssuedNonces(deps.now);
  const own = parseLeaderEndpoint(deps.ownEndpoint);

  const notLeader = () => new HttpError(503, 'not the leader (any more); retry', { 'Retry-After': '1' });
  const refused = (why: string) => unauthorized(`forwarded request refused: ${why}`);

  type Handler = (req: http.IncomingMessage, res: http.ServerResponse, source: WebhookSource, ns: string, name: string) => Promise<void>;
  const guarded =
    (fn: Handler): Route['handler'] =>
    async (req, res, params) => {
      const { source: sourceName, namespace, name } = params as { source: string; namespace: string; name: string };
      try {
        const source = deps.sources.find((s) => s.name === sourceName);
        if (!source) throw refused('no such source');
        await fn(req, res, source, namespace, name);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        deps.log.info({ namespace, name, status: e.status, reason: e.logReason ?? e.message }, 'forwarded webhook request refused');
        sendJson(res, e.status, { error: e.message }, { ...e.headers, Connection: 'close' });
      }
    };

  const challenge = guarded(async (req, res, source, namespace, name) => {
    if (!deps.isLeader()) throw notLeader();
    if (!own.ok) throw notLeader();
    const followerNonce = req.headers[NONCE_HEADER];
    const given = req.headers[PROOF_HEADER];
    if (!isNonce(followerNonce) || typeof given !== 'string') throw refused('no nonce or proof');
    const channel = forwardSubject(source.name, namespace, name);
    const { token } = await webhookSecret(deps, source, namespace, name);
    const key = forwardKey(token, namespace, name);
    // Bound to this replica's own address: a request relayed here from the address on a forged Lease fails.
    if (!proofMatches(given, proof(key, 'hello', [followerNonce, channel, own.origin]))) {
      throw refused('the hello proof does not match (another key, or relayed from another address)');
    }
    const leaderNonce = nonces.issue(channel, followerNonce);
    sendJson(res, 200, { nonce: leaderNonce, proof: proof(key, 'challenge', [followerNonce, leaderNonce, channel, own.origin]) });
  });

  const notification = guarded(async (req, res, source, namespace, name) => {
    if (!deps.isLeader() || !own.ok) throw notLeader();
    const channel = forwardSubject(source.name, namespace, name);
    const leaderNonce = req.headers[NONCE_HEADER];
    const followerNonce = isNonce(leaderNonce) ? nonces.take(leaderNonce, channel) : undefined;
    if (!followerNonce || !isNonce(leaderNonce)) throw refused('no nonce from a challenge of this leader (unknown, used or expired)');
    const { channel: ch, token } = await webhookSecret(deps, source, namespace, name);
    const key = forwardKey(token, namespace, name);
    // From here on every answer carries the MAC the follower checks before relaying it.
    const signed = (answer: WebhookAnswer) => {
      const text = JSON.stringify(answer.body);
      const retryAfter = answer.headers?.['Retry-After'] ?? '';
      res.writeHead(answer.status, {
        ...answer.headers,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        [PROOF_HEADER]: proof(key, 'answer', [followerNonce, leaderNonce, String(answer.status), retryAfter, sha256Hex(text)]),
      });
      res.end(text);
    };
    const reservation = deps.budget.open(namespace);
    if (!reservation) {
      return signed({ status: 503, body: { error: 'too many webhook requests at once; retry' }, headers: { 'Retry-After': '5' } });
    }
    res.once('close', reservation.release);
    let body: Buffer;
    try {
      body = await readBody(req, deps.maxBodyBytes, reservation);
    } catch (e) {
      if (e instanceof HttpError) return signed({ status: e.status, body: { error: e.message }, headers: e.headers });
      throw e;
    }
    const expected = proof(key, 'notification', [followerNonce, leaderNonce, channel, own.origin, sha256Hex(body)]);
    if (!proofMatches(req.headers[PROOF_HEADER] as string | undefined, expected)) throw refused('the notification proof does not match');

    const hangUp = callerHangUp(res);
    try {
      signed(await deps.deliver(source, ch, body, hangUp.signal));
    } finally {
      hangUp.dispose();
    }
  });

  return [
    { method: 'POST', path: `${FORWARD_PATH}/:source/:namespace/:name/challenge`, handler: challenge },
    { method: 'POST', path: `${FORWARD_PATH}/:source/:namespace/:name/notification`, handler: notification },
  ];
}
