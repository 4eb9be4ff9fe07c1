// End to end on a real one-node cluster (hack/e2e/cluster.sh): the image built from the Dockerfile runs as
// the Pods of deploy/base (through the e2e overlay) and of the Helm chart, with in-cluster configuration,
// the ServiceAccount token the kubelet mounts, probes, the Service, two real pod IPs and a Lease. The
// Telegram emulator runs in this process on the node's address; a real Alertmanager runs on the host and
// posts through Services that kube-proxy routes. One file: the two installs must not run side by side
// (both watch every namespace).
import { jest } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { eventually } from '../harness/kube.js';
import { E2E_DIR, IMAGE, kubeConfig, kubectl, kubectlResult, nodeIp, startCluster, stopCluster } from './cluster.js';

const NAME = 'telegram-channel-operator';
const NS = 'telegram-system';
const CHANNELS_NS = 'e2e-channels';
const HELM_NS = 'tgc-helm';
const WEBHOOK_TOKEN = 'e2e-alertmanager-webhook-secret-0123';
const SELECTOR = 'app.kubernetes.io/name=telegram-channel-operator,app.kubernetes.io/component=controller';
const OVERLAY_DIR = path.join(E2E_DIR, 'kustomize');

// Pods start, roll out and fail over in real time, on a machine the rest of `make test` keeps busy.
jest.setTimeout(300_000);

let core: k8s.CoreV1Api;
let coordination: k8s.CoordinationV1Api;
let emulator: TelegramEmulator;
let telegramUrl: string;
let am: AlertmanagerProcess | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Applies TelegramChannel `name` in CHANNELS_NS with `spec` (flow-style YAML), as a user would with kubectl. */
const applyChannel = (name: string, spec: string) =>
  kubectl(
    ['apply', '-f', '-'],
    [
      'apiVersion: telegram.notify.dev/v1alpha1',
      'kind: TelegramChannel',
      `metadata: {name: ${name}, namespace: ${CHANNELS_NS}}`,
      `spec: ${spec}`,
    ].join('\n'),
  );
const opsMessages = (text: string) => emulator.messagesTo(DEMO.chats.ops).filter((m) => m.text.includes(text));

