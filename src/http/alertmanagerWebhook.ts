// POST /webhooks/alertmanager/{namespace}/{name}: Alertmanager's webhook receiver for a channel that
// opted in with spec.alertmanager. It answers 2xx only once Telegram accepted every part, so a
// failure is Alertmanager's to retry (5xx / 503 + Retry-After) and nothing is silently lost;
// a bad request (4xx) sends nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { CONDITION_READY, TRANSIENT_REASONS } from '../api/contract.js';
import { parseSpec, type TelegramChannel } from '../api/types.js';
import { findCondition } from '../controller/conditions.js';
import type { ResolvedChannel } from '../controller/reconciler.js';
import type { SecretReader } from '../controller/secrets.js';
import { parseAlertmanagerPayload, renderAlertmanagerHtml } from '../delivery/format/alertmanager.js';
import { parsedLength } from '../delivery/format/markup.js';
import { splitMessage } from '../delivery/format/split.js';
import { deliveryReason, sendOptions, type AnnotationRelay } from '../delivery/relay.js';
import type { Sender } from '../delivery/sender.js';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';
import { sendJson, type Route } from './server.js';
import { UnacknowledgedDeliveries, notificationIdentity } from './unacknowledgedDeliveries.js';
import { TelegramError } from '../telegram/errors.js';

