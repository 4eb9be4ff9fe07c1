// The benchmark scenarios (bench/scenarios) at tiny sizes, so the harness behind `make bench`
// cannot rot. Only correctness is asserted (everything Ready, everything delivered, no 429, the
// result's shape) — never a timing: the targets are for BENCHMARKS.md, not for CI.
import { runEpisodeWrites } from '../../bench/scenarios/episodeWrites.js';
import { runEventStorm } from '../../bench/scenarios/eventStorm.js';
import { runLatency } from '../../bench/scenarios/latency.js';
import { runLifecycleStorm } from '../../bench/scenarios/lifecycleStorm.js';
import { runPressLatency } from '../../bench/scenarios/pressLatency.js';
import { runRenderCost } from '../../bench/scenarios/renderCost.js';
import { runScale } from '../../bench/scenarios/scale.js';
import { runStorm } from '../../bench/scenarios/storm.js';
import { runTemplatePoolMemory } from '../../bench/scenarios/templatePoolMemory.js';
import { runThroughput } from '../../bench/scenarios/throughput.js';
import { runWebhookFlood } from '../../bench/scenarios/webhookFlood.js';
import { installCrds } from '../harness/crds.js';
import { createNamespace } from '../harness/kube.js';

const kubeconfig = () => process.env.KUBECONFIG!;

beforeAll(() => {
  installCrds();
});

/** The small fleet the start-up scenarios share: 20 channels over 10 bots, reconciled 8 at a time. */
const FLEET = { channels: 20, tokens: 10, maxConcurrentReconciles: 8, readyTimeoutMs: 60_000 };

const summaryShape = {
  count: expect.any(Number),
  p50: expect.any(Number),
  p99: expect.any(Number),
  max: expect.any(Number),
};

test('scale: 20 channels over 10 tokens all Ready, one getMe per token, a quiet steady state', async () => {
  const ns = await createNamespace('bench-scale');
  const r = await runScale(kubeconfig(), ns, { ...FLEET, steadyMs: 3_000, settleMs: 1_000 });
  expect(r.scenario).toBe('scale');
  expect(r.startup.ready).toBe(20);
  expect(r.telegram.getMe).toBeLessThanOrEqual(10);
  expect(r.telegram.byMethod.getChat).toBe(20);
  expect(r.telegram.rateLimited).toBe(0);
  expect(r.apiWrites.channelStatusWrites).toBeGreaterThanOrEqual(20);
  expect(r.steady.channelWrites).toBe(0);
  expect(r.steady.telegramCalls).toBe(0);
  expect(r.startup).toMatchObject({
    allReadySeconds: expect.any(Number),
    rssPeakMB: expect.any(Number),
    hwmMB: expect.any(Number),
    cpuSeconds: expect.any(Number),
  });
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}, 120_000);

test('webhook flood: 10 x 4 MiB to a follower, then the leader, of two replicas holding 20 channels: each answered, both alive', async () => {
  const ns = await createNamespace('bench-flood');
  const r = await runWebhookFlood(kubeconfig(), ns, { ...FLEET, clients: 10, bodyBytes: 4 * 1024 * 1024, restMs: 1_000 });
  expect(r.leaderStartup.ready).toBe(20);
  for (const side of [r.follower, r.leader]) {
    expect(side.survived).toBe(true);
    // Delivered (or the same notification already delivered), or refused over the body budget.
    expect(Object.keys(side.answers).filter((k) => k !== '200' && k !== '503')).toEqual([]);
    expect((side.answers['200'] ?? 0) + (side.answers['503'] ?? 0)).toBe(10);
    expect(side.answers['200']).toBeGreaterThan(0);
    expect(side.busyWithRetryAfter).toBe(side.answers['503'] ?? 0);
    expect(side.hwmMiB).toBeGreaterThan(0);
    expect(side.limitMiB).toBe(400);
  }
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}, 180_000);

test('latency: 20 annotation alerts over 10 bots are all delivered, no 429', async () => {
  const ns = await createNamespace('bench-latency');
  const r = await runLatency(kubeconfig(), ns, {
    alerts: 20,
    tokens: 10,
    ratePerSecond: 10,
    maxConcurrentReconciles: 8,
    timeoutMs: 60_000,
  });
  expect(r.delivered).toBe(20);
  expect(r.rateLimited).toBe(0);
  expect(r.latencyMs).toMatchObject({ ...summaryShape, count: 20 });
  expect(r.patchRoundTripMs.count).toBe(20);
}, 120_000);

