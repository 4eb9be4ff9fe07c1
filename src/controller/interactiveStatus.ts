// The Interactive condition (spec.alertmanager.silence): whether the channel's silence buttons can
// work, as src/interaction/ judges it from the channel verification resolved. Not on Ready.
import { ConditionTypes } from '../api/contract.js';
import type { Interaction } from '../interaction/interaction.js';
import { withCondition, type Contribution, type StatusContext, type StatusContributor } from './statusContributor.js';

export function interactiveStatus(interaction: Pick<Interaction, 'condition' | 'forget'>): StatusContributor {
  return {
    name: 'interactive',
    async contribute(ctx: StatusContext): Promise<Contribution> {
      const verdict = await interaction.condition(ctx.channel, ctx.resolved, ctx.verified);
      return { status: withCondition(ctx, ConditionTypes.Interactive, verdict) };
    },
    forget: (key) => interaction.forget(key),
  };
}
