// The controller at a little scale and through trouble: 200 channels on 2 tokens cost 2 getMe calls,
// a kube-apiserver restart mid-run is survived without an operator restart, and retries make one
// Event per transition rather than one per attempt.
import path from 'node:path';
import { ScenarioBuilder, bot, supergroupId } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { G, channelHelpers } from '../harness/channels.js';
import { REPO_ROOT, readState, restartApiserver } from '../harness/controlPlane.js';
import { installCrds, kubectl } from '../harness/crds.js';
import { createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';

const bots = [bot(7300000001, 'scale_one_bot'), bot(7300000002, 'scale_two_bot')];
const N = 200;
const chatFor = (i: number) => supergroupId(4000000000 + i);
let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const { core, custom, secret, channel, readyReason } = channelHelpers(() => ns);

interface Listed {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string; reason: string }[] } }[];
}
const readyCount = async () =>
  ((await custom.listNamespacedCustomObject({ ...G, namespace: ns })) as Listed).items.filter((c) =>
    c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
  ).length;

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('resilience');
  const b = new ScenarioBuilder();
  bots.forEach((x) => b.bot(x));
  for (let i = 0; i < N + 2; i++) b.supergroup(chatFor(i), `Team ${i}`, bots[i % 2]!.id);
  emulator = new TelegramEmulator(b.build());
  const url = await emulator.start();
  await secret('bot-0', { token: bots[0]!.token });
  await secret('bot-1', { token: bots[1]!.token });
  operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns });
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

test('200 channels on 2 tokens become Ready with one getMe per token', async () => {
  const docs = Array.from(
    { length: N },
    (_, i) => `apiVersion: telegram.notify.dev/v1alpha1
kind: TelegramChannel
metadata: {name: team-${i}, namespace: ${ns}}
spec: {tokenSecretRef: {name: bot-${i % 2}}, chatId: "${chatFor(i)}"}
`,
  );
  kubectl(['apply', '-f', '-'], docs.join('---\n'));
  await eventually(async () => (await readyCount()) === N, 60_000, `${N} channels Ready`);
  const getMe = emulator.requests.filter((r) => r.method === 'getMe');
  expect(getMe.length).toBeLessThanOrEqual(2);
  expect(new Set(getMe.map((r) => r.token.split(':')[0])).size).toBe(2);
  expect(emulator.requests.filter((r) => r.method === 'getChat')).toHaveLength(N);
});

test('a kube-apiserver restart mid-run: watches resume, new work is noticed, no operator restart', async () => {
  const dir = process.env.TEST_CONTROL_PLANE_DIR ?? path.join(REPO_ROOT, '.dev', 'cluster');
  const state = readState(dir);
  if (!state) throw new Error(`no control plane state in ${dir}`);
  const pid = operator.child.pid;
  await restartApiserver(state, 2_000);
  // A change made after the restart reaches the operator through its resumed watches.
  await channel('after-restart', { tokenSecretRef: { name: 'bot-0' }, chatId: String(chatFor(N)) });
  await readyReason('after-restart', 'Verified', 45_000);
  // The Secret watch resumed too: rotating bot-1's token to a revoked one is noticed at once.
  await secret('bot-1', { token: `${bots[1]!.id}:AAthisTokenWasRevokedLongAgo0000000` });
  await readyReason('team-1', 'Unauthorized', 45_000);
  await secret('bot-1', { token: bots[1]!.token });
  await readyReason('team-1', 'Verified', 45_000);
  expect(operator.child.pid).toBe(pid);
  expect(operator.child.exitCode).toBeNull();
  expect(operator.logs().some((l) => l.msg === 'watch failed; retrying')).toBe(true);
});

test('retries make one Event per transition, not one per attempt', async () => {
  emulator.setFaults({ status5xx: { count: 10_000, code: 500 } });
  await channel('flaky', { tokenSecretRef: { name: 'bot-0' }, chatId: '@flaky_team' });
  await readyReason('flaky', 'TelegramUnavailable');
  // Let it retry a few times (2 s, 4 s, ... backoff).
  await eventually(
    async () => operator.logs().filter((l) => l.name === 'flaky' && l.reason === 'TelegramUnavailable').length >= 3,
    30_000,
    'three attempts',
  );
  const events = (await core.listNamespacedEvent({ namespace: ns })).items.filter((e) => e.involvedObject.name === 'flaky');
  expect(events.filter((e) => e.reason === 'TelegramUnavailable')).toHaveLength(1);
  emulator.clearFaults();
});
