// The one place that builds client-node clients. Everything else talks to these through the
// small functions in this folder, so client-node's quirks stay here.
import * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';

export interface KubeClients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
  coordination: k8s.CoordinationV1Api;
}

/** KUBECONFIG (or ~/.kube/config) outside a cluster, the ServiceAccount inside one. */
export function loadKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return poolConnections(kc);
}

/**
 * client-node 2.0 builds a new undici Agent — so a new TCP and TLS connection — for every API call
 * (KubeConfig.createDispatcher, called from applySecurityAuthentication). At thousands of calls
 * that handshake dominates the operator's CPU and the apiserver's. This keeps one Agent per distinct
 * connection setup (CA, client certificate, proxy), so connections are pooled and reused; a rotated
 * client certificate is a new setup and gets a new Agent.
 */
export function poolConnections(kc: k8s.KubeConfig): k8s.KubeConfig {
  const target = kc as unknown as { createDispatcher: (cluster: unknown, options: unknown) => unknown };
  const create = target.createDispatcher.bind(kc);
  const pool = new Map<string, unknown>();
  target.createDispatcher = (cluster, options) => {
    const setup = kc.createDispatcherOptions(cluster as k8s.Cluster | null, options as Parameters<k8s.KubeConfig['createDispatcherOptions']>[1]);
    const key = createHash('sha256').update(JSON.stringify(setup)).digest('hex');
    if (!pool.has(key)) {
      if (pool.size >= 8) pool.clear(); // setups only change on rotation: keep the pool small
      pool.set(key, create(cluster, options));
    }
    return pool.get(key);
  };
  return kc;
}

export function makeClients(kc: k8s.KubeConfig): KubeClients {
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
  };
}
