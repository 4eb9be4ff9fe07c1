// EventsWatching (spec.kubernetesEvents): whether the channel's Warning events are watched, as the
// events relay judges it; asking also keeps the channel's subscription current. Not on Ready.
import { ConditionTypes } from '../api/contract.js';
import type { EventsRelay } from '../events/eventsRelay.js';
import { withCondition, type StatusContributor } from './statusContributor.js';

export function eventsStatus(events: Pick<EventsRelay, 'condition' | 'forget'>): StatusContributor {
  return {
    name: 'events',
    contribute: (ctx) => ({ status: withCondition(ctx, ConditionTypes.EventsWatching, events.condition(ctx.channel)) }),
    forget: (key) => events.forget(key),
  };
}