test('storm: 10 alerts through the operator webhook and through Alertmanager telegram_configs, side by side', async () => {
  const ns = await createNamespace('bench-storm');
  const r = await runStorm(kubeconfig(), ns, { alerts: 10, capMs: 45_000, groupWait: '1s', groupInterval: '1s' });
  expect(r.operator).toMatchObject({ alerts: 10, delivered: 10, rateLimited: 0, truncated: 0, latencyMs: { ...summaryShape, count: 10 } });
  // Alertmanager's side is measured, not judged: it only has to have been exercised.
  expect(r.alertmanager.alerts).toBe(10);
  expect(r.alertmanager.sendMessageCalls).toBeGreaterThan(0);
  expect(r.alertmanager.delivered).toBeGreaterThan(0);
  expect(Object.keys(r.ratios).sort()).toEqual(['delivered', 'max', 'p50', 'p99', 'rateLimited', 'sendMessageCalls']);
}, 120_000);

test("words storm: 10 alerts with a template and two topic routes, each in the topic of its severity, in the template's words, no 429", async () => {
  const ns = await createNamespace('bench-words');
  const r = await runStorm(kubeconfig(), ns, { alerts: 10, capMs: 60_000, groupWait: '1s', groupInterval: '1s' }, { words: true });
  expect(r.operator).toMatchObject({ alerts: 10, delivered: 10, rateLimited: 0, truncated: 0, latencyMs: { ...summaryShape, count: 10 } });
  // Alerts 0, 3, 6, 9 are critical, the other six warnings; each topic created once.
  expect(r.words).toMatchObject({ template: '3. Runbook first, for on-call.', misrouted: 0, fellBack: 0, createForumTopicCalls: 2 });
  expect(Object.fromEntries(r.words!.topics.map((t) => [t.name, t.alerts]))).toEqual({ Critical: 4, Warnings: 6 });
  expect(r.targets.p99Ms).toBe(5250);
  expect(r.alertmanager.sendMessageCalls).toBeGreaterThan(0);
}, 120_000);

