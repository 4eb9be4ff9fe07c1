// Webhook flood against replicas holding N channels: two operators with leader election, N
// TelegramChannels (the leader verifies them all), then `clients` concurrent POSTs of a maximum-size
// body (a valid Alertmanager payload padded with a field the operator ignores) with the channel's
// valid bearer token, first to the follower (which reads and forwards what its body budget admits),
// then to the leader. Measures each replica's RSS before, the peak during the flood (sampled every
// 50 ms, and the kernel's VmHWM after resetting it just before the flood), the answers, and the
// margin left under the Deployment's memory limit. All traffic goes to 127.0.0.1.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { alertmanagerPayload, alertmanagerWebhookPath } from '../../test/harness/alertmanagerPayload.js';
import { benchRun } from '../lib/benchRun.js';
import { createSecret, sleep } from '../lib/kube.js';
import { createManyChannels } from '../lib/manyChannels.js';
import { deployedMemoryLimitMiB, type StartedOperator } from '../lib/operator.js';
import { ProcSampler, round, snapshot } from '../lib/proc.js';

export interface WebhookFloodSizes {
  channels: number;
  tokens: number;
  /** Concurrent POSTs in one flood. */
  clients: number;
  /** Size of each body (the operator's default WEBHOOK_MAX_BODY_BYTES is 4 MiB). */
  bodyBytes: number;
  maxConcurrentReconciles: number;
  readyTimeoutMs: number;
  /** How long a replica rests after start-up before it is flooded (start-up garbage collected). */
  restMs: number;
}

/** The margin asked for under the Deployment's memory limit. */
export const FLOOD_TARGETS = { marginPercent: 20 } as const;

export interface FloodSide {
  replica: 'follower' | 'leader';
  /** RSS just before the flood (MiB). */
  rssBeforeMiB: number;
  /** Highest RSS sampled every 50 ms during the flood and 5 s after it (MiB). */
  rssPeakSampledMiB: number;
  /** The kernel's peak RSS, reset just before the flood (MiB); the process's lifetime peak if it could not be reset. */
  hwmMiB: number;
  hwmResetBeforeFlood: boolean;
  /** The process's VmHWM just before the reset: its peak so far (the follower's start-up; the leader's includes what the follower forwarded). */
  hwmBeforeFloodMiB: number;
  answers: Record<string, number>;
  /** Answers that were 503 and carried Retry-After. */
  busyWithRetryAfter: number;
  floodSeconds: number;
  /** Whether the process still ran and answered /healthz afterwards. */
  survived: boolean;
  limitMiB: number;
  /** (limit − peak) / limit, in percent, with the higher of the two peaks. */
  marginPercent: number;
}

export interface WebhookFloodResult {
  scenario: 'webhook-flood';
  sizes: WebhookFloodSizes;
  targets: typeof FLOOD_TARGETS;
  leaderStartup: { allReadySeconds: number; ready: number; hwmMiB: number };
  follower: FloodSide;
  leader: FloodSide;
}

