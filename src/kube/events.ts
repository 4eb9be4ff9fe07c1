// Kubernetes Events on the channel, for `kubectl describe tgc`. Emitted on transitions only (the
// callers decide), and never allowed to fail a reconcile.
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { API_VERSION, FIELD_MANAGER, KIND } from '../api/contract.js';
import type { Logger } from '../log.js';
import { redact } from '../telegram/redact.js';

export interface EventTarget {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string };
}

export type EventRecorder = (obj: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export function makeEventRecorder(core: k8s.CoreV1Api, log: Logger, reportingInstance: string): EventRecorder {
  return (obj, type, reason, message) => {
    const now = new Date();
    const body: k8s.CoreV1Event = {
      metadata: { name: `${obj.metadata.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`, namespace: obj.metadata.namespace },
      involvedObject: { apiVersion: API_VERSION, kind: KIND, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      type,
      reason,
      message: redact(message).slice(0, 1024),
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: FIELD_MANAGER },
      reportingComponent: FIELD_MANAGER,
      reportingInstance,
    };
    core.createNamespacedEvent({ namespace: obj.metadata.namespace, body }).catch((e: unknown) => {
      log.warn({ namespace: obj.metadata.namespace, name: obj.metadata.name, reason, err: (e as Error).message }, 'could not record event');
    });
  };
}
