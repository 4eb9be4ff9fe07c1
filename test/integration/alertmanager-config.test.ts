// spec.alertmanager.config against the real API server, then through the real Prometheus Operator and a
// real Alertmanager: the operator generates an AlertmanagerConfig (CRDNotInstalled until the CRD is
// installed, picked up without a restart), restores it when edited or deleted, never takes over a
// foreign one (Conflict), deletes it on opt-out, says Forbidden without its RBAC piece; the Prometheus
// Operator turns it into Alertmanager configuration that routes only this namespace's alerts to the
// channel's webhook.
//
// No garbage collector runs here (no kube-controller-manager): deletion with the channel is proven by
// the controller ownerReference carrying the channel's uid, which is what the garbage collector follows.
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { ALERTMANAGER_BIN, startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { G, channelHelpers, cond } from '../harness/channels.js';
import { installCrds, kubectlResult } from '../harness/crds.js';
import { clients, createNamespace, eventually } from '../harness/kube.js';
import { freePort, startOperator, type OperatorProcess } from '../harness/operator.js';
import {
  generatedAlertmanagerConfig,
  installPrometheusOperatorCrds,
  startPrometheusOperator,
  uninstallPrometheusOperatorCrd,
  type PrometheusOperatorProcess,
} from '../harness/prometheusOperator.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';

const AMC = { group: 'monitoring.coreos.com', version: 'v1alpha1', plural: 'alertmanagerconfigs' };
const WEBHOOK_TOKEN = 'am-config-webhook-token-31337';
const LABELS = { alertmanagerConfig: 'main' };

let ns: string;
let emulator: TelegramEmulator;
let telegramUrl: string;
let operator: OperatorProcess;
const others: OperatorProcess[] = [];
const { custom } = clients();
const h = channelHelpers(() => ns);

interface StoredAmc {
  metadata: { name: string; uid: string; resourceVersion: string; labels?: Record<string, string>; ownerReferences?: unknown[] };
  spec: any;
}
const getAmc = async (name: string, namespace = ns) => (await custom.getNamespacedCustomObject({ ...AMC, namespace, name })) as StoredAmc;
const amcExists = async (name: string, namespace = ns) =>
  getAmc(name, namespace).then(
    () => true,
    () => false,
  );
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const configured = (name: string, reason: string, timeoutMs = 30_000, namespace = ns) =>
  eventually(
    async () => {
      const ch = await h.get(name, namespace);
      const c = cond(ch, 'AlertmanagerConfigured');
      return c?.reason === reason && c.observedGeneration === ch.metadata.generation ? ch : undefined;
    },
    timeoutMs,
    `${namespace}/${name} AlertmanagerConfigured reason ${reason}`,
  );
const withConfig = (extra: Record<string, unknown> = {}) => ({
  tokenSecretRef: { name: 'bot' },
  chatId: String(DEMO.chats.ops),
  alertmanager: {
    tokenSecretRef: { name: 'am-webhook' },
    config: { labels: LABELS, route: { groupBy: ['alertname'], groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' }, ...extra },
  },
});

beforeAll(async () => {
  installCrds();
  // The test starts where a cluster without the Prometheus Operator is.
  uninstallPrometheusOperatorCrd('alertmanagerconfigs');
  ns = await createNamespace('amconfig');
  emulator = new TelegramEmulator(demoScenario());
  telegramUrl = await emulator.start();
  await h.secret('bot', { token: DEMO.bot.token });
  await h.secret('am-webhook', { token: WEBHOOK_TOKEN });
  // Alertmanager (run below) reaches this operator on its local address: that is WEBHOOK_BASE_URL.
  const port = await freePort();
  operator = await startOperator({
    TELEGRAM_API_URL: telegramUrl,
    WATCH_NAMESPACE: ns,
    HTTP_PORT: String(port),
    WEBHOOK_BASE_URL: `http://127.0.0.1:${port}/`,
  });
}, 120_000);

afterAll(async () => {
  for (const p of others) await p.stop();
  await operator?.stop();
  await emulator?.stop();
});

test('CRDNotInstalled (Ready unaffected), then the CRD is installed and the same process creates the object', async () => {
  await h.channel('oncall', withConfig());
  const before = await configured('oncall', 'CRDNotInstalled');
  expect(cond(before, 'AlertmanagerConfigured')).toMatchObject({ status: 'False', message: expect.stringMatching(/not installed/) });
  await h.readyReason('oncall', 'Verified');

  installPrometheusOperatorCrds(['alertmanagerconfigs']);
  const installedAt = Date.now();
  const after = await configured('oncall', 'Applied', 60_000);
  console.log(`CRD installed: AlertmanagerConfigured=True after ${Date.now() - installedAt} ms, without a restart`);
  expect(operator.child.exitCode).toBeNull();
  // Woken by the one discovery poll (each channel's own requeue is 10 minutes away).
  expect(operator.logs().some((l) => /configuring the waiting channels/.test(String(l.msg)))).toBe(true);
  expect(cond(after, 'AlertmanagerConfigured')?.status).toBe('True');
  expect(cond(after, 'Ready')?.status).toBe('True');

  const uid = (await custom.getNamespacedCustomObject({ ...G, namespace: ns, name: 'oncall' })).metadata.uid as string;
  const amc = await getAmc('oncall');
  // Deleted with the channel: the garbage collector follows this controller reference (no GC runs here).
  expect(amc.metadata.ownerReferences).toEqual([
    { apiVersion: 'telegram.notify.dev/v1alpha1', kind: 'TelegramChannel', name: 'oncall', uid, controller: true },
  ]);
  expect(amc.metadata.labels).toEqual({
    ...LABELS,
    'app.kubernetes.io/managed-by': 'telegram-channel-operator',
    'telegram.notify.dev/channel': 'oncall',
  });
  expect(amc.spec.route).toEqual({
    receiver: 'telegram',
    groupBy: ['alertname'],
    groupWait: '1s',
    groupInterval: '1s',
    repeatInterval: '1h',
  });
  expect(amc.spec.receivers).toEqual([
    {
      name: 'telegram',
      webhookConfigs: [
        {
          url: `${operator.url}/webhooks/alertmanager/${ns}/oncall`,
          sendResolved: true,
          httpConfig: { authorization: { type: 'Bearer', credentials: { name: 'am-webhook', key: 'token' } } },
        },
      ],
    },
  ]);
  // The token is referenced, never copied.
  expect(JSON.stringify(amc)).not.toContain(WEBHOOK_TOKEN);
  const managers = (amc.metadata as { managedFields?: { manager: string; operation: string }[] }).managedFields ?? [];
  expect(managers.map((m) => `${m.manager}/${m.operation}`)).toEqual(['telegram-channel-operator/Apply']);
}, 120_000);

test('an edited or deleted AlertmanagerConfig is put back', async () => {
  await custom.patchNamespacedCustomObject(
    { ...AMC, namespace: ns, name: 'oncall', body: { spec: { route: { groupWait: '9m' } } }, fieldManager: 'someone' },
    mergePatch,
  );
  await eventually(async () => (await getAmc('oncall')).spec.route.groupWait === '1s', 20_000, 'groupWait restored');
  const { uid } = (await getAmc('oncall')).metadata;
  await custom.deleteNamespacedCustomObject({ ...AMC, namespace: ns, name: 'oncall' });
  const back = await eventually(
    async () => {
      const o = await getAmc('oncall').catch(() => undefined);
      return o && o.metadata.uid !== uid ? o : undefined;
    },
    20_000,
    'AlertmanagerConfig recreated',
  );
  expect(back.spec.receivers[0].webhookConfigs[0].url).toBe(`${operator.url}/webhooks/alertmanager/${ns}/oncall`);
});

test("Conflict: an AlertmanagerConfig of that name that is not the channel's is never written or deleted", async () => {
  const foreign = { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig', metadata: { name: 'taken' }, spec: {} };
  await custom.createNamespacedCustomObject({ ...AMC, namespace: ns, body: foreign });
  const rv = (await getAmc('taken')).metadata.resourceVersion;
  await h.channel('taken', withConfig({ labels: { team: 'x' } }));
  const ch = await configured('taken', 'Conflict');
  expect(cond(ch, 'AlertmanagerConfigured')?.message).toMatch(/already exists in .* and was not created for this channel/);
  await h.readyReason('taken', 'Verified');
  // Opting out does not delete it either.
  await custom.patchNamespacedCustomObject(
    { ...G, namespace: ns, name: 'taken', body: { spec: { alertmanager: { config: null } } } },
    mergePatch,
  );
  await eventually(async () => !cond(await h.get('taken'), 'AlertmanagerConfigured'), 20_000, 'condition removed');
  expect((await getAmc('taken')).metadata.resourceVersion).toBe(rv);
});

test('opting out deletes the AlertmanagerConfig the operator created, and removes the condition', async () => {
  await h.channel('optout', withConfig({ labels: { team: 'y' } }));
  await configured('optout', 'Applied');
  expect(await amcExists('optout')).toBe(true);
  await custom.patchNamespacedCustomObject(
    { ...G, namespace: ns, name: 'optout', body: { spec: { alertmanager: { config: null } } } },
    mergePatch,
  );
  await eventually(async () => !(await amcExists('optout')), 20_000, 'AlertmanagerConfig deleted');
  const ch = await eventually(async () => {
    const c = await h.get('optout');
    return cond(c, 'AlertmanagerConfigured') ? undefined : c;
  });
  expect(cond(ch, 'Ready')?.status).toBe('True');
});

test('a channel name longer than a label value may be still gets its AlertmanagerConfig', async () => {
  const long = `long-${'n'.repeat(70)}`;
  await h.channel(long, withConfig({ labels: { team: 'long' } }));
  await configured(long, 'Applied');
  expect((await getAmc(long)).metadata.labels).toEqual({ team: 'long', 'app.kubernetes.io/managed-by': 'telegram-channel-operator' });
});

test('Forbidden with the base RBAC only (naming the piece to install); the alertmanagerconfig overlay makes it work', async () => {
  const run = async (kustomization: string) => {
    const namespace = await createNamespace('amconfig-rbac');
    const kubeconfig = await deployedServiceAccountKubeconfig(namespace, kustomization);
    await h.secret('bot', { token: DEMO.bot.token }, namespace);
    await h.secret('am-webhook', { token: WEBHOOK_TOKEN }, namespace);
    const op = await startOperator({
      KUBECONFIG: kubeconfig,
      TELEGRAM_API_URL: telegramUrl,
      WATCH_NAMESPACE: namespace,
      POD_NAMESPACE: namespace,
    });
    others.push(op);
    await h.channel('rbac', withConfig({ labels: { team: 'z' } }), namespace);
    return namespace;
  };
  const base = await run('deploy/base');
  const denied = await configured('rbac', 'Forbidden', 30_000, base);
  expect(cond(denied, 'AlertmanagerConfigured')?.message).toMatch(/deploy\/components\/alertmanagerconfig/);
  expect(cond(denied, 'Ready')?.status).toBe('True');

  const granted = await run('deploy/overlays/alertmanagerconfig');
  await configured('rbac', 'Applied', 30_000, granted);
  expect(await amcExists('rbac', granted)).toBe(true);
}, 120_000);

test.each([
  [{ route: { matchers: [{ name: 'severity', value: 'critical', matchType: '==' }] } }, /matchType: Unsupported value: "=="/],
  [{ route: { matchers: [{ name: '', value: 'x' }] } }, /spec.alertmanager.config.route.matchers\[0\].name/],
  [{ route: { groupWait: '5x' } }, /spec.alertmanager.config.route.groupWait: Invalid value: "5x"/],
  [{ labels: { 'bad key!': 'x' } }, /every key must be a label key/],
  [{ labels: { team: 'not a label value' } }, /spec.alertmanager.config.labels.team/],
])('the API server refuses a bad config: %j', async (config, message) => {
  const body = {
    apiVersion: 'telegram.notify.dev/v1alpha1',
    kind: 'TelegramChannel',
    metadata: { name: 'bad', namespace: ns },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001', alertmanager: { tokenSecretRef: { name: 'w' }, config } },
  };
  const r = kubectlResult(['create', '--dry-run=server', '-f', '-'], JSON.stringify(body));
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(message);
});

test('a config without alertmanager.tokenSecretRef is refused by the API server, saying what is missing', () => {
  const body = {
    apiVersion: 'telegram.notify.dev/v1alpha1',
    kind: 'TelegramChannel',
    metadata: { name: 'bad', namespace: ns },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001', alertmanager: { config: { labels: LABELS } } },
  };
  const r = kubectlResult(['create', '--dry-run=server', '-f', '-'], JSON.stringify(body));
  expect(r.stderr).toMatch(/spec.alertmanager.tokenSecretRef: Required value/);
});

describe('through the real Prometheus Operator and Alertmanager', () => {
  let po: PrometheusOperatorProcess;
  let am: AlertmanagerProcess;
  let monitoring: string;

  beforeAll(async () => {
    if (!ALERTMANAGER_BIN) throw new Error('prometheus-alertmanager is not installed (.ci/run installs it)');
    // spec.version below must be the Alertmanager this test runs.
    expect(execFileSync(ALERTMANAGER_BIN, ['--version'], { encoding: 'utf8', stdio: 'pipe' })).toMatch(/version 0\.25\.0/);
    installPrometheusOperatorCrds(['alertmanagers']);
    monitoring = await createNamespace('monitoring');
    po = await startPrometheusOperator([monitoring, ns]);
    await custom.createNamespacedCustomObject({
      group: 'monitoring.coreos.com',
      version: 'v1',
      plural: 'alertmanagers',
      namespace: monitoring,
      body: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'Alertmanager',
        metadata: { name: 'main' },
        spec: {
          // The Debian Alertmanager this test runs (`prometheus-alertmanager --version`: 0.25.0).
          version: 'v0.25.0',
          replicas: 1,
          alertmanagerConfigSelector: { matchLabels: LABELS },
          alertmanagerConfigNamespaceSelector: {},
        },
      },
    });
  }, 1_200_000);

  afterAll(async () => {
    await am?.stop();
    await po?.stop();
  });

  test("only the channel's namespace reaches its chat, through the operator's webhook", async () => {
    const generated = await eventually(
      async () => {
        const yaml = await generatedAlertmanagerConfig(monitoring, 'main');
        return yaml?.includes(`/webhooks/alertmanager/${ns}/oncall`) ? yaml : undefined;
      },
      120_000,
      `alertmanager-main-generated with the channel's webhook (Prometheus Operator log:\n${po.output().slice(-3000)})`,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${po.output().slice(-4000)}`);
    });
    console.log(`configuration generated by the Prometheus Operator:\n${generated.replaceAll(WEBHOOK_TOKEN, '<token>')}`);
    // The other channels' AlertmanagerConfigs carry other labels: not selected.
    expect(generated).not.toContain('/webhooks/alertmanager/' + ns + '/optout');
    expect(generated).toMatch(new RegExp(`namespace="${ns}"`));

    am = await startAlertmanager(generated);
    const before = emulator.messagesTo(DEMO.chats.ops).length;
    const now = new Date().toISOString();
    await am.postAlerts([
      { labels: { alertname: 'InTheChannelsNamespace', namespace: ns, severity: 'critical' }, startsAt: now },
      { labels: { alertname: 'InAnotherNamespace', namespace: 'someone-else', severity: 'critical' }, startsAt: now },
    ]);
    const delivered = await eventually(
      async () => emulator.messagesTo(DEMO.chats.ops).find((m) => m.text.includes('InTheChannelsNamespace')),
      60_000,
      'the alert of the channel namespace in the chat',
    );
    expect(delivered.text).toMatch(/FIRING/);
    // Give the other alert the same chance (group_wait 1s, group_interval 1s), then check it never came.
    await new Promise((r) => setTimeout(r, 5_000));
    const texts = emulator
      .messagesTo(DEMO.chats.ops)
      .slice(before)
      .map((m) => m.text);
    expect(texts.filter((t) => t.includes('InAnotherNamespace'))).toEqual([]);
    // It came through the operator's webhook (authenticated with the referenced token): counted on the channel.
    await eventually(async () => ((await h.get('oncall')).status?.delivery?.sent ?? 0) > 0, 15_000, 'delivery counted in status');
  }, 300_000);
});
