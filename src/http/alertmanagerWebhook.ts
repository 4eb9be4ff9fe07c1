// POST /webhooks/alertmanager/{namespace}/{name}: Alertmanager's webhook receiver for a channel that
// opted in with spec.alertmanager. It answers 2xx only once Telegram accepted every part, so a
// failure is Alertmanager's to retry (5xx / 503 + Retry-After) and nothing is silently lost;
// a bad request (4xx) sends nothing. Order of checks, cheapest and least revealing first:
//   1. a declared body over the limit: 413
//   2. the bearer token against the channel's Secret, from the headers alone: one uniform 401
//   3. the in-memory body budget (WEBHOOK_MAX_CONCURRENT) is spent: 503 + Retry-After
//   4. only then the body is read. The leader delivers it; a follower hands it to the leader over the
//      authenticated forwarding protocol (forwardToLeader.ts) and relays the leader's verified answer.
import type http from 'node:http';
import { CONDITION_READY, TRANSIENT_REASONS } from '../api/contract.js';
import { parseSpec, type TelegramChannel } from '../api/types.js';
import type { ChannelResolver, Resolution } from '../channel/resolver.js';
import { findCondition } from '../api/conditions.js';
import { SecretUnavailable, type SecretReader } from '../channel/secrets.js';
import { parseAlertmanagerPayload, renderAlertmanagerHtml } from '../delivery/format/alertmanager.js';
import { parsedLength } from '../delivery/format/markup.js';
import { splitMessage } from '../delivery/format/split.js';
import { InFlightNotifications, notificationIdentity } from '../delivery/notifications.js';
import { deliveryReason, sendOptions, type AnnotationRelay } from '../delivery/relay.js';
import type { Sender } from '../delivery/sender.js';
import type { Logger } from '../observability/log.js';
import { TelegramError } from '../telegram/errors.js';
import { forwardRoutes, type WebhookAnswer } from './forwardReceiver.js';
import { forwardToLeader } from './forwardToLeader.js';
import type { Metrics } from '../observability/metrics.js';
import { HttpError, callerHangUp, declaredLength, readBody } from './request.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT, RequestBudget } from './requestBudget.js';
import { sendJson, type Route } from './server.js';
import { authenticate } from './webhookAuth.js';

export interface WebhookDeps {
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  /** The channel's bot token and chat id, from its Secrets: any replica can resolve any channel. */
  resolver: Pick<ChannelResolver, 'resolve'>;
  secrets: SecretReader;
  sender: Sender;
  relay: AnnotationRelay;
  isLeader: () => boolean;
  /** Where the leader listens, as read from the Lease (untrusted), when this replica is a follower. */
  leaderEndpoint: () => string | undefined;
  /** This replica's own address, as it publishes it on the Lease when it leads. */
  ownEndpoint?: string;
  log: Logger;
  metrics: Metrics;
  maxBodyBytes?: number;
  /** How many maximum-size bodies may be in memory at once (WEBHOOK_MAX_CONCURRENT); see requestBudget.ts. */
  maxConcurrent?: number;
  /**
   * How long a request may wait for Telegram before answering 503 (Alertmanager then retries, and its
   * retry joins the delivery still under way). Alertmanager gives up on a request after 10 s at the
   * least; answering first means the answer reaches it, even through a follower.
   */
  deliveryTimeoutMs?: number;
}

/** A follower waits for the leader's answer this much longer than the leader waits for Telegram. */
const FORWARD_SLACK_MS = 5_000;

