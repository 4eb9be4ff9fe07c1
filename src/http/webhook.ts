// POST /webhooks/{source}/{namespace}/{name}, for every webhook source (sources/registry.ts): the
// receiver for a channel that opted in with the source's spec field (spec.alertmanager). It answers 2xx
// only once Telegram accepted every part, so a failure is the sender's to retry (5xx / 503 +
// Retry-After) and nothing is silently lost; a bad request (4xx) sends nothing. One body budget is
// shared by every source. Order of checks, cheapest and least revealing first:
//   1. a declared body over the limit: 413
//   2. the bearer token against the channel's Secret, from the headers alone: one uniform 401
//   3. the in-memory body budget (WEBHOOK_MAX_CONCURRENT) or the namespace's share of it is spent:
//      503 + Retry-After, before reading, or as soon as a read would pass it (requestBudget.ts)
//   4. only then the body is read. The leader parses it (the source's parse) and hands it to the delivery service
//      (delivery/service.ts: Ready check, in-flight join, send, outcome), then answers by the outcome;
//      a follower hands it to the leader over the authenticated forwarding protocol (forwardToLeader.ts)
//      and relays the leader's verified answer.
// This file authenticates, parses and answers; it decides nothing about the channel or Telegram.
import type http from 'node:http';
import type { TelegramChannel } from '../api/types.js';
import type { SecretReader } from '../credentials/secrets.js';
import type { DeliveryOutcome } from '../delivery/outcome.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, type DeliveryService } from '../delivery/service.js';
import type { Logger } from '../observability/log.js';
import { SOURCES } from '../sources/registry.js';
import type { WebhookSource } from '../sources/source.js';
import { forwardRoutes, type WebhookAnswer } from './forwardReceiver.js';
import { forwardToLeader } from './forwardToLeader.js';
import { HttpError, callerHangUp, declaredLength, overBudget, readBody } from './request.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT, RequestBudget } from './requestBudget.js';
import { sendJson, sendJsonText, type Route } from './server.js';
import { authenticate } from './webhookAuth.js';

export interface WebhookDeps {
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  /** Reads the channel's webhook Secret (authentication). */
  secrets: SecretReader;
  /** Checks the channel, delivers once, records the outcome. */
  delivery: Pick<DeliveryService, 'deliver'>;
  isLeader: () => boolean;
  /** Where the leader listens, as read from the Lease (untrusted), when this replica is a follower. */
  leaderEndpoint: () => string | undefined;
  /** This replica's own address, as it publishes it on the Lease when it leads. */
  ownEndpoint?: string;
  log: Logger;
  maxBodyBytes?: number;
  /** How many maximum-size bodies may be in memory at once (WEBHOOK_MAX_CONCURRENT); see requestBudget.ts. */
  maxConcurrent?: number;
  /**
   * How long a request may wait for Telegram before answering 503 (Alertmanager then retries, and its
   * retry joins the delivery still under way). Alertmanager gives up on a request after 10 s at the
   * least; answering first means the answer reaches it, even through a follower.
   */
  deliveryTimeoutMs?: number;
  /** The sources served; default: every registered one (sources/registry.ts). */
  sources?: readonly WebhookSource[];
}

/** A follower waits for the leader's answer this much longer than the leader waits for Telegram. */
const FORWARD_SLACK_MS = 5_000;

const NOT_YET =
  'not delivered yet (Telegram is slow or rate-limiting); a retry of this notification joins the delivery under way and is not sent twice';

