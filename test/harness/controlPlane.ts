// A real kube-apiserver + etcd on loopback, started from binaries built by hack/testbin.sh.
// Used by `make cluster-up`/`cluster-down`, by jest's global setup, by the demo and the benchmarks.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ControlPlaneState {
  dir: string;
  binDir: string;
  version: string;
  apiserverPort: number;
  etcdPort: number;
  etcdPeerPort: number;
  etcdPid: number;
  apiserverPid: number;
  kubeconfig: string;
  adminToken: string;
}

const STATE_FILE = 'state.json';

function log(msg: string): void {
  process.stderr.write(`control-plane: ${msg}\n`);
}

/** Builds (first time) or finds the cached binaries; progress goes to stderr. */
export function ensureBinaries(): string {
  const out = execFileSync('bash', [path.join(REPO_ROOT, 'hack/testbin.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  return out.trim().split('\n').pop()!;
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCertificates(dir: string): void {
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt'],
    dir,
  );
  signedByCa(dir, 'apiserver', '/CN=kube-apiserver', [
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc',
    'extendedKeyUsage=serverAuth',
  ]);
  signedByCa(dir, 'admin', '/O=system:masters/CN=admin', ['extendedKeyUsage=clientAuth']);
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

/** <name>.key and <name>.crt for `subject`, signed by the test CA with these X.509 extensions. */
function signedByCa(dir: string, name: string, subject: string, extensions: string[]): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  writeFileSync(path.join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '3650',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

function startProcess(name: string, bin: string, args: string[], dir: string): number {
  const logFd = openSync(path.join(dir, `${name}.log`), 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${name}`);
  return child.pid;
}

function apiserverArgs(s: ControlPlaneState): string[] {
  const d = s.dir;
  return [
    `--etcd-servers=http://127.0.0.1:${s.etcdPort}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${s.apiserverPort}`,
    '--advertise-address=127.0.0.1',
    '--endpoint-reconciler-type=none',
    `--cert-dir=${d}/certs`,
    `--tls-cert-file=${d}/apiserver.crt`,
    `--tls-private-key-file=${d}/apiserver.key`,
    `--client-ca-file=${d}/ca.crt`,
    `--token-auth-file=${d}/tokens.csv`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${d}/sa.pub`,
    `--service-account-signing-key-file=${d}/sa.key`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
  ];
}

function etcdArgs(s: ControlPlaneState): string[] {
  return [
    '--name',
    'default',
    '--data-dir',
    `${s.dir}/etcd`,
    '--listen-client-urls',
    `http://127.0.0.1:${s.etcdPort}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${s.etcdPort}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${s.etcdPeerPort}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${s.etcdPeerPort}`,
    '--initial-cluster',
    `default=http://127.0.0.1:${s.etcdPeerPort}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

function get(url: string, ca: Buffer, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers: token ? { Authorization: `Bearer ${token}` } : {}, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitReady(s: ControlPlaneState, timeoutMs = 120_000): Promise<void> {
  const ca = readFileSync(path.join(s.dir, 'ca.crt'));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive(s.apiserverPid)) {
      throw new Error(
        `kube-apiserver exited during start-up; see ${s.dir}/kube-apiserver.log:\n${tail(path.join(s.dir, 'kube-apiserver.log'))}`,
      );
    }
    try {
      const r = await get(`https://127.0.0.1:${s.apiserverPort}/readyz`, ca, s.adminToken);
      if (r.status === 200) return;
      last = `${r.status} ${r.body.slice(0, 200)}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`kube-apiserver not ready after ${timeoutMs / 1000}s (last: ${last}); see ${s.dir}/kube-apiserver.log`);
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function kubeconfigYaml(s: ControlPlaneState): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:${s.apiserverPort}
    certificate-authority: ${s.dir}/ca.crt
users:
- name: admin
  user:
    client-certificate: ${s.dir}/admin.crt
    client-key: ${s.dir}/admin.key
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
`;
}

/** Starts etcd and kube-apiserver in `dir` (wiped first) and returns once /readyz answers. */
export async function startControlPlane(dir: string): Promise<ControlPlaneState> {
  const binDir = ensureBinaries();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'certs'), { recursive: true });
  mkdirSync(path.join(dir, 'etcd'), { recursive: true });
  makeCertificates(dir);
  const adminToken = randomBytes(16).toString('hex');
  writeFileSync(path.join(dir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`);
  const version = execFileSync(path.join(binDir, 'kube-apiserver'), ['--version'], { encoding: 'utf8' }).trim();
  const s: ControlPlaneState = {
    dir,
    binDir,
    version,
    apiserverPort: await freePort(),
    etcdPort: await freePort(),
    etcdPeerPort: await freePort(),
    etcdPid: 0,
    apiserverPid: 0,
    kubeconfig: path.join(dir, 'kubeconfig'),
    adminToken,
  };
  const started = Date.now();
  s.etcdPid = startProcess('etcd', path.join(binDir, 'etcd'), etcdArgs(s), dir);
  s.apiserverPid = startProcess('kube-apiserver', path.join(binDir, 'kube-apiserver'), apiserverArgs(s), dir);
  writeState(s);
  writeFileSync(s.kubeconfig, kubeconfigYaml(s));
  log(`${version} starting on https://127.0.0.1:${s.apiserverPort} (etcd :${s.etcdPort})`);
  await waitReady(s);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return s;
}

/** Kills kube-apiserver and starts it again on the same port and etcd: a real apiserver restart. */
export async function restartApiserver(s: ControlPlaneState, downMs = 0): Promise<void> {
  await killAndWait(s.apiserverPid);
  if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
  s.apiserverPid = startProcess('kube-apiserver', path.join(s.binDir, 'kube-apiserver'), apiserverArgs(s), s.dir);
  writeState(s);
  await waitReady(s);
}

async function killAndWait(pid: number): Promise<void> {
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

export async function stopControlPlane(s: ControlPlaneState): Promise<void> {
  await killAndWait(s.apiserverPid);
  await killAndWait(s.etcdPid);
}

function writeState(s: ControlPlaneState): void {
  writeFileSync(path.join(s.dir, STATE_FILE), JSON.stringify(s, null, 2));
}

export function readState(dir: string): ControlPlaneState | undefined {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneState;
}

export function isRunning(s: ControlPlaneState): boolean {
  return alive(s.apiserverPid) && alive(s.etcdPid);
}