/** The webhook route and the leader's forwarding routes, sharing one body budget and one notification memory. */
export function alertmanagerRoutes(deps: WebhookDeps): Route[] {
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = deps.deliveryTimeoutMs ?? 9_000;
  const budget = new RequestBudget((deps.maxConcurrent ?? DEFAULT_MAX_CONCURRENT) * limit);
  const notifications = new InFlightNotifications();

  /** The channel's token and chat id as its Secrets say now; a Secret that cannot be read now asks for a retry. */
  async function resolve(ch: TelegramChannel): Promise<Resolution | undefined> {
    const parsed = parseSpec(ch.spec);
    if (!parsed.ok) return undefined;
    try {
      return await deps.resolver.resolve(ch.metadata.namespace, parsed.spec);
    } catch (e) {
      if (!(e instanceof SecretUnavailable)) throw e;
      throw new HttpError(503, "cannot read the channel's Secrets right now; retry", { 'Retry-After': '5' }, e.message);
    }
  }

  /** The leader's work once a request is authenticated: parse, check the channel, deliver once. */
  async function deliver(namespace: string, name: string, ch: TelegramChannel, body: Buffer, hangUp: AbortSignal): Promise<WebhookAnswer> {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, `body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
    }
    const payload = parseAlertmanagerPayload(json);
    if (!payload.ok) throw new HttpError(400, `invalid Alertmanager payload: ${payload.error}`);

    // Ready as the leader wrote it, for the spec as it is now: a spec change not yet verified waits.
    const ready = findCondition(ch.status?.conditions, CONDITION_READY);
    const key = `${namespace}/${name}`;
    const observed = ready?.observedGeneration ?? ch.status?.observedGeneration;
    const current = ch.metadata.generation === undefined || observed === ch.metadata.generation;
    const resolution = ready?.status === 'True' && current ? await resolve(ch) : undefined;
    if (!resolution?.ok) {
      const failing = resolution?.failing ?? ready;
      const retry = failing && !TRANSIENT_REASONS.has(failing.reason) ? '60' : '10';
      const stale = ready?.status === 'True' && !current;
      const why = stale
        ? `its spec changed (generation ${ch.metadata.generation}) and is not verified yet`
        : failing
          ? `${failing.reason}: ${failing.message}`
          : 'not verified yet';
      throw new HttpError(503, `channel is not Ready (${why}); Alertmanager will retry`, { 'Retry-After': retry });
    }
    const resolved = resolution.channel;

    const parts = splitMessage(renderAlertmanagerHtml(payload.payload), 'HTML');
    const options = sendOptions({ ...resolved, spec: { ...resolved.spec, parseMode: 'HTML' } });
    const start = async (abandon: AbortSignal) => {
      try {
        const delivery = await deps.sender.send({
          token: resolved.token,
          chatId: resolved.chatId,
          parts,
          options,
          source: 'alertmanager',
          coalesce: true,
          measure: (text) => parsedLength(text, 'HTML'),
          signal: abandon,
        });
        void deps.relay.recordOutcome(key, { kind: 'alertmanager', ok: true, messageIds: delivery.messageIds });
        return delivery;
      } catch (e) {
        const err = e instanceof TelegramError ? e : undefined;
        if (err && !err.transient) {
          const reason = deliveryReason(err);
          deps.metrics.messagesFailed.inc({ source: 'alertmanager', reason });
          void deps.relay.recordOutcome(key, { kind: 'alertmanager', ok: false, reason, error: err.message });
        }
        throw e;
      }
    };
    // Each request waits until its deadline or its caller hangs up; the delivery goes on while any waits.
    const wait = AbortSignal.any([hangUp, AbortSignal.timeout(timeoutMs)]);
    const outcome = await notifications.deliver(notificationIdentity(key, payload.payload), start, wait);
    const logged = { namespace, name, groupKey: payload.payload.groupKey };
    switch (outcome.kind) {
      case 'delivered': {
        if (outcome.joined) deps.log.info(logged, 'webhook retry joined a delivery under way: not sent again');
        const { messageIds } = outcome.delivery;
        return { status: 200, body: { status: 'delivered', messages: messageIds.length, messageIds } };
      }
      case 'deliveredEarlier': {
        deps.log.info(logged, 'webhook retry of a notification already delivered: not sent again');
        const note = 'already delivered; Alertmanager had stopped waiting for the answer';
        return { status: 200, body: { status: 'delivered', messages: 0, note } };
      }
      case 'notYet': {
        const error =
          'not delivered yet (Telegram is slow or rate-limiting); a retry of this notification joins the delivery under way ' +
          'and is not sent twice';
        return { status: 503, body: { error }, headers: { 'Retry-After': '10' } };
      }
      case 'failed': {
        const err = outcome.error instanceof TelegramError ? outcome.error : undefined;
        if (!err || err.transient) {
          const error = `Telegram did not accept the message in time (${err?.message ?? 'send failed'})`;
          return { status: 503, body: { error }, headers: { 'Retry-After': '30' } };
        }
        return { status: 502, body: { error: `Telegram refused the message: ${deliveryReason(err)}: ${err.message}` } };
      }
    }
  }

  const webhook: Route = {
    method: 'POST',
    path: '/webhooks/alertmanager/:namespace/:name',
    handler: async (req, res, params) => {
      const { namespace, name } = params as { namespace: string; name: string };
      try {
        const answer = await handle(req, res, namespace, name);
        if ('text' in answer) {
          const length = Buffer.byteLength(answer.text);
          res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': length, ...answer.headers });
          res.end(answer.text);
        } else sendJson(res, answer.status, answer.body, answer.headers);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        deps.log.info({ namespace, name, status: e.status, reason: e.logReason ?? e.message }, 'webhook request refused');
        // Refused unauthenticated: close the connection instead of taking in the rest of a body nobody will
        // read. Other refusals (413, 503 over the budget) let Node discard the rest of the body without
        // keeping it (within the request timeout), so that the sender reliably reads the answer and its
        // Retry-After instead of a connection reset.
        sendJson(res, e.status, { error: e.message }, { ...e.headers, ...(e.status === 401 ? { Connection: 'close' } : {}) });
      }
    },
  };

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    namespace: string,
    name: string,
  ): Promise<WebhookAnswer | { status: number; text: string; headers: Record<string, string> }> {
    const declared = declaredLength(req);
    if (declared !== undefined && declared > limit) {
      throw new HttpError(413, `body of ${declared} bytes is over the limit of ${limit} bytes`);
    }
    const { channel, token } = await authenticate(deps, namespace, name, req.headers.authorization);
    // After authentication: a refused request never reads its body, so it takes no share of the budget.
    const release = budget.tryTake(declared ?? limit);
    if (!release) {
      const why = 'webhook body budget spent (WEBHOOK_MAX_CONCURRENT)';
      throw new HttpError(503, 'too many webhook requests at once; retry', { 'Retry-After': '5' }, why);
    }
    res.once('close', release);
    const body = await readBody(req, limit);
    const hangUp = callerHangUp(res);
    try {
      if (deps.isLeader()) return await deliver(namespace, name, channel, body, hangUp.signal);
      const relayed = await forwardToLeader({
        endpoint: deps.leaderEndpoint(),
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
    webhook,
    ...forwardRoutes({
      getChannel: deps.getChannel,
      secrets: deps.secrets,
      isLeader: deps.isLeader,
      ownEndpoint: deps.ownEndpoint,
      budget,
      maxBodyBytes: limit,
      deliver: (namespace, name, ch, body, hangUp) =>
        deliver(namespace, name, ch, body, hangUp).catch((e: unknown) => {
          if (e instanceof HttpError) return { status: e.status, body: { error: e.message }, headers: e.headers };
          throw e;
        }),
      log: deps.log,
    }),
  ];
}
