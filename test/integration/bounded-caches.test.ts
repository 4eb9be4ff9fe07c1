// What the operator keeps in memory and in ConfigMaps stays bounded whatever the teams put in their
// Secrets and notifications, against the real control plane with the heap cap the Deployment ships:
// - a notification with huge commonLabels: the episode ConfigMap stays small;
// - 130 channels, each referencing a Secret of ~1 MB (its token key plus a large key nobody
//   references): the operator keeps the token, not the Secret, stays up and verifies every channel.
import { readFileSync } from 'node:fs';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { G, channelHelpers, cond, type Channel } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { createNamespace, eventually } from '../harness/kube.js';
import { createSecrets } from '../harness/bulkSecrets.js';
import { shippedNodeOptions, startOperator, type OperatorProcess } from '../harness/operator.js';
import { stopAll } from '../harness/stopAll.js';

const CHANNELS = 130;
const UNREFERENCED_BYTES = 1_000_000; // with the token, just under a Secret's 1 MiB
const WEBHOOK_TOKEN = 'bounded-caches-webhook-token';

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const { core, custom, secret, channel, readyReason } = channelHelpers(() => ns);

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('bounded');
  emulator = new TelegramEmulator(demoScenario());
  const url = await emulator.start();
  await createSecrets(ns, CHANNELS, (i) => ({
    metadata: { name: `bot-${i}` },
    data: {
      token: Buffer.from(DEMO.bot.token).toString('base64'),
      // Distinct contents (etcd would not care, but a compressing layer might).
      'ca-bundle.pem': Buffer.alloc(UNREFERENCED_BYTES, `${i}`).toString('base64'),
    },
  }));
  await secret('am', { token: WEBHOOK_TOKEN });
  await secret('small-bot', { token: DEMO.bot.token });
  operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns, POD_NAMESPACE: ns, NODE_OPTIONS: shippedNodeOptions() });
}, 300_000);

afterAll(async () => {
  await stopAll(operator, emulator);
  // Namespaces never finish deleting without a controller-manager: free the ~130 MB for the other files.
  await core.deleteCollectionNamespacedSecret({ namespace: ns }).catch(() => undefined);
});

test('a notification with huge commonLabels: the episode ConfigMap stays small, and no silence could be broader than the alerts', async () => {
  await channel('alerts', {
    tokenSecretRef: { name: 'small-bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { tokenSecretRef: { name: 'am' } },
  });
  await readyReason('alerts', 'Verified', 30_000);
  // 480 labels of 1,000 bytes: about 480 KB of commonLabels, in a body under the 4 MiB limit.
  const huge = Object.fromEntries(Array.from({ length: 480 }, (_, i) => [`label_${i}`, `${i}`.padEnd(1000, 'x')]));
  // Only in commonLabels (what an episode keeps), not in the alert's labels (what the message shows).
  const payload = { ...alertmanagerPayload([{ name: 'HugeLabels' }]), commonLabels: { alertname: 'HugeLabels', ...huge } };
  const r = await fetch(`${operator.url}/webhooks/alertmanager/${ns}/alerts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_TOKEN}` },
    body: JSON.stringify(payload),
  });
  expect({ status: r.status, body: await r.text() }).toMatchObject({ status: 200 });
  const cms = (await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'telegram.notify.dev/episodes' })).items;
  expect(cms).toHaveLength(1);
  const stored = JSON.stringify(cms[0]!.data);
  expect(stored.length).toBeLessThan(64 * 1024);
  const record = JSON.parse(Object.values(cms[0]!.data ?? {})[0]!) as { commonLabels: Record<string, string> };
  expect(record.commonLabels).toEqual({});
});

test(`${CHANNELS} channels referencing ~1 MB Secrets: with the shipped heap cap the operator stays up and verifies them all`, async () => {
  for (let i = 0; i < CHANNELS; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, CHANNELS - i) }, (_, j) =>
        channel(`ch-${i + j}`, { tokenSecretRef: { name: `bot-${i + j}` }, chatId: String(DEMO.chats.ops) }),
      ),
    );
  }
  const verified = await eventually(
    async () => {
      const { exitCode, signalCode } = operator.child;
      if (exitCode !== null || signalCode !== null) {
        const heap = /[^\n]*heap[^\n]*/i.exec(operator.output())?.[0] ?? operator.output().trim().split('\n').at(-1);
        // Thrown from here on every poll: the last error is what the timeout reports.
        throw new Error(`the operator exited (${exitCode ?? signalCode}): ${heap?.slice(0, 200)}`);
      }
      const list = (await custom.listNamespacedCustomObject({ ...G, namespace: ns })) as { items: Channel[] };
      const ready = list.items.filter((c) => c.metadata.name.startsWith('ch-') && cond(c, 'Ready')?.reason === 'Verified');
      if (ready.length < CHANNELS) {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${operator.child.pid}/status`, 'utf8'))?.[1];
        const heap = /[^\n]*heap[^\n]*/i.exec(operator.output())?.[0] ?? 'no heap message';
        throw new Error(`${ready.length} of ${CHANNELS} Verified; operator RSS ${rss} kB; ${heap.slice(0, 200)}`);
      }
      return ready.length;
    },
    180_000,
    `all ${CHANNELS} channels Verified`,
  );
  expect(verified).toBe(CHANNELS);
  expect(operator.output()).not.toMatch(/heap out of memory/i);
  expect([operator.child.exitCode, operator.child.signalCode]).toEqual([null, null]);
  const status = readFileSync(`/proc/${operator.child.pid}/status`, 'utf8');
  console.log(`operator peak RSS with ${CHANNELS} referenced ~1 MB Secrets: ${/VmHWM:\s+(\d+ kB)/.exec(status)?.[1]}`);
}, 240_000);