/** The operator's Pods in `namespace` that are Running and Ready, not being deleted. */
async function readyPods(namespace: string): Promise<k8s.V1Pod[]> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: SELECTOR })).items;
  return pods.filter(
    (p) =>
      !p.metadata?.deletionTimestamp &&
      p.status?.phase === 'Running' &&
      p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

async function leaseHolder(namespace: string): Promise<string | undefined> {
  try {
    return (await coordination.readNamespacedLease({ namespace, name: NAME })).spec?.holderIdentity ?? undefined;
  } catch {
    return undefined;
  }
}

/** One replica's /metrics, read from the host straight at its pod IP. */
async function metric(pod: k8s.V1Pod, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://${pod.status!.podIP}:8080/metrics`)).text();
  const m = text.match(pattern);
  return m ? Number(m[1]) : 0;
}
const isLeaderMetric = (pod: k8s.V1Pod) => metric(pod, /^telegram_operator_leader (\S+)$/m);
const alertsSent = (pod: k8s.V1Pod) => metric(pod, /^telegram_operator_messages_sent_total\{source="alert"\} (\S+)$/m);

/** Two Ready replicas and a Lease held by one of them (each replica's own leader gauge agrees). */
async function twoReadyOneLeader(namespace: string): Promise<{ leader: k8s.V1Pod; follower: k8s.V1Pod }> {
  return eventually(
    async () => {
      const pods = await readyPods(namespace);
      const holder = await leaseHolder(namespace);
      const leader = pods.find((p) => p.metadata!.name === holder);
      const follower = pods.find((p) => p.metadata!.name !== holder);
      if (pods.length !== 2 || !leader || !follower) return undefined;
      if ((await isLeaderMetric(leader)) !== 1 || (await isLeaderMetric(follower)) !== 0) return undefined;
      return { leader, follower };
    },
    240_000,
    `2/2 Ready replicas in ${namespace} and one leader`,
  ).catch((e: Error) => {
    const pods = kubectlResult(['-n', namespace, 'get', 'pods', '-o', 'wide']);
    const events = kubectlResult(['-n', namespace, 'get', 'events', '--sort-by=.lastTimestamp']);
    throw new Error(`${e.message}\n${pods.stdout}${pods.stderr}\n${events.stdout.slice(-3000)}`, { cause: e });
  });
}

async function channelReady(name: string): Promise<void> {
  await eventually(
    async () => {
      const ch = JSON.parse(kubectl(['-n', CHANNELS_NS, 'get', 'telegramchannel', name, '-o', 'json']));
      const ready = ch.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
      return ready?.status === 'True' && ready.reason === 'Verified' && ready.observedGeneration === ch.metadata.generation;
    },
    120_000,
    `TelegramChannel ${CHANNELS_NS}/${name} Ready=True (Verified)`,
  );
}

/** The message arrives, and after the operator recorded it and a few more seconds, it is still there once. */
async function deliveredOnce(text: string, what: string): Promise<void> {
  await eventually(async () => opsMessages(text).length > 0, 60_000, what);
  await sleep(4_000);
  expect(opsMessages(text)).toHaveLength(1);
}

async function annotationAlertDeliveredOnce(channel: string, text: string): Promise<void> {
  kubectl(['-n', CHANNELS_NS, 'annotate', '--overwrite', 'telegramchannel', channel, `telegram.notify.dev/alert=${text}`]);
  await deliveredOnce(text, `annotation alert "${text}"`);
  await eventually(
    async () => {
      const ch = JSON.parse(kubectl(['-n', CHANNELS_NS, 'get', 'telegramchannel', channel, '-o', 'json']));
      return ch.status?.delivery?.lastAlertDigest && !ch.status.delivery.pendingAlertDigest;
    },
    30_000,
    `the alert recorded in ${channel}'s status`,
  );
}

beforeAll(async () => {
  // The cluster (built and started the first time: up to several minutes) and the image in its node.
  startCluster();
  const kc = kubeConfig();
  core = kc.makeApiClient(k8s.CoreV1Api);
  coordination = kc.makeApiClient(k8s.CoordinationV1Api);
  emulator = new TelegramEmulator(demoScenario());
  telegramUrl = await emulator.start(0, nodeIp());
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', path.join(REPO_ROOT, 'crds')]);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/telegramchannels.telegram.notify.dev']);
  // The e2e overlay as it is, plus the one thing only known now: where the emulator listens.
  mkdirSync(OVERLAY_DIR, { recursive: true });
  writeFileSync(
    path.join(OVERLAY_DIR, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [${path.relative(OVERLAY_DIR, path.join(REPO_ROOT, 'deploy/overlays/e2e'))}]`,
      'patches:',
      '  - patch: |-',
      '      apiVersion: apps/v1',
      '      kind: Deployment',
      `      metadata: {name: ${NAME}, namespace: ${NS}}`,
      `      spec: {template: {spec: {containers: [{name: operator, env: [{name: TELEGRAM_API_URL, value: "${telegramUrl}"}]}]}}}`,
      '',
    ].join('\n'),
  );
  // A cluster kept from an earlier run (E2E_KEEP=1) starts from nothing of ours.
  kubectlResult(['delete', 'namespace', CHANNELS_NS, HELM_NS, '--ignore-not-found', '--wait', '--timeout=120s']);
  kubectlResult(['delete', '-k', OVERLAY_DIR, '--ignore-not-found', '--wait', '--timeout=120s']);
  kubectl(['apply', '--server-side', '-k', OVERLAY_DIR]);
  kubectl(['create', 'namespace', CHANNELS_NS]);
  kubectl(['-n', CHANNELS_NS, 'create', 'secret', 'generic', 'bot', `--from-literal=token=${DEMO.bot.token}`]);
  kubectl(['-n', CHANNELS_NS, 'create', 'secret', 'generic', 'am-webhook', `--from-literal=token=${WEBHOOK_TOKEN}`]);
}, 1_200_000);

afterAll(async () => {
  await am?.stop();
  await emulator?.stop();
  stopCluster();
}, 120_000);

describe('deploy/base through the e2e overlay', () => {
  let leader: k8s.V1Pod;
  let follower: k8s.V1Pod;

  it('rolls out: 2/2 replicas Ready on two pod IPs, exactly one of them the leader', async () => {
    ({ leader, follower } = await twoReadyOneLeader(NS));
    expect(leader.status!.podIP).not.toBe(follower.status!.podIP);
    const deployment = JSON.parse(kubectl(['-n', NS, 'get', 'deployment', NAME, '-o', 'json']));
    expect(deployment.status.readyReplicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].image).toBe(IMAGE);
    // The Lease names the leader and the address a follower forwards webhooks to: its real pod IP.
    const lease = await coordination.readNamespacedLease({ namespace: NS, name: NAME });
    expect(JSON.stringify(lease.metadata?.annotations ?? {})).toContain(leader.status!.podIP!);
  });

  it('runs as user 65532 with a read-only root filesystem and a writable /tmp', () => {
    const probe =
      'const fs=require("fs");const w=(p)=>{try{fs.writeFileSync(p,"x");return "ok"}catch(e){return e.code}};' +
      'console.log(JSON.stringify({uid:process.getuid(),gid:process.getgid(),root:w("/app/e2e-probe"),tmp:w("/tmp/e2e-probe")}))';
    for (const pod of [leader, follower]) {
      const out = kubectl(['-n', NS, 'exec', pod.metadata!.name!, '-c', 'operator', '--', '/nodejs/bin/node', '-e', probe]);
      expect(JSON.parse(out)).toEqual({ uid: 65532, gid: 65532, root: 'EROFS', tmp: 'ok' });
    }
  });

  it('verifies a TelegramChannel: Ready=True', async () => {
    applyChannel('ops', `{tokenSecretRef: {name: bot}, chatId: "${DEMO.chats.ops}", alertmanager: {tokenSecretRef: {name: am-webhook}}}`);
    await channelReady('ops');
  });

  it('delivers an annotation alert once', async () => {
    await annotationAlertDeliveredOnce('ops', 'e2e annotation alert 1');
    expect(await alertsSent(leader)).toBe(1);
    expect(await alertsSent(follower)).toBe(0);
  });

  it("delivers a real Alertmanager's notifications once, whichever replica receives them", async () => {
    // The operator's own Service (kube-proxy picks a replica), and two Services with one replica each, so
    // that both paths are taken for certain: the leader sends, the follower hands over to the leader.
    kubectl(['-n', NS, 'label', '--overwrite', 'pod', leader.metadata!.name!, 'e2e-replica=leader']);
    kubectl(['-n', NS, 'label', '--overwrite', 'pod', follower.metadata!.name!, 'e2e-replica=follower']);
    const service = (name: string, replica: string) =>
      [
        'apiVersion: v1',
        'kind: Service',
        `metadata: {name: ${name}, namespace: ${NS}}`,
        `spec: {selector: {app.kubernetes.io/name: ${NAME}, e2e-replica: ${replica}}, ports: [{port: 8080, targetPort: http}]}`,
      ].join('\n');
    kubectl(['apply', '-f', '-'], [service('e2e-via-leader', 'leader'), service('e2e-via-follower', 'follower')].join('\n---\n'));
    const url = (svc: string) => {
      const ip = kubectl(['-n', NS, 'get', 'service', svc, '-o', 'jsonpath={.spec.clusterIP}']);
      return `http://${ip}:8080/webhooks/alertmanager/${CHANNELS_NS}/ops`;
    };
    const receiver = (name: string, svc: string) =>
      `- name: ${name}\n  webhook_configs:\n  - url: ${url(svc)}\n    send_resolved: false\n` +
      `    http_config: {authorization: {credentials: ${WEBHOOK_TOKEN}}}\n`;
    am = await startAlertmanager(
      [
        'route:',
        '  receiver: service',
        '  group_by: [alertname]',
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        '  routes:',
        '  - {receiver: via-leader, matchers: [via="leader"]}',
        '  - {receiver: via-follower, matchers: [via="follower"]}',
        'receivers:',
        receiver('service', NAME) + receiver('via-leader', 'e2e-via-leader') + receiver('via-follower', 'e2e-via-follower'),
      ].join('\n'),
    );
    const startsAt = new Date().toISOString();
    for (const via of ['service', 'leader', 'follower']) {
      await am.postAlerts([{ labels: { alertname: `E2EVia_${via}`, via, severity: 'warning' }, startsAt }]);
    }
    for (const via of ['service', 'leader', 'follower']) {
      await eventually(async () => opsMessages(`E2EVia_${via}`).length > 0, 60_000, `the notification sent through ${via}`);
    }
    await sleep(4_000);
    for (const via of ['service', 'leader', 'follower']) expect(opsMessages(`E2EVia_${via}`)).toHaveLength(1);
  });

  it('`kubectl delete pod` of the leader: the other replica leads and sends the next alert, once', async () => {
    const before = await alertsSent(follower);
    kubectl(['-n', NS, 'delete', 'pod', leader.metadata!.name!, '--wait=false']);
    await eventually(async () => (await leaseHolder(NS)) === follower.metadata!.name, 60_000, 'the follower takes the Lease');
    await annotationAlertDeliveredOnce('ops', 'e2e annotation alert 2, after failover');
    expect(await alertsSent(follower)).toBe(before + 1);
    // Alertmanager's connection to the deleted Pod is gone; the next notification still arrives once.
    await am!.postAlerts([{ labels: { alertname: 'E2EAfterFailover', severity: 'warning' }, startsAt: new Date().toISOString() }]);
    await deliveredOnce('E2EAfterFailover', 'the Alertmanager notification after the failover');
    // The Deployment replaces the Pod: two replicas again, the new leader still leading.
    const again = await twoReadyOneLeader(NS);
    expect(again.leader.metadata!.name).toBe(follower.metadata!.name);
  });

  it("`kubectl logs` shows both replicas' JSON logs, and never a token", () => {
    for (const pod of JSON.parse(kubectl(['-n', NS, 'get', 'pods', '-l', SELECTOR, '-o', 'json'])).items) {
      const logs = kubectl(['-n', NS, 'logs', pod.metadata.name, '-c', 'operator']);
      const lines = logs.trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines.slice(0, 5)) expect(() => JSON.parse(line)).not.toThrow();
      expect(logs).not.toContain(DEMO.bot.token);
      expect(logs).not.toContain(WEBHOOK_TOKEN);
    }
  });
});

