// The CRD's length limits on status strings, and the one function that fits a whole status into them
// before it is written. Without it, one over-long string (an error naming a 5,000-character tag) makes
// the API server refuse every status write with 422: conditions freeze and sends are never recorded.
// The table below is checked against crds/*.yaml by a unit test, so the two cannot drift apart.
import type { ChannelStatus, Condition, DeliveryStatus } from '../api/types.js';

/** maxLength of every status string the CRD limits, by its path under `status` (`[]` = each item). */
export const STATUS_STRING_LIMITS = {
  'conditions[].type': 316,
  'conditions[].reason': 1024,
  'conditions[].message': 32768,
  'delivery.lastError': 4096,
} as const;

export const ELLIPSIS = '…';

/**
 * At most `max` UTF-16 units (the API server counts characters, never more than UTF-16 units), ending
 * in an ellipsis when cut, and never ending in half of a surrogate pair.
 */
export function truncateText(text: string, max: number, ellipsis = ELLIPSIS): string {
  if (text.length <= max) return text;
  let cut = Math.max(max - ellipsis.length, 0);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // do not keep a lone high surrogate
  return text.slice(0, cut) + ellipsis.slice(0, max - cut);
}

/** The same status with every limited string cut to fit. Reasons and types are cut without an ellipsis (their pattern forbids one). */
export function fitStatusToCrd(status: ChannelStatus): ChannelStatus {
  const out: ChannelStatus = { ...status };
  if (status.conditions) out.conditions = status.conditions.map(fitCondition);
  if (status.delivery) out.delivery = fitDelivery(status.delivery);
  return out;
}

function fitCondition(c: Condition): Condition {
  return {
    ...c,
    type: truncateText(c.type, STATUS_STRING_LIMITS['conditions[].type'], ''),
    reason: truncateText(c.reason, STATUS_STRING_LIMITS['conditions[].reason'], ''),
    message: truncateText(c.message, STATUS_STRING_LIMITS['conditions[].message']),
  };
}

function fitDelivery(d: DeliveryStatus): DeliveryStatus {
  return d.lastError === undefined ? d : { ...d, lastError: truncateText(d.lastError, STATUS_STRING_LIMITS['delivery.lastError']) };
}
