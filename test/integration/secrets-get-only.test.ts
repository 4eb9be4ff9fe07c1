// Issue 11 item 3: both installs, each run on its ServiceAccount's own token (TokenRequest) with the
// RBAC its kustomization renders. deploy/base watches Secret metadata and notices a rotated token
// within seconds; deploy/overlays/secrets-get-only has `get` only on Secrets, starts and becomes
// ready without a Secret watch, and notices a rotated token on its next reconcile (the resync).
import * as k8s from '@kubernetes/client-node';
import path from 'node:path';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { channelHelpers, cond } from '../harness/channels.js';
import { installCrds, kubectl, kubectlResult } from '../harness/crds.js';
import { createNamespace } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';

const GET_ONLY = 'deploy/overlays/secrets-get-only';
/** The resync period the test runs the get-only operator with (the smallest the operator accepts). */
const RESYNC_SECONDS = 10;

interface Obj {
  kind: string;
  metadata: { name: string };
  rules?: { resources?: string[]; verbs: string[] }[];
  spec?: any;
}
const kustomize = (k: string) => kubectl(['kustomize', path.join(REPO_ROOT, k)]);
const render = (k: string) => JSON.parse(JSON.stringify(k8s.loadAllYaml(kustomize(k)).filter(Boolean))) as Obj[];
const envOf = (objs: Obj[]) =>
  Object.fromEntries(
    (objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].env as { name: string; value?: string }[])
      .filter((e) => e.value !== undefined)
      .map((e) => [e.name, e.value!]),
  );
const secretVerbs = (objs: Obj[]) =>
  objs
    .find((o) => o.kind === 'ClusterRole')!
    .rules!.filter((r) => r.resources?.includes('secrets'))
    .flatMap((r) => r.verbs)
    .sort();

