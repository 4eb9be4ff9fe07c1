// Two operator replicas, each running with the deployed ServiceAccount's own token: only the
// leader verifies, writes status and sends; killing it hands over once its Lease runs out, and
// no alert is lost or sent twice (beyond the one the kill itself may cause).
import * as k8s from '@kubernetes/client-node';
import { bot, supergroupId } from '../emulator/scenario.js';
import { digestOf } from '../../src/delivery/annotationRelay.js';
import { UNRECORDED_SENDS_PER_BOT } from '../../src/delivery/service.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { G, channelHelpers } from '../harness/channels.js';
import { startChannelFleet } from '../harness/channelFleet.js';
import { clients, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';

const N = 20;
const theBot = bot(7200000001, 'leader_test_bot');
const chatIds = Array.from({ length: N }, (_, i) => supergroupId(3000000000 + i));
let ns: string;
let emulator: TelegramEmulator;
let replicas: Record<string, OperatorProcess> = {};
let envFor: (name: string) => Record<string, string>;
const { custom, secret } = channelHelpers(() => ns);
const { coordination } = clients();

const leaderGauge = async (p: OperatorProcess) => /^telegram_operator_leader 1$/m.test(await (await fetch(`${p.url}/metrics`)).text());
const lease = async () => (await coordination.readNamespacedLease({ namespace: ns, name: 'telegram-channel-operator' })).spec!;
const holder = async () => (await lease()).holderIdentity;
/** Waits until `identity` holds the Lease; resolves with the Lease as it took it. */
const takenOver = (identity: string, timeoutMs: number) =>
  eventually(
    async () => {
      const l = await lease();
      return l.holderIdentity === identity ? l : undefined;
    },
    timeoutMs,
    `${identity} takes over`,
  );
/** A Lease time (written by a replica) in ms. */
const ms = (t: Date | string | undefined) => new Date(t!).getTime();

/** The alert text each channel carries now, to tell a recorded delivery of it from an older one. */
let currentAlert: (i: number) => string = () => '';

async function annotateAll(text: (i: number) => string): Promise<void> {
  currentAlert = text;
  await Promise.all(
    chatIds.map((_, i) =>
      custom.patchNamespacedCustomObject(
        { ...G, namespace: ns, name: `ch-${i}`, body: { metadata: { annotations: { 'telegram.notify.dev/alert': text(i) } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    ),
  );
}

async function allRecorded(): Promise<void> {
  await eventually(
    async () => {
      const l = (await custom.listNamespacedCustomObject({ ...G, namespace: ns })) as {
        items: { metadata: { name: string }; status?: { delivery?: { lastAlertDigest?: string } } }[];
      };
      return l.items.every((c) => c.status?.delivery?.lastAlertDigest === digestOf(currentAlert(Number(c.metadata.name.slice(3)))));
    },
    60_000,
    'all alerts recorded',
  );
}

beforeAll(async () => {
  let url: string;
  ({ ns, emulator, url } = await startChannelFleet('leader', theBot, chatIds));
  const kubeconfig = await deployedServiceAccountKubeconfig(ns);
  envFor = (name) => ({
    KUBECONFIG: kubeconfig,
    TELEGRAM_API_URL: url,
    WATCH_NAMESPACE: '',
    LEADER_ELECTION: 'true',
    POD_NAMESPACE: ns,
    POD_NAME: name,
    POD_IP: '127.0.0.1',
  });
  replicas = { a: await startOperator(envFor('replica-a')) };
  await eventually(async () => (await holder()) === 'replica-a', 20_000, 'replica-a leads');
  replicas.b = await startOperator(envFor('replica-b'));
});

afterAll(async () => {
  for (const p of Object.values(replicas)) await p.stop('SIGKILL');
  await emulator?.stop();
});

test('with two replicas on the deployed ServiceAccount, only the leader verifies and sends', async () => {
  await eventually(
    async () => {
      const l = (await custom.listNamespacedCustomObject({ ...G, namespace: ns })) as {
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      };
      return l.items.filter((c) => c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === N;
    },
    60_000,
    'all Ready',
  );
  expect(await leaderGauge(replicas.a!)).toBe(true);
  expect(await leaderGauge(replicas.b!)).toBe(false);
  // The follower is ready (watches synced) and idle.
  expect((await fetch(`${replicas.b!.url}/readyz`)).status).toBe(200);
  await annotateAll((i) => `alert one for ${i}`);
  await allRecorded();
  expect(chatIds.every((id, i) => emulator.messagesTo(id).filter((m) => m.text === `alert one for ${i}`).length === 1)).toBe(true);
  const followerWork = replicas.b!.logs().filter((l) => l.name && (l.msg === 'alert delivered' || typeof l.ready === 'string'));
  expect(followerWork).toEqual([]);
});

test('an Alertmanager webhook that reaches the follower is forwarded to the leader and delivered', async () => {
  await secret('am', { token: 'webhook-secret-for-forwarding' });
  await custom.patchNamespacedCustomObject(
    { ...G, namespace: ns, name: 'ch-0', body: { spec: { alertmanager: { tokenSecretRef: { name: 'am' } } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await eventually(
    async () => {
      const c = (await custom.getNamespacedCustomObject({ ...G, namespace: ns, name: 'ch-0' })) as {
        metadata: { generation: number };
        status?: { observedGeneration?: number };
      };
      return c.status?.observedGeneration === c.metadata.generation;
    },
    20_000,
    'ch-0 reconciled',
  );
  await eventually(async () => (await fetch(`${replicas.b!.url}/readyz`)).ok, 10_000, 'follower ready');
  const payload = alertmanagerPayload([{ name: 'ForwardedThroughFollower' }]);
  const r = await fetch(`${replicas.b!.url}/webhooks/alertmanager/${ns}/ch-0`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer webhook-secret-for-forwarding' },
    body: JSON.stringify(payload),
  });
  expect(r.status).toBe(200);
  expect(emulator.messagesTo(chatIds[0]!).some((m) => m.text.includes('ForwardedThroughFollower'))).toBe(true);
  const wrong = await fetch(`${replicas.b!.url}/webhooks/alertmanager/${ns}/ch-0`, {
    method: 'POST',
    headers: { Authorization: 'Bearer nope' },
    body: JSON.stringify(payload),
  });
  expect(wrong.status).toBe(401);
});

test('Alertmanager hanging up on the follower reaches the leader: the retry is not sent twice', async () => {
  const payload = alertmanagerPayload([{ name: 'HungUpOnFollower', fingerprint: 'h' }], { groupKey: 'g2' });
  const post = (signal?: AbortSignal) =>
    fetch(`${replicas.b!.url}/webhooks/alertmanager/${ns}/ch-0`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer webhook-secret-for-forwarding' },
      body: JSON.stringify(payload),
      signal,
    });
  const copies = () => emulator.messagesTo(chatIds[0]!).filter((m) => m.text.includes('HungUpOnFollower')).length;
  emulator.setFaults({ latencyMs: 3_000 });
  const cut = await post(AbortSignal.timeout(1_500)).catch((e: unknown) => e);
  expect((cut as { name?: string }).name).toBe('TimeoutError');
  await eventually(async () => copies() === 1, 15_000, 'delivered while nobody waited');
  emulator.clearFaults();
  const retry = await post();
  expect(retry.status).toBe(200);
  expect(await retry.json()).toMatchObject({ messages: 0 });
  expect(copies()).toBe(1);
});

test('killing the leader hands over once its Lease runs out, never before, and no alert is lost or doubled', async () => {
  await annotateAll((i) => `alert two for ${i}`);
  await eventually(async () => emulator.messages.filter((m) => m.text.startsWith('alert two')).length >= 3, 20_000, 'some sent');
  await replicas.a!.stop('SIGKILL');
  // The Lease as the killed leader left it: its last renewal.
  const left = await lease();
  expect(left.holderIdentity).toBe('replica-a');
  const taken = await takenOver('replica-b', 25_000);
  // Never before the killed leader's Lease ran out: two leaders would both send.
  const handoverMs = ms(taken.acquireTime) - ms(left.renewTime);
  expect(handoverMs).toBeGreaterThan(left.leaseDurationSeconds! * 1000);
  await allRecorded();
  const counts = chatIds.map((id, i) => emulator.messagesTo(id).filter((m) => m.text === `alert two for ${i}`).length);
  expect(counts.every((c) => c >= 1)).toBe(true);
  // Only what the killed leader had sent but not yet recorded can go out twice.
  expect(counts.reduce((a, c) => a + c - 1, 0)).toBeLessThanOrEqual(UNRECORDED_SENDS_PER_BOT);
  console.log(`handover after kill -9: ${handoverMs} ms`);
});

test('SIGTERM releases the Lease so the other replica takes over at once', async () => {
  replicas.a = await startOperator(envFor('replica-a'));
  const before = await lease();
  expect(before.holderIdentity).toBe('replica-b');
  expect(await replicas.b!.stop('SIGTERM')).toBe(0);
  expect(replicas.b!.output()).toContain('leader lease released');
  const taken = await takenOver('replica-a', 20_000);
  // Taken while the stopped leader's last renewal would still have held it: only the release allows that.
  const handoverMs = ms(taken.acquireTime) - ms(before.renewTime);
  expect(handoverMs).toBeLessThan(before.leaseDurationSeconds! * 1000);
  console.log(`handover after SIGTERM: ${handoverMs} ms after the last renewal`);
});
