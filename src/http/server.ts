// The operator's one HTTP port: health, readiness, metrics and (when wired) webhook routes.
import http from 'node:http';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, string>) => Promise<void> | void;

export interface Route {
  method: string;
  /** A path pattern with :params, e.g. /webhooks/alertmanager/:namespace/:name */
  path: string;
  handler: RouteHandler;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  metrics: Metrics;
  ready: () => boolean;
  log: Logger;
  routes?: Route[];
  /** How long a client may take to send the request headers (default 10 s). */
  headersTimeoutMs?: number;
  /** How long a client may take to send the whole request, body included (default 30 s): a slow upload is cut. */
  requestTimeoutMs?: number;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** An answer already serialized as JSON (e.g. relayed from the leader as it came). */
export function sendJsonText(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) {
      try {
        params[p[i]!.slice(1)] = decodeURIComponent(a[i]!);
      } catch {
        return undefined;
      }
    } else if (p[i] !== a[i]) return undefined;
  }
  return params;
}

export function startHttpServer(opts: HttpServerOptions): Promise<http.Server> {
  // Short limits on receiving a request: a client trickling headers or a body (slow loris) holds a
  // socket and, for a webhook, part of the body budget; it is cut after these (checked every second).
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(opts.headersTimeoutMs ?? 10_000, requestTimeout);
  const timeouts = { headersTimeout, requestTimeout, connectionsCheckingInterval: 1_000 };
  // Every failure is answered inside: the request listener never rejects.
  const listener = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/readyz') {
        const ok = opts.ready();
        return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready: watches not synced yet' });
      }
      if (req.method === 'GET' && path === '/metrics') {
        const text = await opts.metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': opts.metrics.registry.contentType });
        res.end(text);
        return;
      }
      for (const r of opts.routes ?? []) {
        const params = match(r.path, path);
        if (!params) continue;
        res.once('finish', () => opts.metrics.httpResponses.inc({ route: r.path, code: String(res.statusCode) }));
        if (req.method !== r.method) return sendJson(res, 405, { error: `use ${r.method}` }, { Allow: r.method });
        return await r.handler(req, res, params);
      }
      sendJson(res, 404, { error: 'not found' });
    } catch (e) {
      opts.log.error({ path, err: e }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  };
  const server = http.createServer(timeouts, (req, res) => void listener(req, res));
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve(server));
  });
}
