// Losing the Lease, on the real control plane with two operator replicas:
//  - a leader cut off from the API server (a proxy that stops moving bytes, sockets left open) steps
//    down on its own timer before the other replica can take over, so no alert goes out from both;
//  - a leader that loses the Lease while a send is on its way lets that send finish, records it in
//    status and only then exits, so the next leader does not send it again.
import * as k8s from '@kubernetes/client-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { digestOf } from '../../src/delivery/annotationRelay.js';
import { ScenarioBuilder, bot, supergroupId } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { clients, createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';
import { TcpProxy } from '../harness/tcpProxy.js';

const LEASE = 'telegram-channel-operator';
const { kc, coordination } = clients();
const started: { stop: () => Promise<unknown> }[] = [];

afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.stop();
});

interface World {
  ns: string;
  emulator: TelegramEmulator;
  telegramUrl: string;
  chats: number[];
  kubeconfig: string;
  helpers: ReturnType<typeof channelHelpers>;
  env: (name: string, overrides?: Record<string, string>) => Record<string, string>;
}

/** A namespace with `n` verified-ready channels of one bot, and what a replica needs to run in it. */
async function world(prefix: string, botId: number, n: number): Promise<World> {
  installCrds();
  const ns = await createNamespace(prefix);
  const theBot = bot(botId, `${prefix}_bot`);
  const chats = Array.from({ length: n }, (_, i) => supergroupId(botId - 7000000000 + i * 7));
  const b = new ScenarioBuilder().bot(theBot);
  chats.forEach((id, i) => b.supergroup(id, `Team ${i}`, theBot.id));
  const emulator = new TelegramEmulator(b.build());
  const telegramUrl = await emulator.start();
  started.push({ stop: () => emulator.stop() });
  const helpers = channelHelpers(() => ns);
  await helpers.secret('bot', { token: theBot.token });
  for (const [i, id] of chats.entries()) await helpers.channel(`ch-${i}`, { tokenSecretRef: { name: 'bot' }, chatId: String(id) });
  const kubeconfig = await deployedServiceAccountKubeconfig(ns);
  const env = (name: string, overrides: Record<string, string> = {}) => ({
    KUBECONFIG: kubeconfig,
    TELEGRAM_API_URL: telegramUrl,
    WATCH_NAMESPACE: ns,
    LEADER_ELECTION: 'true',
    POD_NAMESPACE: ns,
    POD_NAME: name,
    POD_IP: '127.0.0.1',
    ...overrides,
  });
  return { ns, emulator, telegramUrl, chats, kubeconfig, helpers, env };
}

async function run(env: Record<string, string>): Promise<OperatorProcess> {
  const p = await startOperator(env);
  started.push({ stop: () => p.stop('SIGKILL') });
  return p;
}

const holder = async (ns: string) => (await coordination.readNamespacedLease({ namespace: ns, name: LEASE })).spec?.holderIdentity;
const logLine = (p: OperatorProcess, msg: RegExp) => p.logs().find((l) => typeof l.msg === 'string' && msg.test(l.msg));
const logTime = (p: OperatorProcess, msg: RegExp) => {
  const l = logLine(p, msg);
  return l ? Date.parse(String(l.time)) : undefined;
};
const exited = (p: OperatorProcess) => p.child.exitCode !== null || p.child.signalCode !== null;

async function allReady(w: World): Promise<void> {
  for (let i = 0; i < w.chats.length; i++) await w.helpers.readyReason(`ch-${i}`, 'Verified', 30_000);
}

async function lastAlertDigest(w: World, i: number): Promise<string | undefined> {
  const ch = (await w.helpers.get(`ch-${i}`)) as { status?: { delivery?: { lastAlertDigest?: string } } };
  return ch.status?.delivery?.lastAlertDigest;
}

