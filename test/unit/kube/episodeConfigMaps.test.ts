// The episode store's ConfigMap calls go through client-node for real, to a server that takes the
// request and never answers (a hung API server): each call must give up on its own deadline, with
// the request torn down and a merge patch still sent as one.
import * as k8s from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { episodeConfigMaps } from '../../../src/kube/episodeConfigMaps.js';

let server: http.Server;
let seen: { method: string; url: string; contentType: string; closed: Promise<void> }[];
let core: k8s.CoreV1Api;

beforeEach(async () => {
  seen = [];
  server = http.createServer((req) => {
    const closed = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    seen.push({ method: req.method ?? '', url: req.url ?? '', contentType: String(req.headers['content-type']), closed });
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'unit-test' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  core = kc.makeApiClient(k8s.CoreV1Api);
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test.each([
  ['get', (api: ReturnType<typeof episodeConfigMaps>) => api.get('telegram-episodes-x'), 'GET'],
  ['create', (api: ReturnType<typeof episodeConfigMaps>) => api.create('telegram-episodes-x', {}, {}), 'POST'],
  ['patch', (api: ReturnType<typeof episodeConfigMaps>) => api.patch('telegram-episodes-x', '7', { a: 'b' }), 'PATCH'],
  ['list', (api: ReturnType<typeof episodeConfigMaps>) => api.list('a=b'), 'GET'],
  ['delete', (api: ReturnType<typeof episodeConfigMaps>) => api.delete('telegram-episodes-x'), 'DELETE'],
])('a hung API server: %s gives up on its deadline and ends the request', async (_name, call, method) => {
  const started = Date.now();
  const err = await call(episodeConfigMaps(core, 'ns', 200)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as { name?: string } | undefined)?.name).toBe('TimeoutError');
  expect(Date.now() - started).toBeLessThan(4_000);
  expect(seen).toHaveLength(1);
  expect(seen[0]!.method).toBe(method);
  expect(seen[0]!.url).toContain('/api/v1/namespaces/ns/configmaps');
  if (method === 'PATCH') expect(seen[0]!.contentType).toBe('application/merge-patch+json');
  await seen[0]!.closed;
});
