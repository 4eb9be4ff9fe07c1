// The relay with its real parts: the Events API, the watches, the ConfigMaps of what was sent (in the
// operator's namespace, beside the episodes). main.ts builds it in one call.
import * as k8s from '@kubernetes/client-node';
import { episodeConfigMaps } from '../kube/episodeConfigMaps.js';
import { listWarningEvents } from '../kube/warningEvents.js';
import { EventWatches } from './eventWatches.js';
import { EventsRelay, type EventsRelayDeps } from './eventsRelay.js';
import { SentRecords } from './sentRecords.js';

export interface EventsRelayWiring extends Omit<EventsRelayDeps, 'watches' | 'records'> {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  /** The operator's own namespace: where the records of what was sent live. */
  namespace: string;
}

export function buildEventsRelay(w: EventsRelayWiring): EventsRelay {
  const api = w.kc.makeApiClient(k8s.EventsV1Api);
  return new EventsRelay({
    ...w,
    records: new SentRecords(episodeConfigMaps(w.core, w.namespace), w.log),
    watches: (handlers) => new EventWatches({ kc: w.kc, list: (scope) => listWarningEvents(api, scope), log: w.log, ...handlers }),
  });
}
