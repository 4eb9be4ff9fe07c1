// The one place that builds client-node clients. Everything else talks to these through the
// small functions in this folder, so client-node's quirks stay here.
import * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { OUTBOUND } from '../net/outbound.js';

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
  return boundApiCalls(poolConnections(kc));
}

/**
 * client-node sets no deadline of its own on an API call: against a hung API server a call waits
 * forever, and with it the reconcile or press that made it. Every request built with this KubeConfig
 * gets a wall-clock deadline unless the caller passed a signal of its own (withSignal, which its
 * middleware sets after this). Watches build their request here too but use their own signal
 * (client-node bounds their idle time), so they are not cut.
 */
export function boundApiCalls(kc: k8s.KubeConfig, deadlineMs: number = OUTBOUND.kubeApi.deadlineMs): k8s.KubeConfig {
  const authenticate = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context: k8s.RequestContext) => {
    await authenticate(context);
    if (!context.getSignal()) context.setSignal(AbortSignal.timeout(deadlineMs));
  };
  return kc;
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
    const setup = kc.createDispatcherOptions(
      cluster as k8s.Cluster | null,
      options as Parameters<k8s.KubeConfig['createDispatcherOptions']>[1],
    );
    const key = fingerprint(setup);
    if (!pool.has(key)) {
      if (pool.size >= 8) pool.clear(); // setups only change on rotation: keep the pool small
      pool.set(key, create(cluster, options));
    }
    return pool.get(key);
  };
  return kc;
}

/**
 * A digest of a connection setup. Called on every API call, so certificates are hashed as bytes:
 * JSON.stringify would first turn each Buffer into an array of numbers (hundreds of MB of garbage
 * per minute at 10,000 channels).
 */
function fingerprint(setup: unknown): string {
  const hash = createHash('sha256');
  const walk = (value: unknown): void => {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
      hash.update(`b${value.length}:`).update(value);
    } else if (Array.isArray(value)) {
      hash.update('[');
      value.forEach(walk);
      hash.update(']');
    } else if (value !== null && typeof value === 'object') {
      hash.update('{');
      for (const k of Object.keys(value).sort()) {
        hash.update(`${JSON.stringify(k)}:`);
        walk((value as Record<string, unknown>)[k]);
      }
      hash.update('}');
    } else {
      hash.update(`${typeof value}:${JSON.stringify(String(value))};`);
    }
  };
  walk(setup);
  return hash.digest('hex');
}

export function makeClients(kc: k8s.KubeConfig): KubeClients {
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
  };
}
