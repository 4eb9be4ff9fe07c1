// status.delivery (the annotation alerts and test messages): the outcomes of earlier sends folded in,
// and the sends this status decides on, started only once it is written so a crash between the two
// never sends without a record. Last in the list: it plans against the status about to be written.
import type { ChannelStatus } from '../api/types.js';
import type { AnnotationRelay } from '../delivery/annotationRelay.js';
import type { Contribution, StatusContext, StatusContributor } from './statusContributor.js';

export function deliveryStatus(relay: Pick<AnnotationRelay, 'plan' | 'written' | 'forget'>): StatusContributor {
  return {
    name: 'delivery',
    contribute(ctx: StatusContext): Contribution {
      const plan = relay.plan(ctx.key, ctx.channel, ctx.resolved, ctx.status);
      const status: ChannelStatus = plan.status;
      return { status, written: () => relay.written(plan) };
    },
    forget: (key) => relay.forget(key),
  };
}