test('render cost: every ready-to-paste template renders both samples in the pool, compiled once per worker, none falls back', async () => {
  const r = await runRenderCost({ renders: 100, warmup: 5 });
  expect(r.rows.map((x) => `${x.template.slice(0, 2)} ${x.sample}`)).toEqual([
    '1. one-alert',
    '1. fifty-mixed',
    '2. one-alert',
    '2. fifty-mixed',
    '3. one-alert',
    '3. fifty-mixed',
  ]);
  for (const row of r.rows) {
    expect(row.fellBack).toBe(0);
    expect(row.outputChars).toBeGreaterThan(0);
    expect(row.sequentialMs).toMatchObject({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
    expect(row.rendersPerSecond).toBeGreaterThan(0);
  }
  expect(r.compilations).toBe(3 * r.poolSize);
  expect(r.replacedWorkers).toBe(0);
}, 60_000);

test("template pool memory: 1 and 2 workers, without and with templates, every notification delivered in the template's words", async () => {
  const ns = await createNamespace('bench-poolmem');
  const r = await runTemplatePoolMemory(kubeconfig(), ns, {
    workers: [1, 2],
    channels: 3,
    notifications: 6,
    alertsPerNotification: 3,
    concurrency: 3,
    samples: 2,
    sampleEveryMs: 100,
  });
  expect(r.runs.map((x) => [x.workers, x.templates, x.delivered, x.fellBack])).toEqual([
    [1, false, 6, 0],
    [1, true, 6, 0],
    [2, false, 6, 0],
    [2, true, 6, 0],
  ]);
  for (const run of r.runs) expect(run.rssMB).toBeGreaterThan(0);
  expect(r.perIdleWorkerMB).toEqual(expect.any(Number));
  expect(Object.keys(r.templatesAddMB.ready)).toEqual(['1', '2']);
  expect(Object.keys(r.templatesAddMB.afterNotifications)).toEqual(['1', '2']);
}, 180_000);

test('throughput: 30 alerts to 30 private chats of one bot, all delivered once, no 429', async () => {
  const ns = await createNamespace('bench-throughput');
  const r = await runThroughput(kubeconfig(), ns, { alerts: 30, chats: 30, maxConcurrentReconciles: 8, timeoutMs: 60_000 });
  expect(r.delivered).toBe(30);
  expect(r.duplicates).toBe(0);
  expect(r.rateLimited).toBe(0);
  expect(r.sustainedPerSecond).toEqual(expect.any(Number));
  expect(r.perSecond.reduce((a, b) => a + b, 0)).toBe(30);
}, 120_000);

test('lifecycle storm: 6 alerts fire and resolve, the operator edits in place, Alertmanager telegram_configs side by side', async () => {
  const ns = await createNamespace('bench-lifecycle');
  const r = await runLifecycleStorm(kubeconfig(), ns, { alerts: 6, capMs: 60_000, groupWait: '1s', groupInterval: '1s' });
  expect(r.operator.firing).toMatchObject({ complete: true, alertsShown: 6 });
  expect(r.operator.resolution).toMatchObject({ complete: true, alertsShownResolved: 6, staleFiringMessages: 0 });
  // resolved: Edit: resolving adds no message to the chat.
  expect(r.operator.resolution.messagesInChat).toBe(r.operator.firing.messagesInChat);
  expect(r.operator.firing.requests.rateLimited + r.operator.resolution.requests.rateLimited).toBe(0);
  expect(r.episodeWrites.firing).toBeGreaterThan(0);
  // Alertmanager's side is measured, not judged: it only has to have been exercised.
  expect(r.alertmanager.firing.alertsShown).toBeGreaterThan(0);
  expect(r.alertmanager.resolution.requests.byMethod.sendMessage).toBeGreaterThan(0);
}, 180_000);

test('press latency: 6 Silence presses by a chat administrator, each answered, each a silence in Alertmanager', async () => {
  const ns = await createNamespace('bench-press');
  const r = await runPressLatency(kubeconfig(), ns, { presses: 6, chats: 3, intervalMs: 300, durations: ['1h', '24h'] });
  expect(r).toMatchObject({ presses: 6, answered: 6, silencedAnswers: 6, silencesCreated: 6, otherAnswers: {} });
  expect(r.answerMs).toMatchObject({ ...summaryShape, count: 6 });
  expect(r.silenceMs).toMatchObject({ ...summaryShape, count: 6 });
  expect(r.telegram.byMethod.answerCallbackQuery).toBe(6);
}, 180_000);

test('episode writes: every phase of 6 groups answered, the episodes written to their ConfigMaps', async () => {
  const ns = await createNamespace('bench-episodes');
  const r = await runEpisodeWrites(kubeconfig(), ns, { groups: 6, chats: 3 });
  expect(r.phases.map((p) => p.name)).toHaveLength(6);
  for (const p of r.phases) expect(p).toMatchObject({ notifications: 6, failed: 0, perNotification: expect.any(Number) });
  expect(r.phases[0]!.writes).toBeGreaterThan(0); // a new episode is remembered
  expect(r.total.notifications).toBe(36);
}, 180_000);

test('event storm: 60 Warning events over 20 pods into one chat, every pod shown with its final count, no 429', async () => {
  const ns = await createNamespace('bench-evstorm');
  const r = await runEventStorm(kubeconfig(), ns, { events: 60, objects: 20, spreadMs: 1_000, capMs: 90_000, quietMs: 2_000 });
  expect(r).toMatchObject({ scenario: 'event-storm', issueFailures: 0, objectsShown: 20, staleCounts: 0, settled: true });
  expect(r.objectsInOwnMessage + r.objectsInOverflow).toBe(20);
  expect(r.telegram).toMatchObject({ rateLimited: 0, otherErrors: 0 });
  expect(r.telegram.messagesSent).toBeGreaterThan(0);
  expect(r.telegram.messagesSent).toBeLessThan(20); // the chat's limits fold the rest into "and N more"
  expect(r.operator).toMatchObject({ rssPeakMB: expect.any(Number), hwmMB: expect.any(Number), cpuSeconds: expect.any(Number) });
  expect(r.operator.rssPeakMB).toBeGreaterThan(0);
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}, 180_000);
