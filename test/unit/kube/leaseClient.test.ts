// The Lease calls go through client-node for real, to a server that takes the request and never
// answers: aborting the signal must end the HTTP request itself (the server sees the connection
// close), not just stop waiting for it.
import * as k8s from '@kubernetes/client-node';
import { leaseClient, untilAborted } from '../../../src/kube/leaseClient.js';
import { hangingApiServerPerTest } from './hangingApiServer.js';

const hanging = hangingApiServerPerTest();
let api: k8s.CoordinationV1Api;
beforeEach(() => {
  api = hanging.current.kc.makeApiClient(k8s.CoordinationV1Api);
});

const waitForRequest = async () => {
  for (let i = 0; i < 200 && hanging.current.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(hanging.current.seen).toHaveLength(1);
  return hanging.current.seen[0]!;
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
