// The Lease calls go through client-node for real, to a server that takes the request and never
// answers: aborting the signal must end the HTTP request itself (the server sees the connection
// close), not just stop waiting for it.
import * as k8s from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { leaseClient, untilAborted } from '../../../src/kube/leaseClient.js';

let server: http.Server;
let seen: { method: string; url: string; closed: Promise<void> }[];
let api: k8s.CoordinationV1Api;

beforeEach(async () => {
  seen = [];
  server = http.createServer((req) => {
    // Read the request, then say nothing: a partitioned API server.
    const closed = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    seen.push({ method: req.method ?? '', url: req.url ?? '', closed });
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
  api = kc.makeApiClient(k8s.CoordinationV1Api);
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const waitForRequest = async () => {
  for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(seen).toHaveLength(1);
  return seen[0]!;
};

test.each([
  ['read', (c: ReturnType<typeof leaseClient>, s: AbortSignal) => c.read(s), 'GET'],
  ['replace', (c: ReturnType<typeof leaseClient>, s: AbortSignal) => c.replace({ metadata: { name: 'l' } }, s), 'PUT'],
  ['create', (c: ReturnType<typeof leaseClient>, s: AbortSignal) => c.create({ metadata: { name: 'l' } }, s), 'POST'],
])('aborting a hanging %s ends the request on the wire', async (_name, call, method) => {
  const controller = new AbortController();
  const result = call(leaseClient(api, 'ns', 'l'), controller.signal).catch((e: unknown) => e);
  const req = await Promise.race([
    waitForRequest(),
    result.then((e) => {
      throw e;
    }),
  ]);
  expect(req.method).toBe(method);
  expect(req.url).toContain('/apis/coordination.k8s.io/v1/namespaces/ns/leases');
  controller.abort(new Error('deadline'));
  const err = await result;
  expect(err).toBeInstanceOf(Error);
  await req.closed; // the client closed the connection: the request is really gone
});

test('untilAborted settles at the abort even if the call never does', async () => {
  const controller = new AbortController();
  const pending = untilAborted(new Promise<never>(() => undefined), controller.signal).catch((e: unknown) => (e as Error).message);
  controller.abort(new Error('renew deadline passed'));
  expect(await pending).toBe('renew deadline passed');
  expect(await untilAborted(Promise.resolve(7), new AbortController().signal)).toBe(7);
  const already = new AbortController();
  already.abort(new Error('late'));
  await expect(untilAborted(Promise.resolve(1), already.signal)).rejects.toThrow('late');
});
