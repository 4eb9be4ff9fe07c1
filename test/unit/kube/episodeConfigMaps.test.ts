// The episode store's ConfigMap calls go through client-node for real, to a server that takes the
// request and never answers (a hung API server): each call must give up on its own deadline, with
// the request torn down and a merge patch still sent as one.
import * as k8s from '@kubernetes/client-node';
import { episodeConfigMaps } from '../../../src/kube/episodeConfigMaps.js';
import { hangingApiServerPerTest } from './hangingApiServer.js';

const hanging = hangingApiServerPerTest();
let core: k8s.CoreV1Api;
beforeEach(() => {
  core = hanging.current.kc.makeApiClient(k8s.CoreV1Api);
});

test.each([
  ['get', (api: ReturnType<typeof episodeConfigMaps>) => api.get('telegram-episodes-x'), 'GET'],
  ['create', (api: ReturnType<typeof episodeConfigMaps>) => api.create('telegram-episodes-x', {}, {}), 'POST'],
  ['patch', (api: ReturnType<typeof episodeConfigMaps>) => api.patch('telegram-episodes-x', '7', { a: 'b' }), 'PATCH'],
  ['list', (api: ReturnType<typeof episodeConfigMaps>) => api.list('a=b'), 'GET'],
  ['delete', (api: ReturnType<typeof episodeConfigMaps>) => api.delete('telegram-episodes-x'), 'DELETE'],
])(
  'a hung API server: %s gives up on its deadline and ends the request',
  async (_name, call, method) => {
    // The same call with a minute's deadline (another namespace): still waiting when the short one
    // gives up, so it was that call's own deadline, not some shared timeout, that ended it. The short one
    // is a second, not less: on a loaded runner the request must still reach the server before it.
    let patientEnded = false;
    void call(episodeConfigMaps(core, 'patient', 60_000)).then(
      () => (patientEnded = true),
      () => (patientEnded = true),
    );
    const err = await call(episodeConfigMaps(core, 'ns', 1_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { name?: string } | undefined)?.name).toBe('TimeoutError');
    expect(patientEnded).toBe(false);
    const mine = hanging.current.seen.filter((r) => r.url.includes('/namespaces/ns/'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.method).toBe(method);
    expect(mine[0]!.url).toContain('/api/v1/namespaces/ns/configmaps');
    if (method === 'PATCH') expect(mine[0]!.contentType).toBe('application/merge-patch+json');
    await mine[0]!.closed;
  },
  20_000,
);
