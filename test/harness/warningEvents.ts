// Kubernetes events as the kubelet records them (events.k8s.io/v1): one created per (object, reason),
// then only its series grows as it repeats, since an Event's note, reason and the rest are immutable.
import * as k8s from '@kubernetes/client-node';

export interface RecordedEvent {
  namespace: string;
  name: string;
  /** The object the event is about (`regarding`), in the event's namespace. */
  object: { kind: string; name: string; uid: string };
  reason: string;
  note: string;
  /** Default: Warning. */
  type?: string;
  /** The node that reported it. Default: node-1. */
  reportingInstance?: string;
}

export async function recordEvent(events: k8s.EventsV1Api, e: RecordedEvent): Promise<void> {
  await events.createNamespacedEvent({
    namespace: e.namespace,
    body: {
      metadata: { name: e.name },
      eventTime: new k8s.V1MicroTime(),
      reportingController: 'kubelet',
      reportingInstance: e.reportingInstance ?? 'node-1',
      action: 'Run',
      type: e.type ?? 'Warning',
      reason: e.reason,
      note: e.note,
      regarding: { apiVersion: 'v1', kind: e.object.kind, namespace: e.namespace, name: e.object.name, uid: e.object.uid },
    },
  });
}

/** The event happened again: its series grows to `count` (what the kubelet's recorder does for a crash loop). */
export async function repeatEvent(events: k8s.EventsV1Api, namespace: string, name: string, count: number): Promise<void> {
  const body = { series: { count, lastObservedTime: new k8s.V1MicroTime().toISOString() } };
  await events.patchNamespacedEvent({ namespace, name, body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
}
