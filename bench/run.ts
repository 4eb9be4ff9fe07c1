// `make bench`: starts a control plane of its own in .dev/bench-cluster (never the shared
// .dev/kubeconfig one), runs every scenario against the built operator (dist/, built by
// `npm run build` first) and the Telegram emulator, writes bench/results/<scenario>.json and
// regenerates BENCHMARKS.md.
//
//   tsx bench/run.ts                      all scenarios, full sizes
//   tsx bench/run.ts --only scale-1000,latency
//   tsx bench/run.ts --only clusterbot-1000      one ClusterTelegramBot, 1,000 channels in 100 namespaces
//   tsx bench/run.ts --only scale-10000,webhook-flood-10000   start-up peak, and 50 x 4 MiB webhooks to replicas holding 10,000 channels
//   tsx bench/run.ts --only lifecycle-storm-60,press-latency,press-latency-busy-chat,episode-writes   the alert's life (issue 13)
//   tsx bench/run.ts --only grafana-storm-60   60 Grafana alerts with images into one chat (issue 22)
//   tsx bench/run.ts --only event-storm-1000     1,000 Warning events over 300 objects into one chat (issue 22)
//   tsx bench/run.ts --only render-cost,template-pool-memory,words-storm-60   templates and topics (issue 20)
//   tsx bench/run.ts --quick              small sizes, for checking the harness (results not written)
//   BENCH_VARIANT=name BENCH_OPERATOR_NODE_OPTIONS='--import ./bench/probes/x.mjs' tsx bench/run.ts --only …
//                                         an experiment: results go to bench/results/variants/<name>/, the report is untouched
//   BENCH_STEADY_MS=10000 tsx bench/run.ts …   a shorter steady-state window for the scale runs (experiments on start-up)
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startControlPlane, stopControlPlane, type ControlPlaneState } from '../test/harness/controlPlane.js';
import { installCrds } from '../test/harness/crds.js';
import { describeEnvironment } from './lib/environment.js';
import { clientsFor, deleteAllChannels, ensureNamespace } from './lib/kube.js';
import { RESULTS_DIR, writeReport } from './report.js';
import { runClusterBot } from './scenarios/clusterBot.js';
import { runEpisodeWrites } from './scenarios/episodeWrites.js';
import { runGrafanaStorm } from './scenarios/grafanaStorm.js';
import { runEventStorm } from './scenarios/eventStorm.js';
import { runLatency } from './scenarios/latency.js';
import { runLifecycleStorm } from './scenarios/lifecycleStorm.js';
import { runPressLatency } from './scenarios/pressLatency.js';
import { runScale } from './scenarios/scale.js';
import { runStorm } from './scenarios/storm.js';
import { runRenderCost } from './scenarios/renderCost.js';
import { runTemplatePoolMemory } from './scenarios/templatePoolMemory.js';
import { runThroughput } from './scenarios/throughput.js';
import { runWebhookFlood } from './scenarios/webhookFlood.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
/** Reconcile workers for the scale, latency and throughput runs (the operator's default is 16). */
const CONCURRENCY = Number(process.env.BENCH_MAX_CONCURRENT_RECONCILES ?? 32);

type Job = { name: string; run: (kubeconfig: string, ns: string) => Promise<unknown> };

/** The job `name`: `scenario` at `sizes`, in the namespace the runner makes for it. */
function job<Sizes>(name: string, scenario: (kubeconfig: string, ns: string, sizes: Sizes) => Promise<unknown>, sizes: Sizes): Job {
  return { name, run: (kc, ns) => scenario(kc, ns, sizes) };
}

const stormSizes = (alerts: number) => ({ alerts, capMs: quick ? 60_000 : 5 * 60_000, groupWait: '1s', groupInterval: '1s' });

