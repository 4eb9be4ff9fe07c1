// Delivery guarantees under failure: the operator killed with SIGKILL in the middle of 100 alerts,
// and a 30-second Telegram outage. Every alert must arrive; duplicates only from the kill itself, and
// no more than the sends a bot may have accepted but not yet recorded.
import * as k8s from '@kubernetes/client-node';
import { bot, supergroupId } from '../emulator/scenario.js';
import { digestOf } from '../../src/delivery/annotationRelay.js';
import { UNRECORDED_SENDS_PER_BOT } from '../../src/delivery/service.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { G, channelHelpers } from '../harness/channels.js';
import { startChannelFleet } from '../harness/channelFleet.js';
import { eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';

const N = 100;
const theBot = bot(7100000001, 'guarantee_bot');
const chatIds = Array.from({ length: N }, (_, i) => supergroupId(2000000000 + i));
let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let env: Record<string, string>;
const { custom } = channelHelpers(() => ns);

interface Listed {
  items: {
    metadata: { name: string };
    status?: { conditions?: { type: string; status: string }[]; delivery?: { lastAlertDigest?: string; pendingAlertDigest?: string } };
  }[];
}
const list = async () => (await custom.listNamespacedCustomObject({ ...G, namespace: ns })) as Listed;

/** The alert text each channel carries now, to tell a recorded delivery of it from an older one. */
let currentAlert: (i: number) => string = () => '';

async function annotateAll(text: (i: number) => string): Promise<void> {
  currentAlert = text;
  const names = Array.from({ length: N }, (_, i) => i);
  for (let start = 0; start < N; start += 20) {
    await Promise.all(
      names
        .slice(start, start + 20)
        .map((i) =>
          custom.patchNamespacedCustomObject(
            { ...G, namespace: ns, name: `ch-${i}`, body: { metadata: { annotations: { 'telegram.notify.dev/alert': text(i) } } } },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          ),
        ),
    );
  }
}

/** Waits until every channel has recorded the delivery of its current alert. */
async function allRecorded(timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const l = await list();
      const done = l.items.filter(
        (c) => c.status?.delivery?.lastAlertDigest === digestOf(currentAlert(Number(c.metadata.name.slice(3)))),
      ).length;
      return done === N;
    },
    timeoutMs,
    'all alerts recorded',
  );
}

beforeAll(async () => {
  let url: string;
  ({ ns, emulator, url } = await startChannelFleet('guarantee', theBot, chatIds));
  env = { TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns };
  operator = await startOperator(env);
  await eventually(
    async () =>
      (await list()).items.filter((c) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === N,
    60_000,
    'all Ready',
  );
});

afterAll(async () => {
  await operator?.stop('SIGKILL');
  await emulator?.stop();
});

test('kill -9 in the middle of 100 alerts on 100 channels: every alert delivered, duplicates <= kills x unrecorded sends per bot', async () => {
  const kills = 1;
  await annotateAll((i) => `first alert for team ${i}`);
  // Kill once some, but not all, have gone out.
  await eventually(async () => emulator.messages.length >= 10, 30_000, 'first sends');
  await operator.stop('SIGKILL');
  const beforeRestart = emulator.messages.length;
  expect(beforeRestart).toBeLessThan(N);
  operator = await startOperator(env);
  await allRecorded(90_000);
  const counts = chatIds.map((id, i) => emulator.messagesTo(id).filter((m) => m.text === `first alert for team ${i}`).length);
  expect(counts.filter((c) => c === 0)).toHaveLength(0);
  const duplicates = counts.reduce((a, c) => a + (c - 1), 0);
  console.log(`kill -9: ${beforeRestart} sent before the kill, ${duplicates} duplicate(s) after restart`);
  expect(duplicates).toBeLessThanOrEqual(kills * UNRECORDED_SENDS_PER_BOT);
});

test('a 30 s Telegram outage (5xx and latency): everything is delivered after recovery, nothing lost', async () => {
  emulator.setFaults({ status5xx: { untilMs: 30_000, code: 502 }, latencyMs: 200 });
  const outageStart = Date.now();
  await annotateAll((i) => `second alert for team ${i}`);
  await new Promise((r) => setTimeout(r, 5_000));
  expect(emulator.messages.filter((m) => m.text.startsWith('second alert')).length).toBe(0);
  await eventually(async () => Date.now() - outageStart > 30_000, 40_000, 'outage over');
  emulator.clearFaults();
  await allRecorded(90_000);
  const counts = chatIds.map((id, i) => emulator.messagesTo(id).filter((m) => m.text === `second alert for team ${i}`).length);
  expect(counts.every((c) => c === 1)).toBe(true);
  const l = await list();
  expect(l.items.every((c) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'))).toBe(true);
});