export interface WebhookDeps {
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  resolvedFor: (key: string, ch: TelegramChannel) => ResolvedChannel | undefined;
  secrets: SecretReader;
  sender: Sender;
  relay: AnnotationRelay;
  isLeader: () => boolean;
  /** Where the leader listens, when this replica is a follower and the leader published it. */
  leaderEndpoint: () => string | undefined;
  log: Logger;
  metrics: Metrics;
  maxBodyBytes?: number;
  /**
   * How long a request may wait for Telegram before answering 503 (Alertmanager then retries).
   * Alertmanager gives up on a notification after 10 s at the least; answering first means it never
   * retries a message that is still queued here, which would send it twice.
   */
  deliveryTimeoutMs?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const FORWARDED_HEADER = 'x-telegram-operator-forwarded';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `body of ${declared} bytes is over the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Aborts when the caller closes the connection before we answered. */
function callerHangUp(res: http.ServerResponse): { signal: AbortSignal; dispose: () => void } {
  const gone = new AbortController();
  const onClose = () => {
    if (!res.writableEnded) gone.abort();
  };
  res.once('close', onClose);
  return { signal: gone.signal, dispose: () => res.off('close', onClose) };
}

/** Constant-time comparison that does not reveal the expected token's length either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

export function alertmanagerRoute(deps: WebhookDeps): Route {
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = deps.deliveryTimeoutMs ?? 9_000;
  const unacknowledged = new UnacknowledgedDeliveries();

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const { namespace, name } = params as { namespace: string; name: string };
    const ch = deps.getChannel(namespace, name);
    const parsed = ch ? parseSpec(ch.spec) : undefined;
    if (!ch || !parsed?.ok || !parsed.spec.alertmanager) {
      throw new HttpError(404, `no TelegramChannel ${namespace}/${name} that accepts Alertmanager webhooks (it needs spec.alertmanager)`);
    }
    const ref = parsed.spec.alertmanager.tokenSecretRef;
    const auth = req.headers.authorization ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
    if (!given) throw new HttpError(401, 'missing Authorization: Bearer <token>', { 'WWW-Authenticate': 'Bearer' });
    const expected = await deps.secrets.read(namespace, ref.name, ref.key);
    if (!expected.ok) {
      if (expected.reason === 'TransientError') throw new HttpError(503, 'cannot read the webhook Secret right now', { 'Retry-After': '5' });
      throw new HttpError(401, `the channel's webhook Secret is not usable (${expected.reason})`, { 'WWW-Authenticate': 'Bearer' });
    }
    if (!sameSecret(given, expected.value.trim())) throw new HttpError(401, 'wrong bearer token', { 'WWW-Authenticate': 'Bearer' });

    const body = await readBody(req, limit);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`);
    }
    const payload = parseAlertmanagerPayload(json);
    if (!payload.ok) throw new HttpError(400, `invalid Alertmanager payload: ${payload.error}`);

    const ready = findCondition(ch.status?.conditions, CONDITION_READY);
    const key = `${namespace}/${name}`;
    const resolved = deps.resolvedFor(key, ch);
    if (ready?.status !== 'True' || !resolved) {
      const retry = ready && !TRANSIENT_REASONS.has(ready.reason) ? '60' : '10';
      throw new HttpError(503, `channel is not Ready (${ready ? `${ready.reason}: ${ready.message}` : 'not verified yet'}); Alertmanager will retry`, { 'Retry-After': retry });
    }

    const identity = notificationIdentity(key, payload.payload);
    if (unacknowledged.takeRetry(identity)) {
      deps.log.info({ namespace, name, groupKey: payload.payload.groupKey }, 'webhook retry of a notification already delivered: not sent again');
      return { status: 200, body: { status: 'delivered', messages: 0, note: 'already delivered; Alertmanager had stopped waiting for the answer' } };
    }

    const parts = splitMessage(renderAlertmanagerHtml(payload.payload), 'HTML');
    const options = sendOptions({ ...resolved, spec: { ...resolved.spec, parseMode: 'HTML' } });
    // Stop waiting when the caller goes away or the time is up: a message not yet on its way is dropped.
    const hangUp = callerHangUp(res);
    const timeUp = new AbortController();
    const timer = setTimeout(() => timeUp.abort(), timeoutMs);
    try {
      const delivery = await deps.sender.send({
        token: resolved.token,
        chatId: resolved.chatId,
        parts,
        options,
        source: 'alertmanager',
        coalesce: true,
        measure: (text) => parsedLength(text, 'HTML'),
        signal: AbortSignal.any([hangUp.signal, timeUp.signal]),
      });
      // Alertmanager hung up while the message was already on its way: it will send it again.
      if (hangUp.signal.aborted) unacknowledged.remember(identity);
      void deps.relay.recordOutcome(key, { kind: 'alertmanager', ok: true, messageIds: delivery.messageIds });
      return { status: 200, body: { status: 'delivered', messages: parts.length, messageIds: delivery.messageIds } };
    } catch (e) {
      const err = e instanceof TelegramError ? e : undefined;
      const reason = deliveryReason(err);
      // Not yet delivered is not failed: Alertmanager retries a 503, so only a refusal counts.
      if (!err || err.transient) throw new HttpError(503, `Telegram did not accept the message in time (${err?.message ?? 'send failed'})`, { 'Retry-After': '30' });
      deps.metrics.messagesFailed.inc({ source: 'alertmanager', reason });
      void deps.relay.recordOutcome(key, { kind: 'alertmanager', ok: false, reason, error: err.message });
      throw new HttpError(502, `Telegram refused the message: ${reason}: ${err.message}`);
    } finally {
      clearTimeout(timer);
      hangUp.dispose();
    }
  }

  /** Only the leader sends: a follower hands the request to the leader, once, and relays its answer. */
  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const endpoint = deps.leaderEndpoint();
    if (!endpoint || req.headers[FORWARDED_HEADER]) throw new HttpError(503, 'this replica is not the leader and cannot reach it; retry', { 'Retry-After': '1' });
    const body = await readBody(req, limit);
    // When Alertmanager hangs up on us, hang up on the leader too, so it drops what is still queued
    // and remembers what was already on its way (see the handler).
    const hangUp = callerHangUp(res);
    let answer: Response;
    try {
      answer = await fetch(`${endpoint}${req.url ?? ''}`, {
        method: 'POST',
        headers: { 'Content-Type': req.headers['content-type'] ?? 'application/json', Authorization: req.headers.authorization ?? '', [FORWARDED_HEADER]: '1' },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs + 5_000), hangUp.signal]),
      });
    } catch (e) {
      throw new HttpError(503, `the leader did not answer (${(e as Error).name}); retry`, { 'Retry-After': '1' });
    } finally {
      hangUp.dispose();
    }
    const text = await answer.text();
    const headers: Record<string, string> = { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' };
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) headers['Retry-After'] = retryAfter;
    res.writeHead(answer.status, headers);
    res.end(text);
  }

  return {
    method: 'POST',
    path: '/webhooks/alertmanager/:namespace/:name',
    handler: async (req, res, params) => {
      try {
        if (!deps.isLeader()) return await forward(req, res);
        const r = await handle(req, res, params);
        sendJson(res, r.status, r.body);
      } catch (e) {
        if (e instanceof HttpError) {
          deps.log.info({ namespace: params.namespace, name: params.name, status: e.status, err: e.message }, 'webhook request refused');
          return sendJson(res, e.status, { error: e.message }, e.headers);
        }
        throw e;
      }
    },
  };
}
