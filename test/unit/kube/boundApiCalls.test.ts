// Every client-node call gets a wall-clock deadline unless it brings its own signal: against an API
// server that never answers, a call ends (TimeoutError) and its connection is closed.
import * as k8s from '@kubernetes/client-node';
import { boundApiCalls } from '../../../src/kube/client.js';
import { withSignal } from '../../../src/kube/leaseClient.js';
import { startHangingApiServer, type HangingApiServer } from './hangingApiServer.js';

let hanging: HangingApiServer;
beforeEach(async () => {
  hanging = await startHangingApiServer();
});
afterEach(() => hanging.close());

test('a call without a signal of its own ends at the deadline, and its request is closed', async () => {
  const core = boundApiCalls(hanging.kc, 200).makeApiClient(k8s.CoreV1Api);
  const err = await core.readNamespacedConfigMap({ namespace: 'ns', name: 'x' }).catch((e: unknown) => e);
  expect((err as Error).name).toBe('TimeoutError');
  await Promise.all(hanging.seen.map((r) => r.closed));
});

test("a caller's own signal wins over the default deadline", async () => {
  const core = boundApiCalls(hanging.kc, 60_000).makeApiClient(k8s.CoreV1Api);
  const mine = new AbortController();
  const call = core.readNamespacedConfigMap({ namespace: 'ns', name: 'x' }, withSignal(mine.signal)).catch((e: unknown) => e);
  mine.abort(new Error('mine'));
  expect(((await call) as Error).message).toBe('mine');
});
