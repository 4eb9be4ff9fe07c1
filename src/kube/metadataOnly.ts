// Lists and watches that return object metadata only, through the apiserver's content negotiation
// (the PartialObjectMetadata media types, as client-go's metadata client uses). For Secrets this
// means the data of Secrets the operator does not use never leaves the apiserver: a cluster's Helm
// release Secrets (up to 1 MB each) would otherwise pass through the operator's heap on every list.
// No fallback to full objects: an apiserver that cannot serve metadata (older than 1.15) fails the
// request with 406, which is logged and retried, rather than streaming every Secret in full.
import * as k8s from '@kubernetes/client-node';
import { OUTBOUND } from '../net/outbound.js';
import type { KubeObject, ListResult } from './objects.js';

export const ACCEPT_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const ACCEPT_METADATA_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/**
 * The same KubeConfig, but every request authenticated through it also asks for `accept`.
 * client-node's Watch takes no headers, and builds its request from applySecurityAuthentication:
 * this is the one hook it offers, so the watch loop (and its timeouts) stays client-node's own.
 */
export function withAccept(kc: k8s.KubeConfig, accept: string): k8s.KubeConfig {
  const derived = Object.create(kc) as k8s.KubeConfig;
  derived.applySecurityAuthentication = async (context: k8s.RequestContext) => {
    await kc.applySecurityAuthentication(context);
    context.setHeaderParam('Accept', accept);
  };
  return derived;
}

interface PartialObjectMetadataList {
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: { metadata?: KubeObject['metadata'] }[];
}

/**
 * Lists `path` (e.g. /api/v1/secrets) as metadata only, in pages, keeping name, namespace and
 * resourceVersion of each object (and its labels with `labels`). Failures throw with `code` and `body` like client-node's ApiException.
 */
export async function listMetadata(
  kc: k8s.KubeConfig,
  path: string,
  pageSize: number,
  opts: { labels?: boolean } = {},
): Promise<ListResult<KubeObject>> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('No currently active cluster');
  const http = new k8s.IsomorphicFetchHttpLibrary();
  const items: KubeObject[] = [];
  let resourceVersion: string;
  let token: string | undefined;
  do {
    const url = new URL(server + path);
    url.searchParams.set('limit', String(pageSize));
    if (token) url.searchParams.set('continue', token);
    const context = new k8s.RequestContext(url.toString(), k8s.HttpMethod.GET);
    await withAccept(kc, ACCEPT_METADATA_LIST).applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(OUTBOUND.kubeApi.deadlineMs));
    const response = await http.send(context).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode !== 200) {
      const error = new Error(`HTTP ${response.httpStatusCode} listing ${path} (metadata only)`);
      throw Object.assign(error, { code: response.httpStatusCode, body: text });
    }
    const page = JSON.parse(text) as PartialObjectMetadataList;
    if (page.kind !== 'PartialObjectMetadataList') {
      throw new Error(`the apiserver answered ${page.kind ?? 'no kind'} to a metadata-only list of ${path}`);
    }
    for (const item of page.items ?? []) {
      const m = item.metadata;
      if (!m?.name) continue;
      const kept: KubeObject['metadata'] = { name: m.name, namespace: m.namespace, resourceVersion: m.resourceVersion };
      // Labels only when asked (namespaces: a ClusterTelegramBot's allowedNamespaces selector reads them).
      if (opts.labels && m.labels) kept.labels = m.labels;
      items.push({ metadata: kept });
    }
    resourceVersion = page.metadata?.resourceVersion ?? '';
    token = page.metadata?.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}

/**
 * GETs one object's metadata (e.g. /api/v1/namespaces/ns/secrets/name): its labels and version, never
 * its data. undefined when it does not exist; other failures throw with `code` like listMetadata's.
 */
export async function getMetadata(
  kc: k8s.KubeConfig,
  path: string,
): Promise<{ resourceVersion: string; labels: Record<string, string> } | undefined> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('No currently active cluster');
  const context = new k8s.RequestContext(server + path, k8s.HttpMethod.GET);
  await withAccept(kc, ACCEPT_METADATA_WATCH).applySecurityAuthentication(context);
  context.setSignal(AbortSignal.timeout(OUTBOUND.secretLabels.deadlineMs));
  const response = await new k8s.IsomorphicFetchHttpLibrary().send(context).toPromise();
  const text = await response.body.text();
  if (response.httpStatusCode === 404) return undefined;
  if (response.httpStatusCode !== 200) {
    const error = new Error(`HTTP ${response.httpStatusCode} reading ${path} (metadata only)`);
    throw Object.assign(error, { code: response.httpStatusCode });
  }
  const obj = JSON.parse(text) as { kind?: string; metadata?: { resourceVersion?: string; labels?: Record<string, string> } };
  if (obj.kind !== 'PartialObjectMetadata')
    throw new Error(`the apiserver answered ${obj.kind ?? 'no kind'} to a metadata-only read of ${path}`);
  return { resourceVersion: obj.metadata?.resourceVersion ?? '', labels: obj.metadata?.labels ?? {} };
}

/**
 * What a watcher of `path` needs to see it as metadata only and keep nothing but each object's identity
 * and version (whatever the server sent): the list, the watch's Accept header and what is kept.
 */
export function metadataOnlyWatch(
  kc: k8s.KubeConfig,
  path: string,
  pageSize: number,
): { path: string; list: () => Promise<ListResult<KubeObject>>; accept: string; keep: (raw: unknown) => KubeObject } {
  return {
    path,
    list: () => listMetadata(kc, path, pageSize),
    accept: ACCEPT_METADATA_WATCH,
    keep: (raw) => {
      const m = (raw as KubeObject).metadata;
      return { metadata: { name: m.name, namespace: m.namespace, resourceVersion: m.resourceVersion } };
    },
  };
}
