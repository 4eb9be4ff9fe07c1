// The AlertmanagerConfigured condition (spec.alertmanager.config): brings the generated
// AlertmanagerConfig in line and says how that went, with its own next look. Not on Ready.
import { ConditionTypes } from '../api/contract.js';
import { findCondition } from '../api/conditions.js';
import type { AlertmanagerConfigs } from '../alertmanagerConfig/configurer.js';
import { withCondition, type Contribution, type StatusContext, type StatusContributor } from './statusContributor.js';

export function alertmanagerConfigStatus(configs: Pick<AlertmanagerConfigs, 'configure' | 'forget'>): StatusContributor {
  return {
    name: 'alertmanagerConfig',
    async contribute(ctx: StatusContext): Promise<Contribution> {
      const outcome = await configs.configure(ctx.channel, findCondition(ctx.status.conditions, ConditionTypes.AlertmanagerConfigured));
      if (outcome.kind === 'unchanged') return { status: ctx.status };
      if (outcome.kind === 'remove') return { status: withCondition(ctx, ConditionTypes.AlertmanagerConfigured, undefined) };
      return { status: withCondition(ctx, ConditionTypes.AlertmanagerConfigured, outcome.verdict), requeueAfterMs: outcome.requeueAfterMs };
    },
    forget: (key) => configs.forget(key),
  };
}
