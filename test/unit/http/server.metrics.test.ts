// The HTTP server counts the answers of its routes by route pattern and status code (what the webhook
// 5xx alert and the dashboard read); health, metrics and unknown paths are not counted.
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { startHttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';

const ROUTE = '/webhooks/test/:namespace/:name';
let server: http.Server;
let base: string;
const metrics = createMetrics();

beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    metrics,
    ready: () => true,
    log: createLogger('silent'),
    routes: [
      {
        method: 'POST',
        path: ROUTE,
        handler: (_req, res, params) => {
          res.writeHead(params.name === 'broken' ? 502 : 200);
          res.end();
        },
      },
    ],
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

it('counts each route answer by the pattern (not the path) and the code', async () => {
  for (const name of ['a', 'b', 'broken']) await (await fetch(`${base}/webhooks/test/ns/${name}`, { method: 'POST' })).text();
  await (await fetch(`${base}/webhooks/test/ns/a`)).text(); // wrong method: 405
  await (await fetch(`${base}/healthz`)).text();
  await (await fetch(`${base}/nowhere`)).text();
  const lines = (await metrics.registry.getSingleMetricAsString('telegram_operator_http_responses_total'))
    .split('\n')
    .filter((l) => l.startsWith('telegram_operator_http_responses_total'))
    .sort();
  expect(lines).toEqual([
    `telegram_operator_http_responses_total{route="${ROUTE}",code="200"} 2`,
    `telegram_operator_http_responses_total{route="${ROUTE}",code="405"} 1`,
    `telegram_operator_http_responses_total{route="${ROUTE}",code="502"} 1`,
  ]);
});