const jobs: Job[] = [
  ...[1_000, 10_000].map((n) =>
    job(`scale-${n}`, runScale, {
      channels: quick ? n / 50 : n,
      tokens: 10,
      steadyMs: quick ? 5_000 : Number(process.env.BENCH_STEADY_MS ?? 120_000),
      settleMs: 5_000,
      maxConcurrentReconciles: CONCURRENCY,
      readyTimeoutMs: 15 * 60_000,
    }),
  ),
  // 50 maximum-size webhook bodies at once against a follower, then the leader, both holding 10,000 channels.
  job('webhook-flood-10000', runWebhookFlood, {
    channels: quick ? 200 : 10_000,
    tokens: 10,
    clients: 50,
    bodyBytes: 4 * 1024 * 1024,
    maxConcurrentReconciles: CONCURRENCY,
    readyTimeoutMs: 15 * 60_000,
    restMs: quick ? 3_000 : 20_000,
  }),
  job('clusterbot-1000', runClusterBot, {
    channels: quick ? 100 : 1_000,
    namespaces: quick ? 10 : 100,
    maxConcurrentReconciles: CONCURRENCY,
    readyTimeoutMs: 10 * 60_000,
    settleMs: 5_000,
  }),
  job('latency', runLatency, {
    alerts: quick ? 50 : 500,
    tokens: 10,
    ratePerSecond: 20,
    maxConcurrentReconciles: CONCURRENCY,
    timeoutMs: 120_000,
  }),
  ...[60, 300].map((n) => job(`storm-${n}`, runStorm, stormSizes(quick ? n / 6 : n))),
  {
    // storm-60 again, the operator's channel with a template and two routes by severity into forum topics by name.
    name: 'words-storm-60',
    run: (kc, ns) => runStorm(kc, ns, stormSizes(quick ? 10 : 60), { words: true }),
  },
  {
    // In-process: the compiled render pool and the sending path's render step, per notification.
    name: 'render-cost',
    run: () => runRenderCost({ renders: quick ? 200 : 5_000, warmup: quick ? 20 : 200 }),
  },
  // The operator's RSS with TEMPLATE_WORKERS = 1, 2, 4, without and with templates.
  job('template-pool-memory', runTemplatePoolMemory, {
    workers: [1, 2, 4],
    channels: quick ? 6 : 30,
    notifications: quick ? 30 : 600,
    alertsPerNotification: 10,
    concurrency: 6,
    samples: quick ? 3 : 10,
    sampleEveryMs: 500,
  }),
  job('lifecycle-storm-60', runLifecycleStorm, {
    alerts: quick ? 10 : 60,
    capMs: quick ? 90_000 : 10 * 60_000,
    groupWait: '1s',
    groupInterval: '1s',
  }),
  // Grafana alerts with their panel images: each one a photo, into one chat (issue 22).
  job('grafana-storm-60', runGrafanaStorm, { alerts: quick ? 6 : 60, capMs: quick ? 120_000 : 10 * 60_000 }),
  job('press-latency', runPressLatency, { presses: quick ? 20 : 100, chats: 20, intervalMs: 500, durations: ['1h', '24h'] }),
  // The same presses in ONE chat that its own notifications have just filled up to Telegram's group limit.
  job('press-latency-busy-chat', runPressLatency, { presses: quick ? 10 : 20, chats: 1, intervalMs: 1000, durations: ['1h', '24h'] }),
  job('episode-writes', runEpisodeWrites, { groups: quick ? 10 : 40, chats: 10 }),
  // The cluster's own Warning events: 1,000 in about 10 s over 300 Pods, one channel, one supergroup.
  job('event-storm-1000', runEventStorm, {
    events: quick ? 100 : 1_000,
    objects: quick ? 30 : 300,
    spreadMs: quick ? 2_000 : 10_000,
    capMs: quick ? 90_000 : 10 * 60_000,
    quietMs: 5_000,
  }),
  job('throughput', runThroughput, {
    alerts: quick ? 200 : 1_000,
    chats: 30,
    maxConcurrentReconciles: CONCURRENCY,
    timeoutMs: 10 * 60_000,
  }),
];

async function main(): Promise<void> {
  process.env.SKIP_OPERATOR_BUILD = '1'; // `make bench` has just run `npm run build`
  // Its own control plane, never the shared .dev/kubeconfig one; a variant gets a directory of its own.
  const dir = path.join(REPO_ROOT, '.dev', 'bench-cluster', process.env.BENCH_VARIANT ?? 'main');
  let cp: ControlPlaneState | undefined;
  const stop = async () => {
    if (cp) await stopControlPlane(cp);
    cp = undefined;
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(130)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    cp = await startControlPlane(dir);
    process.env.KUBECONFIG = cp.kubeconfig; // for kubectl in installCrds
    installCrds();
    const env = describeEnvironment(cp.version);
    const variant = process.env.BENCH_VARIANT;
    const outDir = variant ? path.join(RESULTS_DIR, 'variants', variant) : RESULTS_DIR;
    mkdirSync(outDir, { recursive: true });
    if (!quick) writeFileSync(path.join(outDir, 'environment.json'), `${JSON.stringify(env, null, 2)}\n`);
    const c = clientsFor(cp.kubeconfig);
    let failed = 0;
    for (const job of jobs) {
      if (only && !only.includes(job.name)) continue;
      const ns = `bench-${job.name}`;
      await ensureNamespace(c, ns);
      const started = Date.now();
      // Other work on the machine skews every figure: record how busy it was going in.
      const loadAverageAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
      process.stderr.write(`bench: ${job.name} …\n`);
      try {
        const result = await job.run(cp.kubeconfig, ns);
        const json = `${JSON.stringify({ ...(result as object), ranAt: new Date(started).toISOString(), loadAverageAtStart, wallSeconds: Math.round((Date.now() - started) / 1000) }, null, 2)}\n`;
        if (!quick)
          writeFileSync(
            path.join(outDir, `${job.name}.json`),
            variant
              ? json.replace(
                  /^\{/,
                  `{\n  "variant": ${JSON.stringify({ name: variant, operatorNodeOptions: process.env.BENCH_OPERATOR_NODE_OPTIONS ?? '' })},`,
                )
              : json,
          );
        process.stderr.write(`bench: ${job.name} done in ${Math.round((Date.now() - started) / 1000)} s\n${json}`);
      } catch (e) {
        failed++;
        process.stderr.write(`bench: ${job.name} FAILED: ${(e as Error).stack ?? String(e)}\n`);
      }
      await deleteAllChannels(c);
    }
    if (!quick && !variant) {
      writeReport();
      process.stderr.write('bench: BENCHMARKS.md written\n');
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    await stop();
  }
}

await main();
