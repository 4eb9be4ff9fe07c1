// EventsWatching (spec.kubernetesEvents): whether the channel's Warning events are watched, as the
// events relay judges it; asking also keeps the channel's subscription current. Not on Ready.
import { CONDITION_EVENTS_WATCHING } from '../api/contract.js';
import type { EventsRelay } from '../events/eventsRelay.js';
import { withCondition, type StatusContributor } from './statusContributor.js';

export function eventsStatus(events: Pick<EventsRelay, 'condition' | 'forget'>): StatusContributor {
  return {
    name: 'events',
    contribute: (ctx) => ({ status: withCondition(ctx, CONDITION_EVENTS_WATCHING, events.condition(ctx.channel)) }),
    forget: (key) => events.forget(key),
  };
}
