// The reconciler folds AlertmanagerConfigured into its one status write, without touching Ready, and
// asks to be woken for the sooner of its own next check and the AlertmanagerConfig's.
import type { AlertmanagerConfigOutcome } from '../../../src/alertmanagerConfig/configurer.js';
import type { TelegramChannel } from '../../../src/api/types.js';
import { alertmanagerConfigStatus } from '../../../src/controller/alertmanagerConfigStatus.js';
import { ChannelReconciler } from '../../../src/controller/channelReconciler.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { alwaysVerified } from '../../harness/verified.js';

function setup(outcomes: AlertmanagerConfigOutcome[]) {
  const ch: TelegramChannel = {
    metadata: { name: 'ops', namespace: 'ns', uid: 'u', generation: 1 },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001', alertmanager: { tokenSecretRef: { name: 'w' }, config: {} } },
  };
  const writes: Record<string, unknown>[] = [];
  let i = 0;
  const r = new ChannelReconciler({
    channels: { getChannel: () => ch },
    contributors: [
      alwaysVerified(),
      alertmanagerConfigStatus({ configure: async () => outcomes[Math.min(i++, outcomes.length - 1)]!, forget: () => {} }),
    ],
    channelState: [],
    writeStatus: async (c, patch) => (writes.push(patch), { ...c, status: { ...(c.status ?? {}), ...(patch as object) } }),
    recordEvent: () => {},
    log: createLogger('silent'),
    metrics: createMetrics(),
    now: () => 1_000_000_000,
  });
  return { r, ch, writes };
}

const types = (ch: TelegramChannel) => (ch.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);

test('CRDNotInstalled: the condition is False, Ready stays True, the channel is looked at again in 20 s', async () => {
  const { r, ch, writes } = setup([
    { kind: 'set', verdict: { status: 'False', reason: 'CRDNotInstalled', message: 'no CRD' }, requeueAfterMs: 20_000 },
  ]);
  expect((await r.reconcile('ns/ops')).requeueAfterMs).toBe(20_000);
  expect(types(ch)).toEqual([
    'TokenValid=True/Verified',
    'ChatReachable=True/Verified',
    'Ready=True/Verified',
    'AlertmanagerConfigured=False/CRDNotInstalled',
  ]);
  expect(writes).toHaveLength(1);
});

test('Applied, then removed on opt-out; an unchanged outcome keeps what is stored', async () => {
  const { r, ch } = setup([
    { kind: 'set', verdict: { status: 'True', reason: 'Applied', message: 'routes' } },
    { kind: 'unchanged' },
    { kind: 'remove' },
  ]);
  expect((await r.reconcile('ns/ops')).requeueAfterMs).toBe(3_600_000);
  expect(types(ch)).toContain('AlertmanagerConfigured=True/Applied');
  await r.reconcile('ns/ops');
  expect(types(ch)).toContain('AlertmanagerConfigured=True/Applied');
  await r.reconcile('ns/ops');
  expect(types(ch)).toEqual(['TokenValid=True/Verified', 'ChatReachable=True/Verified', 'Ready=True/Verified']);
});