/** One webhook route per source and the leader's forwarding routes, sharing one body budget. */
export function webhookRoutes(deps: WebhookDeps): Route[] {
  const sources = deps.sources ?? SOURCES;
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = deps.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const budget = new RequestBudget((deps.maxConcurrent ?? DEFAULT_MAX_CONCURRENT) * limit, limit);

  /** The leader's work once a request is authenticated: parse, hand to the delivery service, answer. */
  async function deliver(source: WebhookSource, ch: TelegramChannel, body: Buffer, hangUp: AbortSignal): Promise<WebhookAnswer> {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, `body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
    }
    const parsed = source.parse(json);
    if (!parsed.ok) throw new HttpError(400, `invalid ${source.displayName} payload: ${parsed.error}`);
    // Each request waits until its deadline or its caller hangs up; the delivery goes on while any waits.
    const wait = AbortSignal.any([hangUp, AbortSignal.timeout(timeoutMs)]);
    return answer(await deps.delivery.deliver(ch, { source, notification: parsed.notification, wait }), source);
  }

  const webhook = (source: WebhookSource): Route => ({
    method: 'POST',
    path: `/webhooks/${source.name}/:namespace/:name`,
    handler: async (req, res, params) => {
      const { namespace, name } = params as { namespace: string; name: string };
      try {
        const answered = await handle(source, req, res, namespace, name);
        if ('text' in answered) sendJsonText(res, answered.status, answered.text, answered.headers);
        else sendJson(res, answered.status, answered.body, answered.headers);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        const refused = { namespace, name, source: source.name, status: e.status, reason: e.logReason ?? e.message };
        deps.log.info(refused, 'webhook request refused');
        // Refused unauthenticated: close the connection instead of taking in the rest of a body nobody will
        // read. Other refusals (413, 503 over the budget) let Node discard the rest of the body without
        // keeping it (within the request timeout), so that the sender reliably reads the answer and its
        // Retry-After instead of a connection reset.
        sendJson(res, e.status, { error: e.message }, { ...e.headers, ...(e.status === 401 ? { Connection: 'close' } : {}) });
      }
    },
  });

  async function handle(
    source: WebhookSource,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    namespace: string,
    name: string,
  ): Promise<WebhookAnswer | { status: number; text: string; headers: Record<string, string> }> {
    const declared = declaredLength(req);
    if (declared !== undefined && declared > limit) {
      throw new HttpError(413, `body of ${declared} bytes is over the limit of ${limit} bytes`);
    }
    const { channel, token } = await authenticate(deps, source, namespace, name, req.headers.authorization);
    // After authentication: a refused request never reads its body, so it takes no share of the budget.
    // The channel's namespace is the tenant: its bytes count against its share as they are read.
    const reservation = budget.open(namespace);
    if (!reservation) throw overBudget();
    res.once('close', reservation.release);
    const body = await readBody(req, limit, reservation);
    const hangUp = callerHangUp(res);
    try {
      if (deps.isLeader()) return await deliver(source, channel, body, hangUp.signal);
      const relayed = await forwardToLeader({
        endpoint: deps.leaderEndpoint(),
        source: source.name,
        namespace,
        name,
        token,
        body,
        signal: hangUp.signal,
        answerTimeoutMs: timeoutMs + FORWARD_SLACK_MS,
        log: deps.log,
      });
      return { status: relayed.status, text: relayed.text, headers: relayed.retryAfter ? { 'Retry-After': relayed.retryAfter } : {} };
    } finally {
      hangUp.dispose();
    }
  }

  return [
    ...sources.map(webhook),
    ...forwardRoutes({
      sources,
      getChannel: deps.getChannel,
      secrets: deps.secrets,
      isLeader: deps.isLeader,
      ownEndpoint: deps.ownEndpoint,
      budget,
      maxBodyBytes: limit,
      deliver: (source, ch, body, hangUp) =>
        deliver(source, ch, body, hangUp).catch((e: unknown) => {
          if (e instanceof HttpError) return { status: e.status, body: { error: e.message }, headers: e.headers };
          throw e;
        }),
      log: deps.log,
    }),
  ];
}

/** The HTTP answer to a delivery outcome: 2xx only once Telegram accepted every part. */
function answer(outcome: DeliveryOutcome, source: WebhookSource): WebhookAnswer {
  switch (outcome.kind) {
    case 'delivered':
      return { status: 200, body: { status: 'delivered', messages: outcome.messageIds.length, messageIds: outcome.messageIds } };
    case 'deliveredEarlier': {
      const note = `already delivered; ${source.displayName} had stopped waiting for the answer`;
      return { status: 200, body: { status: 'delivered', messages: 0, note } };
    }
    case 'notYet':
      return { status: 503, body: { error: NOT_YET }, headers: { 'Retry-After': '10' } };
    case 'notReady':
      // Thrown, not returned: a refusal before any send is logged as one ("webhook request refused").
      throw new HttpError(503, `channel is not Ready (${outcome.why}); ${source.displayName} will retry`, {
        'Retry-After': outcome.permanent ? '60' : '10',
      });
    case 'secretsUnavailable':
      throw new HttpError(503, "cannot read the channel's Secrets right now; retry", { 'Retry-After': '5' }, outcome.detail);
    case 'stopped':
    case 'failed': {
      if (outcome.kind === 'stopped' || outcome.error.transient) {
        const why = outcome.kind === 'stopped' ? 'this replica stopped sending' : outcome.error.message;
        return { status: 503, body: { error: `Telegram did not accept the message in time (${why})` }, headers: { 'Retry-After': '30' } };
      }
      return { status: 502, body: { error: `Telegram refused the message: ${outcome.error.reason}: ${outcome.error.message}` } };
    }
  }
}
