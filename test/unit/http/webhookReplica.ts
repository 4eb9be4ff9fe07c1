// One operator replica's webhook routes on 127.0.0.1, over real HTTP, with the caller's fake channels,
// Secrets and sender: what the webhook and the source tests start, as leader or follower.
import type http from 'node:http';
import { DeliveryLedger } from '../../../src/delivery/ledger.js';
import type { Sender } from '../../../src/delivery/sender.js';
import { DeliveryService } from '../../../src/delivery/service.js';
import { startHttpServer } from '../../../src/http/server.js';
import { webhookRoutes, type WebhookDeps } from '../../../src/http/webhook.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { freePort } from '../../harness/controlPlane.js';

export interface ReplicaOptions extends Pick<WebhookDeps, 'getChannel' | 'secrets' | 'maxConcurrent' | 'maxBodyBytes' | 'sources'> {
  sender: Sender;
  leader: boolean;
  leaderEndpoint?: () => string | undefined;
  requestTimeoutMs?: number;
  /** Default: every channel resolves to its own spec, with a bot token and a chat id. */
  resolver?: ConstructorParameters<typeof DeliveryService>[0]['resolver'];
}

/** Starts the replica; its URL, and its server for the caller to close. */
export async function startReplica(opts: ReplicaOptions): Promise<{ url: string; server: http.Server }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createLogger('silent');
  const metrics = createMetrics();
  const delivery = new DeliveryService({
    sender: opts.sender,
    ledger: new DeliveryLedger({ log, requeue: () => {}, chatFailed: () => {} }),
    resolver: opts.resolver ?? { resolve: async (_ns, spec) => ({ ok: true, channel: { spec, token: '1:bot', chatId: '-100123' } }) },
    recordEvent: () => {},
    metrics,
    log,
  });
  const routes = webhookRoutes({
    getChannel: opts.getChannel,
    secrets: opts.secrets,
    delivery,
    isLeader: () => opts.leader,
    leaderEndpoint: opts.leaderEndpoint ?? (() => undefined),
    ownEndpoint: url,
    log,
    maxConcurrent: opts.maxConcurrent,
    maxBodyBytes: opts.maxBodyBytes,
    ...(opts.sources ? { sources: opts.sources } : {}),
  });
  const server = await startHttpServer({
    port,
    host: '127.0.0.1',
    metrics,
    ready: () => true,
    log,
    routes,
    requestTimeoutMs: opts.requestTimeoutMs,
  });
  return { url, server };
}
