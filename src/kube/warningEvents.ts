// Lists of events.k8s.io/v1 Events of type Warning, in one namespace or cluster-wide, in pages: what
// the Kubernetes events relay (src/events/) watches from. The watch paths carry the same field selector.
import type * as k8s from '@kubernetes/client-node';
import type { ListResult } from './objects.js';

export const WARNING_SELECTOR = 'type=Warning';
const PAGE_SIZE = 500;

/** The watch path of Warning events: one namespace's, or every namespace's when `namespace` is empty. */
export function warningEventsPath(namespace: string): string {
  const base = namespace ? `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/apis/events.k8s.io/v1/events';
  return `${base}?fieldSelector=${encodeURIComponent(WARNING_SELECTOR)}`;
}

/** Lists Warning events (`namespace` empty: cluster-wide). Failures throw client-node's ApiException (`code` 403 when RBAC refuses). */
export async function listWarningEvents(api: k8s.EventsV1Api, namespace: string): Promise<ListResult<unknown>> {
  const items: unknown[] = [];
  let token: string | undefined;
  let resourceVersion: string;
  do {
    const page = namespace
      ? await api.listNamespacedEvent({ namespace, fieldSelector: WARNING_SELECTOR, limit: PAGE_SIZE, _continue: token })
      : await api.listEventForAllNamespaces({ fieldSelector: WARNING_SELECTOR, limit: PAGE_SIZE, _continue: token });
    items.push(...page.items);
    resourceVersion = page.metadata?.resourceVersion ?? '';
    token = page.metadata?._continue || undefined;
  } while (token);
  return { items, resourceVersion };
}
