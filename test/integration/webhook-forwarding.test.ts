// The webhook on two replicas, each running with the deployed ServiceAccount's own token (so the Lease
// Role limited to its Lease by name is what they get): a follower authenticates before it reads,
// caps the bodies it holds, never trusts the Lease's leader-endpoint annotation, and hands long
// notifications to the leader so that Alertmanager's retries never send a part twice.
import * as k8s from '@kubernetes/client-node';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { ScenarioBuilder, bot, supergroupId } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers } from '../harness/channels.js';
import { installCrds, kubectl } from '../harness/crds.js';
import { clients, createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { recordingServer } from '../harness/recordingServer.js';

const NO_HEADERS: http.IncomingHttpHeaders = {};

const LEASE = 'telegram-channel-operator';
const ANNOTATION = 'telegram.notify.dev/leader-endpoint';
const TOKEN = 'webhook-token-that-must-never-leave-the-follower';
const theBot = bot(7300000001, 'forwarding_test_bot');
const chatId = supergroupId(3100000001);
let ns: string;
let emulator: TelegramEmulator;
let leader: OperatorProcess;
let follower: OperatorProcess;
const { secret } = channelHelpers(() => ns);
const { coordination } = clients();

const holder = async () => (await coordination.readNamespacedLease({ namespace: ns, name: LEASE })).spec?.holderIdentity;

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('forward');
  emulator = new TelegramEmulator(new ScenarioBuilder().bot(theBot).supergroup(chatId, 'Forwarding', theBot.id).build());
  const url = await emulator.start();
  await secret('bot', { token: theBot.token });
  await secret('am', { token: TOKEN });
  const ch = (name: string, am: string) =>
    'apiVersion: telegram.notify.dev/v1alpha1\nkind: TelegramChannel\n' +
    `metadata: {name: ${name}, namespace: ${ns}}\nspec: {tokenSecretRef: {name: bot}, chatId: "${chatId}"${am}}\n`;
  kubectl(
    ['apply', '-f', '-'],
    [
      ch('am', ', alertmanager: {tokenSecretRef: {name: am}}'),
      ch('am-off', ''),
      ch('am-nosecret', ', alertmanager: {tokenSecretRef: {name: missing}}'),
      ch('am-nokey', ', alertmanager: {tokenSecretRef: {name: am, key: other}}'),
    ].join('---\n'),
  );
  const kubeconfig = await deployedServiceAccountKubeconfig(ns);
  const env = (name: string) => ({
    KUBECONFIG: kubeconfig,
    TELEGRAM_API_URL: url,
    LEADER_ELECTION: 'true',
    POD_NAMESPACE: ns,
    POD_NAME: name,
    POD_IP: '127.0.0.1',
  });
  leader = await startOperator(env('replica-a'));
  await eventually(async () => (await holder()) === 'replica-a', 20_000, 'replica-a leads');
  // The follower runs with the heap cap the Deployment ships.
  follower = await startOperator({
    ...env('replica-b'),
    NODE_OPTIONS: '--max-old-space-size=128 --max-semi-space-size=4',
    MALLOC_ARENA_MAX: '2',
  });
  await eventually(async () => (await post(leader, 'am', payload('Warmup'))).status === 200, 30_000, 'channel am Ready and delivering');
}, 120_000);

afterAll(async () => {
  await follower?.stop('SIGKILL');
  await leader?.stop('SIGKILL');
  await emulator?.stop();
});

const payload = (alertname: string, summary = '') =>
  JSON.stringify(
    alertmanagerPayload(
      [{ name: alertname, annotations: summary ? { summary } : {}, fingerprint: alertname, startsAt: '2026-11-30T10:00:00Z' }],
      {
        groupKey: `{}:{alertname="${alertname}"}`,
      },
    ),
  );
