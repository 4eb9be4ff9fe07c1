// Who asked for which events, as pure functions of the channels' specs and the operator's trust list
// (EVENTS_CLUSTER_NAMESPACES): a channel relays its own namespace's events; namespaceSelector, and with
// it the events of cluster-scoped objects such as Nodes, only in a trusted namespace. From the
// subscriptions follow the watches: one per namespace, or one cluster-wide when a trusted channel's
// selector needs it (which covers every namespace, so no per-namespace watch runs beside it).
import { selectorMatches } from '../api/botAllowed.js';
import { parseDuration } from '../api/duration.js';
import type { KubernetesEventsSpec, LabelSelector } from '../api/types.js';
import type { WarningEvent } from './warningEvent.js';

export interface Subscription {
  /** The channel's key, "namespace/name". */
  key: string;
  namespace: string;
  /** Empty: every reason. */
  reasons: ReadonlySet<string>;
  /** Empty: every kind. */
  kinds: ReadonlySet<string>;
  windowMs: number;
  /** Other namespaces (and cluster-scoped objects) this channel relays: set only when honoured. */
  selector?: LabelSelector;
  /** namespaceSelector was set in a namespace the operator does not trust: ignored, and said so in status. */
  selectorRefused: boolean;
}

/** The label every namespace carries with its own name (Kubernetes 1.21+), for when no namespace labels are known. */
const NAME_LABEL = 'kubernetes.io/metadata.name';
const DEFAULT_WINDOW_MS = 10 * 60_000;

export function subscriptionOf(
  key: string,
  namespace: string,
  spec: KubernetesEventsSpec,
  clusterNamespaces: readonly string[],
): Subscription {
  const trusted = clusterNamespaces.includes(namespace);
  return {
    key,
    namespace,
    reasons: new Set(spec.reasons),
    kinds: new Set(spec.kinds),
    windowMs: parseDuration(spec.window) ?? DEFAULT_WINDOW_MS,
    ...(trusted && spec.namespaceSelector ? { selector: spec.namespaceSelector } : {}),
    selectorRefused: !trusted && spec.namespaceSelector !== undefined,
  };
}

/** Cluster-wide, in the watch scopes below. */
export const CLUSTER_SCOPE = '';

/** The watches the subscriptions need: namespace names, or CLUSTER_SCOPE alone. */
export function watchScopes(subs: Iterable<Subscription>): Set<string> {
  const namespaces = new Set<string>();
  for (const s of subs) {
    if (s.selector) return new Set([CLUSTER_SCOPE]);
    namespaces.add(s.namespace);
  }
  return namespaces;
}

/** The scope whose watch serves a subscription. */
export function scopeOf(sub: Subscription): string {
  return sub.selector ? CLUSTER_SCOPE : sub.namespace;
}

/**
 * Does this channel relay this event? The reason and kind filters first, then tenancy: an object in
 * the channel's own namespace, or (selector honoured) a namespace the selector matches, or a
 * cluster-scoped object. `labelsOf` gives a namespace's labels when known.
 */
export function relays(
  sub: Subscription,
  e: WarningEvent,
  labelsOf: (namespace: string) => Readonly<Record<string, string>> | undefined,
): boolean {
  if (sub.reasons.size > 0 && !sub.reasons.has(e.reason)) return false;
  if (sub.kinds.size > 0 && !sub.kinds.has(e.regarding.kind)) return false;
  const clusterScoped = e.regarding.namespace === '';
  // An event about a namespaced object recorded in another namespace is not that namespace's to see.
  const objectNamespace = clusterScoped ? e.namespace : e.regarding.namespace;
  if (!clusterScoped && objectNamespace === sub.namespace && e.namespace === sub.namespace) return true;
  if (!sub.selector) return false;
  if (clusterScoped) return true;
  if (e.namespace !== objectNamespace) return false;
  // metav1 semantics here: {} selects every namespace (a bot's allowedNamespaces reads {} as none).
  if (Object.keys(sub.selector.matchLabels ?? {}).length === 0 && !sub.selector.matchExpressions?.length) return true;
  const labels = labelsOf(objectNamespace) ?? { [NAME_LABEL]: objectNamespace };
  return selectorMatches(sub.selector, labels);
}
