// Preload for the operator (NODE_OPTIONS="--import <this file>") that tries the proposed scale fix
// without touching src/: client-node's KubeConfig keeps one undici dispatcher instead of building a
// new one (a new TLS connection) for every API call. Used by `BENCH_VARIANT=reuse-dispatcher`.
import * as k8s from '@kubernetes/client-node';

const proto = k8s.KubeConfig.prototype;
const create = proto.createDispatcher;
const cache = new WeakMap();
proto.createDispatcher = function createDispatcherOnce(cluster, opts) {
  let d = cache.get(this);
  if (!d) {
    d = create.call(this, cluster, opts);
    cache.set(this, d);
  }
  return d;
};
