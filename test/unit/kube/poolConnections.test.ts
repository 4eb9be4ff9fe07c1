// One connection pool per distinct connection setup: the same CA and client certificate reuse the
// pool; a rotated certificate gets a new one.
import * as k8s from '@kubernetes/client-node';
import { poolConnections } from '../../../src/kube/client.js';

type Dispatching = { createDispatcher: (cluster: unknown, options: unknown) => unknown };
const cluster = { name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false } as k8s.Cluster;
const pem = (fill: string) => Buffer.from(`-----BEGIN CERTIFICATE-----\n${fill.repeat(64)}\n-----END CERTIFICATE-----\n`);

test('the same setup gets the same dispatcher; a different certificate or CA a new one', () => {
  const kc = poolConnections(new k8s.KubeConfig()) as unknown as Dispatching;
  const setup = (cert: string, ca = 'C') => ({ ca: pem(ca), cert: pem(cert), key: pem('K') });
  const first = kc.createDispatcher(cluster, setup('A'));
  expect(kc.createDispatcher(cluster, setup('A'))).toBe(first); // equal bytes, new Buffer objects
  const rotated = kc.createDispatcher(cluster, setup('B'));
  expect(rotated).not.toBe(first);
  expect(kc.createDispatcher(cluster, setup('A', 'D'))).not.toBe(first);
  expect(kc.createDispatcher(cluster, setup('B'))).toBe(rotated);
});
