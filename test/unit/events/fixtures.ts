// Warning events as the relay sees them (src/events/warningEvent.ts), for the events unit tests.
import type { WarningEvent } from '../../../src/events/warningEvent.js';

export const T0 = Date.UTC(2026, 11, 7, 6, 0, 0);

export function warningEvent(
  over: Partial<WarningEvent> & { object?: string; kind?: string; objectNamespace?: string } = {},
): WarningEvent {
  const { object = 'web-1', kind = 'Pod', objectNamespace, ...rest } = over;
  const namespace = rest.namespace ?? 'team-a';
  return {
    metadata: { name: `${object}.${rest.reason ?? 'BackOff'}`, namespace, resourceVersion: '1' },
    namespace,
    regarding: { kind, name: object, namespace: objectNamespace ?? namespace, uid: `uid-${object}` },
    reason: 'BackOff',
    note: 'Back-off restarting failed container',
    count: 1,
    lastSeenMs: T0,
    ...rest,
  };
}