test('a leader cut off from the API server steps down before another replica takes over; no alert is sent twice', async () => {
  const w = await world('partition', 7400000001, 3);
  // Replica A reaches the API server only through a proxy the test can blackhole.
  const server = new URL(kc.getCurrentCluster()!.server);
  const proxy = new TcpProxy(server.hostname, Number(server.port));
  const proxyPort = await proxy.start();
  started.push({ stop: () => proxy.stop() });
  const proxied = `${w.kubeconfig}.proxied`;
  writeFileSync(proxied, readFileSync(w.kubeconfig, 'utf8').replace(server.origin, `https://127.0.0.1:${proxyPort}`));

  const a = await run(w.env('replica-a', { KUBECONFIG: proxied }));
  await eventually(async () => (await holder(w.ns)) === 'replica-a', 20_000, 'replica-a leads');
  const b = await run(w.env('replica-b'));
  await allReady(w);

  // Telegram fails for now, so A keeps its alerts and retries them: only a live leader may send them later.
  w.emulator.setFaults({ status5xx: { untilMs: 10 * 60_000, code: 502 } });
  const text = (i: number) => `partition alert ${i}`;
  for (let i = 0; i < w.chats.length; i++) await w.helpers.annotate(`ch-${i}`, { 'telegram.notify.dev/alert': text(i) });
  await eventually(async () => w.emulator.requests.some((r) => r.method === 'sendMessage'), 20_000, 'A tries to send');

  proxy.blackhole();
  await eventually(async () => logLine(b, /^became leader$/), 45_000, 'replica-b becomes leader');
  w.emulator.clearFaults();

  const steppedDown = logTime(a, /^lost the leader lease/);
  const tookOver = logTime(b, /^became leader$/)!;
  expect(steppedDown).toBeDefined();
  expect(steppedDown!).toBeLessThan(tookOver);
  console.log(`old leader stepped down ${tookOver - steppedDown!} ms before the new one took over`);
  // The old leader is gone for good: nothing it holds can go out any more.
  await eventually(async () => exited(a), 10_000, 'replica-a exits');

  for (let i = 0; i < w.chats.length; i++) {
    await eventually(async () => (await lastAlertDigest(w, i)) === digestOf(text(i)), 60_000, `ch-${i} recorded`);
  }
  const copies = w.chats.map((id, i) => w.emulator.messagesTo(id).filter((m) => m.text === text(i)).length);
  expect(copies).toEqual(w.chats.map(() => 1));
});

test('a leader that loses the Lease while a send is on its way finishes it and records it; the next leader does not resend', async () => {
  const w = await world('drain', 7400000101, 1);
  // A reaches Telegram through a proxy that can hold Telegram's answers back.
  const tg = new URL(w.telegramUrl);
  const proxy = new TcpProxy(tg.hostname, Number(tg.port));
  const proxyPort = await proxy.start();
  started.push({ stop: () => proxy.stop() });

  const a = await run(w.env('replica-a', { TELEGRAM_API_URL: `http://127.0.0.1:${proxyPort}` }));
  await eventually(async () => (await holder(w.ns)) === 'replica-a', 20_000, 'replica-a leads');
  const b = await run(w.env('replica-b'));
  await allReady(w);

  // The alert reaches Telegram, which accepts it; its answer is held on the way back to A.
  proxy.holdResponses();
  const text = 'sent while the Lease was lost';
  await w.helpers.annotate('ch-0', { 'telegram.notify.dev/alert': text });
  await eventually(async () => w.emulator.messagesTo(w.chats[0]!).some((m) => m.text === text), 20_000, 'Telegram accepted the alert');

  // Another identity takes the Lease: to A, the Lease is lost while its send is in flight.
  const lease = await coordination.readNamespacedLease({ namespace: w.ns, name: LEASE });
  lease.spec = { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 15, renewTime: new k8s.V1MicroTime() };
  await coordination.replaceNamespacedLease({ namespace: w.ns, name: LEASE, body: lease });
  await eventually(async () => logLine(a, /^lost the leader lease/), 20_000, 'replica-a notices the loss');
  proxy.release();

  await eventually(async () => exited(a), 10_000, 'replica-a exits');
  expect(await lastAlertDigest(w, 0)).toBe(digestOf(text));

  // B takes over once the intruder's lease runs out, reconciles the channel and finds the alert recorded.
  await eventually(async () => logLine(b, /^became leader$/), 40_000, 'replica-b becomes leader');
  await new Promise((r) => setTimeout(r, 5_000));
  expect(w.emulator.messagesTo(w.chats[0]!).filter((m) => m.text === text)).toHaveLength(1);
  expect(a.logs().some((l) => l.msg === 'alert delivered')).toBe(true);
});
