// Issue 11 item 2: the Secret watch lists and watches metadata only. The scenario of the issue: 120
// Secrets of ~1 MB in an unrelated namespace (Helm release Secrets look like this), and an operator
// with the heap cap the Deployment ships. Listing them in full killed it with "JavaScript heap out of
// memory" 6 s after start; metadata only, it starts, verifies, and still notices a rotated token in
// seconds. And the watcher itself is shown, against the apiserver, to receive objects without data.
import { LIST_PAGE_SIZE } from '../../src/kube/channels.js';
import { ACCEPT_METADATA_WATCH, listMetadata } from '../../src/kube/metadataOnly.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { ResourceWatcher } from '../../src/runtime/resourceWatcher.js';
import { createLogger } from '../../src/observability/log.js';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers, cond } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { clients, createNamespace, eventually } from '../harness/kube.js';
import { createSecrets } from '../harness/bulkSecrets.js';
import { shippedNodeOptions, startOperator, type OperatorProcess } from '../harness/operator.js';
import { stopAll } from '../harness/stopAll.js';

const BULK_SECRETS = 120;
const BULK_BYTES = 1_000_000; // a Secret's data may hold 1 MiB at most

const { core, kc } = clients();
let ns: string;
let bulkNs: string;
let emulator: TelegramEmulator;
let telegramUrl: string;
let operator: OperatorProcess | undefined;

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('secretmeta');
  bulkNs = await createNamespace('bulk');
  emulator = new TelegramEmulator(demoScenario());
  telegramUrl = await emulator.start();
  const started = Date.now();
  // Distinct contents (etcd would not care, but a compressing layer might).
  await createSecrets(bulkNs, BULK_SECRETS, (i) => ({
    metadata: { name: `sh.helm.release.v1.app${i}.v1` },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.alloc(BULK_BYTES, `${i}`).toString('base64') },
  }));
  console.log(`created ${BULK_SECRETS} Secrets of ${BULK_BYTES} bytes in ${Date.now() - started} ms`);
}, 300_000);

afterAll(async () => {
  await stopAll(operator, emulator);
  // Namespaces never finish deleting without a controller-manager: free the ~120 MB for the other files.
  await core.deleteCollectionNamespacedSecret({ namespace: bulkNs }).catch(() => undefined);
});

test('with 120 x 1 MB Secrets and the shipped heap cap, the operator starts, verifies and sees a rotation in seconds', async () => {
  const { secret, channel, readyReason } = channelHelpers(() => ns);
  await secret('bot', { token: DEMO.unknownToken });
  const started = Date.now();
  // Cluster-wide, as deploy/base runs: its Secret watch covers the bulk namespace.
  operator = await startOperator({ TELEGRAM_API_URL: telegramUrl, WATCH_NAMESPACE: '', NODE_OPTIONS: shippedNodeOptions() });
  console.log(`operator ready after ${Date.now() - started} ms with NODE_OPTIONS=${shippedNodeOptions()}`);
  await channel('ops', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  await readyReason('ops', 'Unauthorized', 30_000);
  const rotatedAt = Date.now();
  await secret('bot', { token: DEMO.bot.token });
  const ch = await readyReason('ops', 'Verified', 10_000);
  console.log(`rotation noticed after ${Date.now() - rotatedAt} ms`);
  expect(cond(ch, 'Ready')?.status).toBe('True');
  // Still up, and its heap far from the cap.
  expect(operator.child.exitCode).toBeNull();
  const metrics = await (await fetch(`${operator.url}/metrics`)).text();
  const heapUsed = Number(/^telegram_operator_nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1]);
  console.log(`heap used: ${Math.round(heapUsed / 1e6)} MB`);
  expect(heapUsed).toBeGreaterThan(0);
  expect(heapUsed).toBeLessThan(100e6);
  expect(operator.output()).not.toMatch(/heap out of memory/);
});

test('the watcher receives Secrets as PartialObjectMetadata, never with data, from the list and from the watch', async () => {
  const seen: unknown[] = [];
  const log = createLogger('silent');
  const watcher = new ResourceWatcher<KubeObject>(
    kc,
    { upsert: () => undefined, deleted: () => undefined },
    {
      path: `/api/v1/namespaces/${ns}/secrets`,
      list: async () => {
        const listed = await listMetadata(kc, `/api/v1/namespaces/${ns}/secrets`, LIST_PAGE_SIZE);
        seen.push(...listed.items);
        return listed;
      },
      accept: ACCEPT_METADATA_WATCH,
      keep: (raw) => {
        seen.push(raw);
        return raw as KubeObject;
      },
      log,
    },
  );
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'before' }, stringData: { token: 'listed-value' } } });
  watcher.start();
  try {
    await eventually(async () => watcher.hasSynced(), 10_000, 'listed');
    expect(watcher.get(ns, 'before')).toBeDefined();
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'after' }, stringData: { token: 'watched-value' } } });
    const rotated = { metadata: { name: 'after' }, stringData: { token: 'rotated-value' } };
    await core.replaceNamespacedSecret({ namespace: ns, name: 'after', body: rotated });
    const events = async () => seen.filter((o) => (o as KubeObject).metadata?.name === 'after').length >= 2;
    await eventually(events, 10_000, 'watch events for "after"');
  } finally {
    watcher.stop();
  }
  const watched = seen.filter((o) => (o as KubeObject).metadata?.name === 'after') as { kind?: string; data?: unknown }[];
  expect(watched.map((o) => o.kind)).toEqual(watched.map(() => 'PartialObjectMetadata'));
  for (const o of seen) {
    expect(o).not.toHaveProperty('data');
    expect(o).not.toHaveProperty('stringData');
    expect(JSON.stringify(o)).not.toMatch(/listed-value|watched-value|rotated-value|bGlzdGVk|d2F0Y2hl|cm90YXRl/);
  }
});

test('a metadata-only list is refused, not silently turned into a full one, when the server cannot serve metadata', async () => {
  // A single object is not a list: the apiserver answers 406 to the PartialObjectMetadataList media
  // type, as an apiserver without metadata support would to any list.
  await expect(listMetadata(kc, '/api/v1/namespaces/default', LIST_PAGE_SIZE)).rejects.toEqual(expect.objectContaining({ code: 406 }));
});

test('the list keeps name, namespace and resourceVersion only, across pages', async () => {
  const pagesNs = await createNamespace('secretpages');
  for (const name of ['a', 'b', 'c']) {
    await core.createNamespacedSecret({ namespace: pagesNs, body: { metadata: { name, labels: { x: 'y' } }, stringData: { k: 'v' } } });
  }
  const listed = await listMetadata(kc, `/api/v1/namespaces/${pagesNs}/secrets`, 1);
  expect(listed.items.map((i) => i.metadata.name).sort()).toEqual(['a', 'b', 'c']); // three pages of one
  for (const i of listed.items) expect(Object.keys(i.metadata).sort()).toEqual(['name', 'namespace', 'resourceVersion']);
  expect(listed.resourceVersion).toMatch(/^\d+$/);
});
