// A watch on the AlertmanagerConfigs the operator created (label app.kubernetes.io/managed-by), metadata
// only: someone deleting or editing one wakes its channel, whose reconcile puts it back. Started only
// once the operator has applied one (so the CRD exists and the RBAC piece is installed): without them a
// watch could only fail and retry, every 30 s, forever.
import type * as k8s from '@kubernetes/client-node';
import { LIST_PAGE_SIZE } from '../kube/channels.js';
import { metadataOnlyWatch } from '../kube/metadataOnly.js';
import type { Logger } from '../observability/log.js';
import type { KubeObject } from '../kube/objects.js';
import { ResourceWatcher } from '../runtime/resourceWatcher.js';
import { AMC, OWNED_SELECTOR } from './desired.js';

export interface OwnedConfigs {
  /** Starts the watch (once; later calls do nothing). */
  start(): void;
  stop(): void;
  /** True once the watch has listed: from then on, absent means absent. */
  synced(): boolean;
  /** The resourceVersion the watch last saw of this object, if it exists. */
  resourceVersion(namespace: string, name: string): string | undefined;
}

export function ownedConfigsPath(namespace: string | undefined): string {
  const base = namespace
    ? `/apis/${AMC.group}/${AMC.version}/namespaces/${namespace}/${AMC.plural}`
    : `/apis/${AMC.group}/${AMC.version}/${AMC.plural}`;
  return `${base}?labelSelector=${encodeURIComponent(OWNED_SELECTOR)}`;
}

export function watchOwnedConfigs(opts: {
  kc: k8s.KubeConfig;
  namespaces: string[]; // empty: all
  resyncMs: number;
  log: Logger;
  /** An object of the channel "namespace/name" changed or went away. */
  wake: (key: string) => void;
}): OwnedConfigs {
  const scopes = opts.namespaces.length ? opts.namespaces : [undefined];
  let started = false;
  const wake = (obj: KubeObject) => opts.wake(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
  const watchers = scopes.map(
    (ns) =>
      new ResourceWatcher<KubeObject>(
        opts.kc,
        { upsert: (obj, prev) => prev !== obj && wake(obj), deleted: wake },
        {
          ...metadataOnlyWatch(opts.kc, ownedConfigsPath(ns), LIST_PAGE_SIZE),
          forbiddenHint:
            'install the alertmanagerconfig RBAC piece (deploy/components/alertmanagerconfig, or Helm alertmanagerConfig.enabled)',
          resyncMs: opts.resyncMs,
          log: opts.log,
        },
      ),
  );
  return {
    start: () => {
      if (started) return;
      started = true;
      opts.log.info({ selector: OWNED_SELECTOR }, 'watching the AlertmanagerConfigs the operator owns');
      for (const w of watchers) w.start();
    },
    stop: () => watchers.forEach((w) => w.stop()),
    synced: () => started && watchers.every((w) => w.hasSynced()),
    resourceVersion: (namespace, name) => {
      for (const w of watchers) {
        const o = w.get(namespace, name);
        if (o) return o.metadata.resourceVersion;
      }
      return undefined;
    },
  };
}