/** `kubectl auth can-i` with the ServiceAccount's own token (no impersonation). */
function canI(kubeconfig: string, verb: string, resource: string, ...scope: string[]): boolean {
  const r = kubectlResult(['--kubeconfig', kubeconfig, 'auth', 'can-i', verb, resource, ...scope]);
  const answer = r.stdout.trim();
  if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl auth can-i ${verb} ${resource} failed (${r.code}): ${r.stderr}`);
  return answer === 'yes';
}

let emulator: TelegramEmulator;
let telegramUrl: string;
const operators: OperatorProcess[] = [];

beforeAll(async () => {
  installCrds();
  emulator = new TelegramEmulator(demoScenario());
  telegramUrl = await emulator.start();
});

afterAll(async () => {
  for (const p of operators) await p.stop();
  await emulator?.stop();
});

/** A channel on a revoked-looking token, then the Secret rotated to the good one: ms until Ready=True again. */
async function rotationPickupMs(ns: string, timeoutMs: number): Promise<number> {
  const { secret, channel, readyReason } = channelHelpers(() => ns);
  await secret('bot', { token: DEMO.unknownToken });
  await channel('ops', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  await readyReason('ops', 'Unauthorized', 30_000);
  const rotatedAt = Date.now();
  await secret('bot', { token: DEMO.bot.token });
  const ch = await readyReason('ops', 'Verified', timeoutMs);
  expect(cond(ch, 'Ready')?.status).toBe('True');
  return Date.now() - rotatedAt;
}

test('the get-only overlay renders `get` as the only verb on Secrets, WATCH_SECRETS=false, and passes server-side validation', () => {
  const objs = render(GET_ONLY);
  expect(secretVerbs(objs)).toEqual(['get']);
  expect(secretVerbs(render('deploy/base'))).toEqual(['get', 'list', 'watch']);
  expect(envOf(objs)).toEqual(expect.objectContaining({ WATCH_SECRETS: 'false', RESYNC_PERIOD_SECONDS: '600', LEADER_ELECTION: 'true' }));
  // Everything else is the base, unchanged.
  const strip = (os: Obj[]) => JSON.stringify(os.map((o) => (o.kind === 'ClusterRole' || o.kind === 'Deployment' ? o.kind : o)));
  expect(strip(objs)).toBe(strip(render('deploy/base')));
  if (kubectlResult(['get', 'namespace', 'telegram-system']).code !== 0) kubectl(['create', 'namespace', 'telegram-system']);
  const r = kubectlResult(['apply', '--server-side', '--dry-run=server', '--field-manager=get-only-test', '-f', '-'], kustomize(GET_ONLY));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test('get-only install: no list/watch on Secrets; ready, verifies, and picks up a rotated token on its resync', async () => {
  const ns = await createNamespace('getonly');
  const kubeconfig = await deployedServiceAccountKubeconfig(ns, GET_ONLY);
  expect(canI(kubeconfig, 'get', 'secrets', '-n', ns)).toBe(true);
  expect(canI(kubeconfig, 'list', 'secrets', '-n', ns)).toBe(false);
  expect(canI(kubeconfig, 'list', 'secrets', '--all-namespaces')).toBe(false);
  expect(canI(kubeconfig, 'watch', 'secrets', '--all-namespaces')).toBe(false);

  const env = envOf(render(GET_ONLY));
  // startOperator waits for /readyz (and fails after 30 s): it must not wait for a Secret watch that does not exist.
  const op = await startOperator({
    KUBECONFIG: kubeconfig,
    TELEGRAM_API_URL: telegramUrl,
    WATCH_NAMESPACE: ns,
    // The Deployment sets it from the downward API; the ServiceAccount's namespaced Roles (Lease,
    // remembered state) are bound in ns, as in the operator's own namespace.
    POD_NAMESPACE: ns,
    WATCH_SECRETS: env.WATCH_SECRETS!,
    RESYNC_PERIOD_SECONDS: String(RESYNC_SECONDS),
  });
  operators.push(op);

  const ms = await rotationPickupMs(ns, (RESYNC_SECONDS + 20) * 1000);
  console.log(`get-only install: rotated token picked up after ${ms} ms (resync every ${RESYNC_SECONDS} s)`);
  // Nothing asked for a Secret list or watch, so nothing was refused.
  const logs = op.logs();
  expect(logs.filter((l) => JSON.stringify(l.path ?? '').includes('secrets'))).toEqual([]);
  expect(op.output()).not.toMatch(/forbidden/i);
  expect(logs.find((l) => l.msg === 'telegram-channel-operator started')).toEqual(expect.objectContaining({ watchSecrets: false }));
});

test('base install: list/watch on Secrets; a rotated token is picked up within seconds', async () => {
  const ns = await createNamespace('watchsecrets');
  const kubeconfig = await deployedServiceAccountKubeconfig(ns);
  expect(canI(kubeconfig, 'list', 'secrets', '--all-namespaces')).toBe(true);
  expect(canI(kubeconfig, 'watch', 'secrets', '--all-namespaces')).toBe(true);
  const op = await startOperator({ KUBECONFIG: kubeconfig, TELEGRAM_API_URL: telegramUrl, WATCH_NAMESPACE: ns, POD_NAMESPACE: ns });
  operators.push(op);
  const ms = await rotationPickupMs(ns, 5_000);
  console.log(`base install: rotated token picked up after ${ms} ms`);
  expect(op.logs().find((l) => l.msg === 'telegram-channel-operator started')).toEqual(expect.objectContaining({ watchSecrets: true }));
});

test('get-only RBAC without WATCH_SECRETS=false: the operator is never ready (why the overlay sets both)', async () => {
  const ns = await createNamespace('getonly-mismatch');
  const kubeconfig = await deployedServiceAccountKubeconfig(ns, GET_ONLY);
  // The log says why, and what to do.
  await expect(
    startOperator({ KUBECONFIG: kubeconfig, TELEGRAM_API_URL: telegramUrl, WATCH_NAMESPACE: ns, POD_NAMESPACE: ns }),
  ).rejects.toThrow(/not ready within 30 s[\s\S]*"code":403[^\n]*"hint":"grant list and watch on secrets, or set WATCH_SECRETS=false/);
});