describe('helm install of charts/telegram-channel-operator', () => {
  const helm = () => execFileSync('bash', [path.join(REPO_ROOT, 'hack/helm.sh')], { encoding: 'utf8' }).trim();
  const helmRun = (args: string[]) =>
    execFileSync(helm(), args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeConfigPath() }, stdio: 'pipe' });
  const kubeConfigPath = () => path.join(E2E_DIR, 'kubeconfig');

  beforeAll(() => {
    // The kustomize install goes first: both watch every namespace.
    kubectl(['delete', 'service', '-n', NS, 'e2e-via-leader', 'e2e-via-follower', '--ignore-not-found']);
    kubectl(['delete', '-k', OVERLAY_DIR, '--wait', '--timeout=120s']);
  }, 180_000);

  afterAll(() => {
    try {
      helmRun(['uninstall', 'tgc', '-n', HELM_NS, '--wait', '--timeout', '2m']);
    } catch {
      // the cluster goes away next anyway
    }
  });

  it('installs with the CRD applied by kubectl (crds.install=false) and reaches 2/2 Ready, one leader', async () => {
    const [repository, tag] = IMAGE.split(':');
    helmRun([
      'install',
      'tgc',
      path.join(REPO_ROOT, 'charts/telegram-channel-operator'),
      '-n',
      HELM_NS,
      '--create-namespace',
      '--set',
      'crds.install=false',
      '--set',
      `image.repository=${repository}`,
      '--set',
      `image.tag=${tag}`,
      '--set',
      'image.pullPolicy=Never',
      '--set',
      `telegramApiUrl=${telegramUrl}`,
    ]);
    await twoReadyOneLeader(HELM_NS);
  });

  it('verifies a channel and delivers an annotation alert once', async () => {
    applyChannel('helm', `{tokenSecretRef: {name: bot}, chatId: "${DEMO.chats.ops}"}`);
    await channelReady('helm');
    await annotationAlertDeliveredOnce('helm', 'e2e alert through the Helm release');
  });
});
