// Kubernetes Events on the channel, for `kubectl describe tgc`. Emitted on transitions only (the
// callers decide), and never allowed to fail a reconcile.
import type * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { API_VERSION, FIELD_MANAGER, KIND } from '../api/contract.js';
import type { Logger } from '../observability/log.js';
import { redact } from '../observability/redact.js';
import { ELLIPSIS, truncateText } from './statusLimits.js';

export interface EventTarget {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string };
}

/**
 * The API server's limits for an Event (validation of events.k8s.io/v1, which core/v1 clients should
 * respect as well): note/message 1 KiB, reason and reportingInstance 128, the name a DNS subdomain (253).
 */
export const EVENT_LIMITS = { messageBytes: 1024, reason: 128, reportingInstance: 128, name: 253 } as const;

/** The suffix that makes each Event's name unique: "." + 11-12 hex digits of time + 4 random. */
const NAME_SUFFIX_MAX = 17;

export type EventRecorder = (obj: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export function makeEventRecorder(core: k8s.CoreV1Api, log: Logger, reportingInstance: string): EventRecorder {
  return (obj, type, reason, message) => {
    const now = new Date();
    const body: k8s.CoreV1Event = {
      metadata: { name: eventName(obj.metadata.name, now), namespace: obj.metadata.namespace },
      involvedObject: {
        apiVersion: API_VERSION,
        kind: KIND,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      type,
      reason: truncateText(reason, EVENT_LIMITS.reason, ''),
      message: truncateUtf8(redact(message), EVENT_LIMITS.messageBytes),
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: FIELD_MANAGER },
      reportingComponent: FIELD_MANAGER,
      reportingInstance: truncateText(reportingInstance, EVENT_LIMITS.reportingInstance, ''),
    };
    core.createNamespacedEvent({ namespace: obj.metadata.namespace, body }).catch((e: unknown) => {
      log.warn({ namespace: obj.metadata.namespace, name: obj.metadata.name, reason, err: e }, 'could not record event');
    });
  };
}

/** `<channel>.<time><random>`, the channel's part shortened so a 253-character channel name still makes a valid name. */
export function eventName(channel: string, now: Date): string {
  const suffix = `.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`;
  return `${channel.slice(0, EVENT_LIMITS.name - NAME_SUFFIX_MAX).replace(/[.-]+$/, '')}${suffix}`;
}

/** At most `maxBytes` of UTF-8, cut on a character boundary and ending in an ellipsis when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(ELLIPSIS);
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > room) break;
    out += char;
    bytes += size;
  }
  return out + ELLIPSIS;
}
