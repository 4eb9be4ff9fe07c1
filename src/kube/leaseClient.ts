// The three Lease calls leader election makes, each bounded by an AbortSignal. client-node gives an
// API call no deadline of its own (undici waits up to 300 s for response headers), and a leader
// whose renew hangs that long would go on sending long after another replica took over.
import * as k8s from '@kubernetes/client-node';

export interface LeaseClient {
  read(signal: AbortSignal): Promise<k8s.V1Lease>;
  create(body: k8s.V1Lease, signal: AbortSignal): Promise<k8s.V1Lease>;
  replace(body: k8s.V1Lease, signal: AbortSignal): Promise<k8s.V1Lease>;
}

/** One named Lease through client-node's CoordinationV1Api. */
export function leaseClient(api: k8s.CoordinationV1Api, namespace: string, name: string): LeaseClient {
  return {
    read: (signal) => api.readNamespacedLease({ namespace, name }, withSignal(signal)),
    create: (body, signal) => api.createNamespacedLease({ namespace, body }, withSignal(signal)),
    replace: (body, signal) => api.replaceNamespacedLease({ namespace, name, body }, withSignal(signal)),
  };
}

/**
 * Per-call options that hand the signal to fetch: a middleware sets it on the request context, and
 * client-node's fetch library passes `request.getSignal()` on (gen/http/isomorphic-fetch.js), so an
 * abort tears the request down, body included. The object-style API runs its middleware on the
 * Observable stub (gen/types/ObjectParamAPI.js), hence ObservableMiddleware. 'append' keeps the
 * client's own middleware.
 */
export function withSignal(signal: AbortSignal): k8s.ConfigurationOptions {
  const middleware: k8s.ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new k8s.Observable(Promise.resolve(context));
    },
    post: (response) => new k8s.Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/**
 * Settles no later than the abort, whatever the call does: a step that ignores the signal (an exec
 * credential plugin in client-node, say) cannot keep the caller waiting past its deadline.
 */
export function untilAborted<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    call.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('Lease call aborted at its deadline');
}
