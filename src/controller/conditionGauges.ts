// The per-object condition gauges: a series for each channel condition (Ready, Interactive,
// AlertmanagerConfigured, TemplateValid, RoutesValid) and ClusterTelegramBot Ready that is not True, read from the watch cache on every
// replica, so the alerts still see the last written status when the leader is gone. Only what needs
// attention is exported: 10,000 healthy channels cost no series and no scrape time (Ready ones are counted
// by telegram_operator_channels). Reasons are labels only if they are the contract's: a status written by
// someone else cannot put an unbounded or secret value into a label.
import {
  AlertmanagerConfigReasons,
  BotRefReasons,
  ChatReasons,
  ConditionTypes,
  InteractiveReasons,
  ReadyReasons,
  RouteReasons,
  TemplateReasons,
  TokenReasons,
} from '../api/contract.js';
import type { ClusterTelegramBot, Condition, TelegramChannel } from '../api/types.js';
import type { Metrics } from '../observability/metrics.js';

/** The reason label of a channel nobody has written a Ready condition for yet. */
export const NOT_RECONCILED = 'NotReconciled';
/** The reason label of a reason the contract does not know. */
export const OTHER_REASON = 'Other';

const CHANNEL_CONDITIONS = [
  ConditionTypes.Ready,
  ConditionTypes.Interactive,
  ConditionTypes.AlertmanagerConfigured,
  // A broken template or route loses no alert, so it does not touch Ready: these make it visible.
  ConditionTypes.TemplateValid,
  ConditionTypes.RoutesValid,
];
const KNOWN_REASONS: ReadonlySet<string> = new Set<string>([
  ...TokenReasons,
  ...ChatReasons,
  ...InteractiveReasons,
  ...BotRefReasons,
  ...ReadyReasons,
  ...AlertmanagerConfigReasons,
  ...TemplateReasons,
  ...RouteReasons,
]);
const STATUSES: ReadonlySet<string> = new Set(['True', 'False', 'Unknown']);

export interface ConditionSeries {
  type: string;
  status: string;
  reason: string;
}

/** The series one object exports for `types`: the conditions not True, and Ready Unknown until it is written. */
export function conditionSeries(conditions: Condition[] | undefined, types: readonly string[]): ConditionSeries[] {
  const out: ConditionSeries[] = [];
  for (const type of types) {
    const c = conditions?.find((x) => x.type === type);
    if (!c || !STATUSES.has(c.status)) {
      if (type === ConditionTypes.Ready) out.push({ type, status: 'Unknown', reason: NOT_RECONCILED });
      continue;
    }
    if (c.status === 'True') continue;
    out.push({ type, status: c.status, reason: KNOWN_REASONS.has(c.reason) ? c.reason : OTHER_REASON });
  }
  return out;
}

/** Replaces every condition series with the cache's current state (a deleted object's series go). */
export function updateConditionGauges(metrics: Metrics, channels: TelegramChannel[], bots: ClusterTelegramBot[]): void {
  metrics.channelCondition.reset();
  for (const ch of channels) {
    const ids = { channel_namespace: ch.metadata.namespace ?? '', channel: ch.metadata.name };
    for (const s of conditionSeries(ch.status?.conditions, CHANNEL_CONDITIONS)) metrics.channelCondition.set({ ...ids, ...s }, 1);
  }
  metrics.botCondition.reset();
  for (const bot of bots) {
    for (const s of conditionSeries(bot.status?.conditions, [ConditionTypes.Ready]))
      metrics.botCondition.set({ bot: bot.metadata.name, ...s }, 1);
  }
}