const post = (p: OperatorProcess, name: string, body: string, token: string | null = TOKEN, signal?: AbortSignal) =>
  fetch(`${p.url}/webhooks/alertmanager/${ns}/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
    body,
    signal,
  });
const copies = (marker: string) => emulator.messagesTo(chatId).filter((m) => m.text.includes(marker)).length;

/** A raw POST that resolves as soon as an answer comes, even while the body is still being sent. */
function rawPost(p: OperatorProcess, path: string, headers: http.OutgoingHttpHeaders, body: Buffer | undefined, timeoutMs = 60_000) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: p.port, method: 'POST', path, headers });
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode!, headers: res.headers, text });
      });
      res.on('error', () => undefined);
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (body) req.end(body);
    else req.write('x'.repeat(1024)); // a start, and never the rest
  });
}

/**
 * Rewrites the Lease's leader-endpoint annotation to `value` every 100 ms (the leader restores it on
 * every renewal, every 2 s), as someone allowed to update the Lease would.
 */
function forgeLease(value: string): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await coordination
        .patchNamespacedLease(
          { namespace: ns, name: LEASE, body: { metadata: { annotations: { [ANNOTATION]: value } } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        )
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

/**
 * Posts unique notifications to the follower while the Lease is forged: first until `adopted()` says
 * the follower uses the forged address, then until `enough` more were refused (at most 30 s in all).
 * Each answer is kept with its alert name, to check against the chat.
 */
async function postWhileForged(value: string, label: string, adopted: () => boolean, enough = 2) {
  // Start from a follower that forwards to the genuine leader, so nothing earlier is counted.
  const genuine = async () => (await post(follower, 'am', payload(`${label}Before`))).status === 200;
  await eventually(genuine, 15_000, 'the follower forwards to the genuine leader');
  const stop = forgeLease(value);
  const results: { name: string; status: number }[] = [];
  const deadline = Date.now() + 30_000;
  let refusedSinceAdopted = 0;
  try {
    for (let i = 0; Date.now() < deadline && refusedSinceAdopted < enough; i++) {
      const name = `${label}${i}`;
      const r = await post(follower, 'am', payload(name));
      results.push({ name, status: r.status });
      if (adopted() && r.status >= 300) refusedSinceAdopted++;
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await stop();
  }
  await new Promise((r) => setTimeout(r, 1_000)); // anything still on its way lands
  return { results, refusedSinceAdopted };
}

function expectOnlyDeliveredAnswered2xx({ results, refusedSinceAdopted }: Awaited<ReturnType<typeof postWhileForged>>) {
  for (const r of results) {
    // 2xx only for a notification that was delivered, and nothing delivered twice.
    expect({ ...r, copies: copies(r.name) }).toEqual({ ...r, copies: r.status >= 200 && r.status < 300 ? 1 : 0 });
  }
  // And the forged address really was in use: the follower refused while it was.
  expect(refusedSinceAdopted).toBeGreaterThanOrEqual(2);
}

describe('a forged leader-endpoint annotation', () => {
  test('a fake leader gets a challenge only, never the bearer or an alert; the follower answers non-2xx', async () => {
    const claimsSuccess = '{"status":"delivered","messages":1}';
    const fake = await recordingServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(claimsSuccess));
    const results = await postWhileForged(fake.url, 'ForgedToFake', () => fake.seen.length > 0);
    await fake.close();
    expect(fake.seen.length).toBeGreaterThan(0);
    for (const s of fake.seen) {
      expect(s.url).toMatch(/^\/forward\/v1\/alertmanager\/[^/]+\/am\/challenge$/);
      expect(s.body).toBe('');
      expect(s.headers.authorization).toBeUndefined();
    }
    expect(JSON.stringify(fake.seen)).not.toContain(TOKEN);
    expect(JSON.stringify(fake.seen)).not.toContain('ForgedToFake');
    expectOnlyDeliveredAnswered2xx(results);
  }, 60_000);

  test('a data: endpoint is never used: no 2xx without a delivery', async () => {
    const refusedData = () => follower.logs().some((l) => typeof l.reason === 'string' && l.reason.includes('"data:", not http:'));
    const results = await postWhileForged('data:application/json,', 'ForgedToData', refusedData);
    expectOnlyDeliveredAnswered2xx(results);
  }, 60_000);

  test('a redirect is not followed', async () => {
    const fake = await recordingServer((req, res) => {
      if (req.url === '/followed') res.writeHead(200).end('{}');
      else res.writeHead(307, { Location: '/followed' }).end();
    });
    const results = await postWhileForged(fake.url, 'ForgedToRedirect', () => fake.seen.length > 0);
    await fake.close();
    expect(fake.seen.length).toBeGreaterThan(0);
    expect(fake.seen.filter((s) => s.url === '/followed')).toEqual([]);
    expect(JSON.stringify(fake.seen)).not.toContain(TOKEN);
    expectOnlyDeliveredAnswered2xx(results);
  }, 60_000);

  test('once the Lease is genuine again, the follower forwards to the leader: delivered once', async () => {
    await eventually(
      async () => {
        const r = await post(follower, 'am', payload('GenuineAgain'));
        return r.status === 200;
      },
      15_000,
      'the follower forwards to the genuine leader',
    );
    expect(copies('GenuineAgain')).toBe(1);
  }, 30_000);
});

const HEADERS = ['content-type', 'content-length', 'www-authenticate'];

describe('before any body is read', () => {
  test('unknown channel, not opted in, Secret missing, key missing, wrong token: byte-identical 401s, on both replicas', async () => {
    for (const p of [follower, leader]) {
      const cases = [
        await post(p, 'nope', payload('PreAuthProbe')),
        await post(p, 'am-off', payload('PreAuthProbe')),
        await post(p, 'am-nosecret', payload('PreAuthProbe')),
        await post(p, 'am-nokey', payload('PreAuthProbe')),
        await post(p, 'am', payload('PreAuthProbe'), 'wrong-token'),
        await post(p, 'am', payload('PreAuthProbe'), null),
      ];
      const shapes = await Promise.all(cases.map(async (r) => [r.status, await r.text(), ...HEADERS.map((h) => r.headers.get(h))]));
      expect(shapes[0]![0]).toBe(401);
      for (const s of shapes) expect(s).toEqual(shapes[0]);
    }
    expect(copies('PreAuthProbe')).toBe(0);
  });

  test('an unauthenticated 4 MiB upload to the follower is refused before its body is sent', async () => {
    const headers = { 'Content-Length': 4 * 1024 * 1024, Authorization: 'Bearer wrong' };
    const r = await rawPost(follower, `/webhooks/alertmanager/${ns}/am`, headers, undefined, 10_000);
    expect(r.status).toBe(401);
  });

  test('50 concurrent authenticated 4 MiB POSTs to a heap-capped follower: it survives, the excess gets 503 + Retry-After', async () => {
    const pid = follower.child.pid!;
    const rss = () => Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);
    const before = rss();
    const big = Buffer.from(JSON.stringify({ version: '4', pad: 'x'.repeat(4 * 1024 * 1024 - 64) }));
    expect(big.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        rawPost(follower, `/webhooks/alertmanager/${ns}/am`, { 'Content-Length': big.length, Authorization: `Bearer ${TOKEN}` }, big).catch(
          (e: Error) => ({ status: 0, headers: NO_HEADERS, text: e.message }),
        ),
      ),
    );
    const busy = answers.filter((a) => a.status === 503 && a.headers['retry-after']);
    // Admitted ones reached the leader, which refused a payload that is no Alertmanager payload.
    const read = answers.filter((a) => a.status === 400);
    const all = answers.map((a) => a.status).join(',');
    console.log(`50 x 4 MiB: ${read.length} read and answered 400, ${busy.length} refused with 503 + Retry-After; all: ${all}`);
    expect(busy.length).toBeGreaterThan(0);
    expect(read.length).toBeGreaterThan(0);
    expect(read.length + busy.length).toBe(50);
    expect(follower.child.exitCode).toBeNull();
    expect((await fetch(`${follower.url}/healthz`)).status).toBe(200);
    const peak = Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);
    console.log(`follower RSS: ${before} MiB before, peak ${peak} MiB`);
    // 8 bodies of 4 MiB in flight, each costing about twice its size while it is read, plus the refused
    // uploads discarded as they arrive (garbage the GC takes back a little later): measured 80 to 125 MiB,
    // far below the 50 x 4 MiB (and their copies, 400 MiB and more) an unbounded follower takes in.
    expect(peak - before).toBeLessThan(192);
  }, 120_000);
});

test('a notification of several slow parts through the follower, retried as Alertmanager does: each part in the chat once', async () => {
  // Three alerts of ~3,000 characters each: three messages. Every sendMessage takes 4 s, so the
  // notification takes longer than the leader's 9 s wait and Alertmanager's 10 s timeout.
  const lines = (i: number) => Array.from({ length: 100 }, (_, n) => `MultiPart-${i}-line-${n} ${'y'.repeat(10)}`).join('\n');
  const body = JSON.stringify({
    ...JSON.parse(payload('MultiPart')),
    alerts: [0, 1, 2].map((i) => ({
      status: 'firing',
      labels: { alertname: 'MultiPart', part: String(i) },
      annotations: { description: lines(i) },
      startsAt: '2026-11-30T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: `mp${i}`,
    })),
  });
  emulator.setFaults({ latencyMs: 4_000 });
  const statuses: (number | string)[] = [];
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      // Alertmanager: a 10 s timeout per attempt, and a retry soon after any failure.
      const r = await post(follower, 'am', body, TOKEN, AbortSignal.timeout(10_000)).catch((e: Error) => e.name);
      statuses.push(typeof r === 'string' ? r : r.status);
      if (typeof r !== 'string' && r.status === 200) break;
      if (Date.now() > deadline) throw new Error(`not delivered: ${statuses.join(', ')}`);
      await new Promise((res) => setTimeout(res, 1_000));
    }
  } finally {
    emulator.clearFaults();
  }
  console.log(`multi-part notification answers: ${statuses.join(', ')}`);
  await new Promise((r) => setTimeout(r, 5_000)); // a second copy, if any, would be on its way by now
  const messages = emulator.messagesTo(chatId).filter((m) => m.text.includes('MultiPart-'));
  expect(messages.length).toBeGreaterThanOrEqual(2);
  for (const i of [0, 1, 2]) {
    for (const n of [0, 50, 99]) {
      expect([i, n, messages.filter((m) => m.text.includes(`MultiPart-${i}-line-${n} `)).length]).toEqual([i, n, 1]);
    }
  }
  expect(statuses.length).toBeGreaterThan(1); // it really was retried
}, 150_000);
