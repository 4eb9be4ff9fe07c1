// An "API server" that reads each request and never answers (a partitioned or hung kube-apiserver),
// with a KubeConfig pointing at it, for unit tests of client-node calls that must give up on their own.
import * as k8s from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  contentType: string;
  /** Resolves when the client closes the connection: the request is really gone, not just unawaited. */
  closed: Promise<void>;
}

export interface HangingApiServer {
  kc: k8s.KubeConfig;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startHangingApiServer(): Promise<HangingApiServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req) => {
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
  return {
    kc,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One hanging server per test: started before each, closed after; `current` is the running test's. */
export function hangingApiServerPerTest(): { readonly current: HangingApiServer } {
  let current: HangingApiServer | undefined;
  beforeEach(async () => {
    current = await startHangingApiServer();
  });
  afterEach(() => current?.close());
  return {
    get current() {
      if (!current) throw new Error('the hanging API server runs only inside a test');
      return current;
    },
  };
}