export async function runWebhookFlood(kubeconfig: string, namespace: string, sizes: WebhookFloodSizes): Promise<WebhookFloodResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const webhookToken = 'bench-flood-webhook-token';
    const limitMiB = deployedMemoryLimitMiB();
    await createSecret(run.c, namespace, 'am', { token: webhookToken });
    // Channel ch-0 also takes Alertmanager notifications: the flood's target.
    const { url } = await createManyChannels(run, {
      channels: sizes.channels,
      tokens: sizes.tokens,
      label: 'flood',
      botIdBase: 7400000001,
      chatIdBase: 3200000000,
      specOf: (i) => (i === 0 ? { alertmanager: { tokenSecretRef: { name: 'am' } } } : {}),
    });
    const watch = await run.channelWatch();

    const env = (name: string) => ({
      TELEGRAM_API_URL: url,
      WATCH_NAMESPACE: namespace,
      MAX_CONCURRENT_RECONCILES: String(sizes.maxConcurrentReconciles),
      LEADER_ELECTION: 'true',
      POD_NAMESPACE: namespace,
      POD_NAME: name,
      POD_IP: '127.0.0.1',
    });
    const leader = await run.operator(env('flood-replica-a'));
    const readyAt = await watch.waitReady(sizes.channels, sizes.readyTimeoutMs);
    const leaderStartup = {
      allReadySeconds: round((readyAt - leader.spawnedAt) / 1000, 2),
      ready: watch.readyCount,
      hwmMiB: round(snapshot(leader.op.child.pid!)!.hwmMB),
    };
    // The follower starts once the leader holds the Lease (it has verified every channel by now).
    const follower = await run.operator(env('flood-replica-b'));
    await sleep(sizes.restMs);

    const path = alertmanagerWebhookPath({ namespace, name: 'ch-0' });
    const body = floodBody(sizes.bodyBytes);
    const followerSide = await flood('follower', follower, path, body, webhookToken, sizes.clients, limitMiB);
    await sleep(sizes.restMs);
    const leaderSide = await flood('leader', leader, path, body, webhookToken, sizes.clients, limitMiB);
    return { scenario: 'webhook-flood', sizes, targets: FLOOD_TARGETS, leaderStartup, follower: followerSide, leader: leaderSide };
  });
}

/** One valid notification, padded to `bytes` with a field the operator's schema drops. */
function floodBody(bytes: number): Buffer {
  const payload = alertmanagerPayload([{ name: 'FloodProbe', fingerprint: 'flood', startsAt: '2026-12-01T00:00:00Z' }], {
    groupKey: '{}:{alertname="FloodProbe"}',
  });
  const bare = JSON.stringify({ ...payload, pad: '' }).length;
  const body = Buffer.from(JSON.stringify({ ...payload, pad: 'x'.repeat(bytes - bare) }));
  if (body.length !== bytes) throw new Error(`flood body is ${body.length} bytes, not ${bytes}`);
  return body;
}

async function flood(
  replica: FloodSide['replica'],
  op: StartedOperator,
  path: string,
  body: Buffer,
  token: string,
  clients: number,
  limitMiB: number,
): Promise<FloodSide> {
  const pid = op.op.child.pid!;
  const before = snapshot(pid)!;
  // Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0), so the peak is the flood's, not start-up's.
  let hwmResetBeforeFlood = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    hwmResetBeforeFlood = false;
  }
  const sampler = new ProcSampler(pid, 50);
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: clients }, () =>
      post(op.op.port, path, body, token).catch((e: Error) => ({ status: `error: ${e.message}`, retryAfter: false })),
    ),
  );
  const floodSeconds = round((Date.now() - started) / 1000, 2);
  await sleep(5_000); // garbage of the flood is still being collected: keep sampling
  sampler.sample();
  sampler.stop();
  const hwmMiB = round(snapshot(pid)?.hwmMB ?? 0);
  let survived = op.op.child.exitCode === null;
  if (survived)
    survived = await fetch(`${op.op.url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
  const answers: Record<string, number> = {};
  for (const r of results) answers[String(r.status)] = (answers[String(r.status)] ?? 0) + 1;
  const peak = Math.max(hwmMiB, sampler.peakRssMB);
  return {
    replica,
    rssBeforeMiB: round(before.rssMB),
    rssPeakSampledMiB: round(sampler.peakRssMB),
    hwmMiB,
    hwmResetBeforeFlood,
    hwmBeforeFloodMiB: round(before.hwmMB),
    answers,
    busyWithRetryAfter: results.filter((r) => r.status === 503 && r.retryAfter).length,
    floodSeconds,
    survived,
    limitMiB,
    marginPercent: round(((limitMiB - peak) / limitMiB) * 100),
  };
}

/** A POST that resolves as soon as an answer comes, even while the body is still being sent (a refusal comes early). */
function post(port: number, path: string, body: Buffer, token: string): Promise<{ status: number; retryAfter: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Authorization: `Bearer ${token}` },
    });
    req.setTimeout(120_000, () => req.destroy(new Error('no answer within 120 s')));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] !== undefined }));
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end(body);
  });
}
