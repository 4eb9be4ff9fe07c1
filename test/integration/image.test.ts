// The operator's image, built from the project's own Dockerfile with podman on stand-in base images
// (hack/base-images.sh: no image registry needed), then run the way a kubelet would run the chart's
// Pod: in-cluster configuration from a ServiceAccount token mounted at the usual path, user 65532,
// read-only root filesystem, every capability dropped, the chart's environment. Host networking
// stands in for the pod network, so it reaches the test API server and the Telegram emulator on
// loopback. Proves: the image builds, starts, becomes Ready, takes the Lease, verifies a channel
// with the RBAC the chart grants, never logs the token, and stops cleanly on SIGTERM.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers, cond } from '../harness/channels.js';
import { REPO_ROOT, freePort } from '../harness/controlPlane.js';
import { installCrds, kubectl } from '../harness/crds.js';
import { createNamespace, eventually, kubeConfig } from '../harness/kube.js';

const IMAGE = 'localhost/telegram-channel-operator:image-test';
const NAME = 'telegram-channel-operator';
const suffix = randomBytes(3).toString('hex');
const CONTAINER = `tgc-image-test-${suffix}`;
const POD_NAME = `${NAME}-image-test-0`;

let runFlags: string[] = [];
/** podman, with its exit status and output (kept for the failure message). */
function podman(args: string[]) {
  const r = spawnSync('podman', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
function mustPodman(args: string[]): string {
  const r = podman(args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  return r.stdout;
}
/**
 * `podman build|run` with the flags this machine needs to start a container (hack/podman-flags.sh).
 * Every container here uses --network=none or host: podman's default bridge would need the CNI plugins.
 */
const withRunFlags = (command: 'build' | 'run', args: string[]) => [command, ...runFlags, ...args];

let ns: string;
let emulator: TelegramEmulator;
let httpPort: number;
const { secret, channel, readyReason } = channelHelpers(() => ns);

beforeAll(() => {
  if (podman(['--version']).code !== 0) {
    throw new Error('the image test needs podman, runc and mmdebstrap: apt-get install podman runc mmdebstrap (.ci/run does)');
  }
  runFlags = execFileSync('bash', [path.join(REPO_ROOT, 'hack/podman-flags.sh')], { encoding: 'utf8' })
    .trim()
    .split(/\s+/);
  // Idempotent: imports the cached stand-ins, or assembles them the first time (under a minute).
  execFileSync('bash', [path.join(REPO_ROOT, 'hack/base-images.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The Dockerfile as it is; --pull=never proves nothing came from a registry.
  mustPodman(withRunFlags('build', ['--pull=never', '--network=host', '-t', IMAGE, REPO_ROOT]));
}, 900_000);

afterAll(async () => {
  podman(['rm', '--force', '--time=0', CONTAINER]);
  await emulator?.stop();
});

describe('the image', () => {
  it('runs node as user 65532 from /nodejs/bin/node, has no shell and no development dependencies', () => {
    const [config] = JSON.parse(mustPodman(['image', 'inspect', IMAGE]));
    expect(config.Config.User).toBe('65532:65532');
    expect(config.Config.Entrypoint).toEqual(['/nodejs/bin/node', '/app/dist/main.js']);
    expect(config.Config.ExposedPorts).toEqual({ '8080/tcp': {} });
    const sizeMb = Math.round(config.Size / 1e6);
    console.log(`image ${IMAGE}: ${sizeMb} MB`);
    expect(sizeMb).toBeLessThan(400);

    const offline = ['--rm', '--network=none'];
    const shell = podman(withRunFlags('run', [...offline, '--entrypoint', '/bin/sh', IMAGE, '-c', 'true']));
    expect(shell.code).not.toBe(0);
    expect(shell.stderr).toMatch(/no such file or directory/i);

    const probe =
      'const fs=require("fs");console.log(JSON.stringify({uid:process.getuid(),' +
      'ts:fs.existsSync("/app/node_modules/typescript"),jest:fs.existsSync("/app/node_modules/jest"),' +
      'node:fs.existsSync("/app/node_modules/node"),crd:fs.existsSync("/app/crds")}))';
    const seen = JSON.parse(mustPodman(withRunFlags('run', [...offline, '--entrypoint', '/nodejs/bin/node', IMAGE, '-e', probe])));
    expect(seen).toEqual({ uid: 65532, ts: false, jest: false, node: false, crd: true });
  });

  it('the CLI in the image answers --help', () => {
    const cli = ['--rm', '--network=none', '--entrypoint', '/nodejs/bin/node', IMAGE, '/app/dist/cli/index.js'];
    const out = mustPodman(withRunFlags('run', [...cli, '--help']));
    expect(out).toMatch(/Usage:\n\s+telegram-channel-operator chats/);
  });
});

describe("the image run as the chart's Pod would be", () => {
  beforeAll(async () => {
    installCrds();
    ns = await createNamespace('image');
    emulator = new TelegramEmulator(demoScenario());
    const telegramUrl = await emulator.start();
    httpPort = await freePort();

    // The chart's objects for this namespace: ServiceAccount, Role (watchNamespaces), Lease Role.
    const helm = execFileSync('bash', [path.join(REPO_ROOT, 'hack/helm.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const chart = path.join(REPO_ROOT, 'charts/telegram-channel-operator');
    const values = ['--set', `watchNamespaces={${ns}}`, '--set', 'crds.install=false'];
    const rendered = execFileSync(helm.trim(), ['template', `img-${suffix}`, chart, '-n', ns, ...values], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const objs = (loadAll(rendered) as any[]).filter(Boolean);
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs });
    kubectl(['apply', '--server-side', '--field-manager=image-test', '-f', '-'], list);
    const deployment = objs.find((o) => o.kind === 'Deployment');
    const sa = deployment.spec.template.spec.serviceAccountName as string;

    // What the kubelet mounts for the ServiceAccount: a TokenRequest token, the cluster CA, the namespace.
    const kc = kubeConfig();
    const server = new URL(kc.getCurrentCluster()!.server);
    const saDir = mkdtempSync(path.join(tmpdir(), 'tgc-image-sa-'));
    writeFileSync(path.join(saDir, 'token'), kubectl(['create', 'token', sa, '-n', ns, '--duration=1h']).trim());
    writeFileSync(path.join(saDir, 'ca.crt'), readFileSync(kc.getCurrentCluster()!.caFile!));
    writeFileSync(path.join(saDir, 'namespace'), ns);
    chmodSync(saDir, 0o755);
    for (const f of ['token', 'ca.crt', 'namespace']) chmodSync(path.join(saDir, f), 0o644);

    // The chart's environment, with the downward API filled in as the kubelet would.
    const fieldRefs: Record<string, string> = { 'metadata.namespace': ns, 'metadata.name': POD_NAME, 'status.podIP': '127.0.0.1' };
    const env: Record<string, string> = {};
    for (const e of deployment.spec.template.spec.containers[0].env) env[e.name] = e.value ?? fieldRefs[e.valueFrom.fieldRef.fieldPath];
    Object.assign(env, { HTTP_PORT: String(httpPort), TELEGRAM_API_URL: telegramUrl });
    Object.assign(env, { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port });

    // The podman flags below are the chart's securityContext: make sure it still says so.
    const securityContext = deployment.spec.template.spec.containers[0].securityContext;
    expect(securityContext).toEqual(
      expect.objectContaining({ readOnlyRootFilesystem: true, runAsUser: 65532, runAsGroup: 65532, capabilities: { drop: ['ALL'] } }),
    );
    expect(securityContext.allowPrivilegeEscalation).toBe(false);
    mustPodman(
      withRunFlags('run', [
        '--detach',
        '--name',
        CONTAINER,
        '--network=host',
        '--user=65532:65532',
        '--read-only',
        '--tmpfs=/tmp:size=16m',
        '--cap-drop=ALL',
        '--security-opt=no-new-privileges',
        `--volume=${saDir}:/var/run/secrets/kubernetes.io/serviceaccount:ro`,
        ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        IMAGE,
      ]),
    );
  }, 300_000);

  const logs = () => {
    const r = podman(['logs', CONTAINER]);
    return r.stdout + r.stderr;
  };

  /** `eventually`, with the container's logs in the failure message. */
  const eventuallyWithLogs = async <T>(fn: () => Promise<T | undefined | false>, what: string) => {
    try {
      return await eventually(fn, 60_000, what);
    } catch (e) {
      throw new Error(`${(e as Error).message}\ncontainer logs:\n${logs().slice(-4000)}`, { cause: e });
    }
  };

  it('becomes Ready and takes the Lease in its namespace', async () => {
    await eventuallyWithLogs(async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok, '/readyz of the container');
    const lease = await eventuallyWithLogs(async () => {
      const l = JSON.parse(kubectl(['get', 'lease', NAME, '-n', ns, '-o', 'json']));
      return l.spec.holderIdentity ? l : undefined;
    }, 'the Lease');
    expect(lease.spec.holderIdentity).toBe(POD_NAME);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^telegram_operator_leader 1$/m);
  });

  it('verifies a channel with the RBAC the chart grants, and never logs the token', async () => {
    await secret('bot', { token: DEMO.bot.token });
    await channel('ops', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
    const ch = await readyReason('ops', 'Verified', 60_000);
    expect(cond(ch, 'Ready')?.status).toBe('True');
    expect(logs()).not.toContain(DEMO.bot.token);
    expect(logs()).not.toMatch(/EACCES|EROFS|read-only file system/i);
  });

  it("stops cleanly on SIGTERM within the Pod's grace period", () => {
    mustPodman(['stop', '--time=15', CONTAINER]);
    // Exit code 0: it ended on SIGTERM by itself; one still running after 15 s is killed (137).
    const [state] = JSON.parse(mustPodman(['inspect', CONTAINER]));
    expect(state.State.ExitCode).toBe(0);
  });
});
