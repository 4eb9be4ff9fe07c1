// Every call the operator makes is bounded, on the real API server with the built operator and the
// Telegram emulator, against an HTTP server that answers silence.url badly on purpose: one byte a
// second (a deadline that is not an idle timer), 600 MiB (a byte cap, never held in this test's
// memory either), and an internal service's 500 page (its words never reach the tenant's status).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers, cond } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { BOTS } from '../harness/resources.js';

const WORKERS = 4;
const HUGE_BYTES = 600 * 1024 * 1024;
const INTERNAL_SECRET = `db-password=${randomBytes(6).toString('hex')}`;

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let bad: http.Server;
let badUrl: string;
const botName = `bounded-${randomBytes(3).toString('hex')}`;
const stats = { trickling: 0, hugeRequests: 0, hugeBytesSent: 0 };
const { custom, secret, channel, get, readyReason } = channelHelpers(() => ns);

/** Serves GET …/api/v2/status three bad ways, by the URL's first path segment. */
function badAlertmanager(): http.Server {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  return http.createServer((req, res) => {
    const kind = (req.url ?? '').split('/')[1];
    if (kind === 'trickle') {
      stats.trickling++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const t = setInterval(() => res.write(' '), 1000);
      res.on('close', () => {
        clearInterval(t);
        stats.trickling--;
      });
      return;
    }
    if (kind === 'huge') {
      stats.hugeRequests++;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(HUGE_BYTES) });
      let sent = 0;
      // The same 1 MiB buffer again and again, as fast as the client reads: never 600 MiB held here.
      const push = () => {
        while (sent < HUGE_BYTES) {
          sent += chunk.length;
          stats.hugeBytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', push);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      return push();
    }
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`internal-billing at 10.96.12.7:5432 refused: ${INTERNAL_SECRET}`);
  });
}

/** The operator's peak resident memory so far (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

const interactive = (name: string) =>
  eventually(
    async () => {
      const c = cond(await get(name), 'Interactive');
      return c?.reason === 'AlertmanagerUnreachable' ? c : undefined;
    },
    60_000,
    `${name} Interactive AlertmanagerUnreachable`,
  );

const silenceChannel = (name: string, url: string) =>
  channel(name, {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' }, silence: { url, durations: ['1h'] } },
  });

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('bounded');
  emulator = new TelegramEmulator(demoScenario(), { limits: false });
  const url = await emulator.start();
  bad = badAlertmanager();
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
  badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
  await secret('bot', { token: DEMO.bot.token });
  await secret('am-webhook', { token: 'webhook-secret-1' });
  operator = await startOperator({
    TELEGRAM_API_URL: url,
    WATCH_NAMESPACE: ns,
    POD_NAMESPACE: ns,
    WATCH_CLUSTER_BOTS: 'true',
    MAX_CONCURRENT_RECONCILES: String(WORKERS),
  });
}, 60_000);

afterAll(async () => {
  await operator?.stop();
  await custom.deleteClusterCustomObject({ ...BOTS, name: botName }).catch(() => undefined);
  bad?.closeAllConnections();
  await new Promise((r) => bad?.close(r));
  await emulator?.stop();
});

test(`${WORKERS} Alertmanagers trickling a byte a second hold no worker: a new channel and a ClusterTelegramBot still reconcile`, async () => {
  for (let i = 0; i < WORKERS; i++) await silenceChannel(`trickle-${i}`, `${badUrl}/trickle/`);
  // Every worker has been inside a trickling answer at once.
  await eventually(async () => stats.trickling >= WORKERS || undefined, 30_000, `${WORKERS} trickling answers`);
  await channel('after', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  await readyReason('after', 'Verified', 30_000);
  await custom.createClusterCustomObject({
    ...BOTS,
    body: {
      apiVersion: 'telegram.notify.dev/v1alpha1',
      kind: 'ClusterTelegramBot',
      metadata: { name: botName },
      spec: { tokenSecretRef: { name: 'bot', namespace: ns }, allowedNamespaces: { names: [ns] } },
    },
  });
  await eventually(
    async () => {
      const b = (await custom.getClusterCustomObject({ ...BOTS, name: botName })) as {
        status?: { conditions?: { type: string; reason: string }[] };
      };
      return b.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'Verified');
    },
    30_000,
    'ClusterTelegramBot Ready',
  );
  // The trickling ones are judged too: the deadline ended their checks.
  for (let i = 0; i < WORKERS; i++) {
    const c = await interactive(`trickle-${i}`);
    expect(c.message).toMatch(/^cannot reach Alertmanager at 127\.0\.0\.1:\d+ to read its status/);
  }
});

test('a 600 MiB answer is not read: the operator stays small and keeps reconciling', async () => {
  const before = peakRssMiB(operator.child.pid!);
  await silenceChannel('huge', `${badUrl}/huge/`);
  const c = await interactive('huge');
  expect(c.message).toMatch(/^cannot reach Alertmanager at 127\.0\.0\.1:\d+ to read its status/);
  const peak = peakRssMiB(operator.child.pid!);
  console.log(`operator peak RSS: ${before.toFixed(0)} MiB before the 600 MiB answer, ${peak.toFixed(0)} MiB after`);
  // Well under the shipped 256 Mi limit, and barely above where it was: 64 KiB were read, not 600 MiB.
  expect(peak).toBeLessThan(256);
  expect(peak - before).toBeLessThan(32);
  expect(stats.hugeRequests).toBeGreaterThanOrEqual(1);
  // The socket was dropped after the first 64 KiB: what was sent is what the kernel buffered, per request.
  expect(stats.hugeBytesSent / stats.hugeRequests).toBeLessThan(32 * 1024 * 1024);
  await channel('after-huge', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  await readyReason('after-huge', 'Verified', 30_000);
});

test("an internal endpoint's error page and the network's error names stay out of the tenant's status", async () => {
  await silenceChannel('internal', `${badUrl}/internal/`);
  const refused = http.createServer();
  await new Promise<void>((r) => refused.listen(0, '127.0.0.1', r));
  const closedPort = (refused.address() as AddressInfo).port;
  await new Promise((r) => refused.close(r));
  await silenceChannel('closed', `http://127.0.0.1:${closedPort}/`);
  const internal = await interactive('internal');
  expect(internal.message).toMatch(/^127\.0\.0\.1:\d+ is not reachable as an Alertmanager to read its status/);
  const closed = await interactive('closed');
  expect(closed.message).toMatch(/^cannot reach Alertmanager at 127\.0\.0\.1:\d+ to read its status/);
  for (const c of [internal, closed]) {
    expect(c.message).not.toContain(INTERNAL_SECRET);
    expect(c.message).not.toMatch(/10\.96\.|internal-billing|ECONN|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|500/);
  }
  // The operator's log keeps the detail for whoever runs it.
  const checks = operator.logs().filter((l) => l.msg === 'the Alertmanager check failed');
  expect(checks.some((l) => l.namespace === ns && l.name === 'closed' && (l.err as { code?: string }).code === 'ECONNREFUSED')).toBe(true);
  expect(checks.some((l) => l.name === 'internal' && JSON.stringify(l.err).includes(INTERNAL_SECRET))).toBe(true);
});
