// Regenerates BENCHMARKS.md from bench/results/*.json (so a partial re-run still rewrites the whole
// page from whatever results are there). Run alone with `tsx bench/report.ts`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from './lib/environment.js';
import type { LatencyResult } from './scenarios/latency.js';
import type { ClusterBotResult } from './scenarios/clusterBot.js';
import type { EpisodeWritesResult } from './scenarios/episodeWrites.js';
import type { GrafanaStormResult } from './scenarios/grafanaStorm.js';
import type { EventStormResult } from './scenarios/eventStorm.js';
import type { LifecycleStormResult, LifecycleStormSide } from './scenarios/lifecycleStorm.js';
import type { PressLatencyResult } from './scenarios/pressLatency.js';
import { SCALE_TARGETS, type ScaleResult } from './scenarios/scale.js';
import type { StormResult, StormSide } from './scenarios/storm.js';
import type { RenderCostResult } from './scenarios/renderCost.js';
import type { TemplatePoolMemoryResult } from './scenarios/templatePoolMemory.js';
import type { ThroughputResult } from './scenarios/throughput.js';
import type { FloodSide, WebhookFloodResult } from './scenarios/webhookFlood.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const REPO_ROOT = path.resolve(BENCH_DIR, '..');

const ok = (met: boolean | null) => (met === null ? '–' : met ? '✅ met' : '❌ missed');
const fmt = (x: number | null | undefined, unit = '') => (x === null || x === undefined ? '–' : `${x}${unit}`);
const ms = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;

/** A scenario's `setup` (written as a clause) as the start of a sentence. */
const sentence = (clause: string) => clause.charAt(0).toUpperCase() + clause.slice(1);

const load1 = (r: object) => {
  const l = (r as { loadAverageAtStart?: number[] }).loadAverageAtStart;
  return l ? String(l[0]) : '–';
};
const ranAt = (r: object) => ((r as { ranAt?: string }).ranAt ?? '–').replace(/\.\d+Z$/, 'Z');
const loadLine = (rs: object[]) =>
  `Ran at ${rs.map(ranAt).join(' / ')}; machine load average (1 min) when it started: ${rs.map(load1).join(' / ')}.`;

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  return [`| ${head!.join(' | ')} |`, `| ${head!.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function load<T>(file: string): T | undefined {
  const p = path.join(RESULTS_DIR, file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}

function scaleSection(results: ScaleResult[]): string {
  if (!results.length) return '';
  const cols = results.map((r) => `${r.sizes.channels.toLocaleString('en')} channels`);
  const t = results[0]!.targets;
  const row = (label: string, target: string, f: (r: ScaleResult) => string) => [label, target, ...results.map(f)];
  return `## 1. Scale

${results.map((r) => `${r.sizes.channels.toLocaleString('en')} TelegramChannels`).join(' and ')} over ${results[0]!.sizes.tokens} bot tokens (chats spread
round-robin across the bots), all created before the operator starts; \`MAX_CONCURRENT_RECONCILES=${results.map((r) => r.sizes.maxConcurrentReconciles).join('/')}\`.
"All Ready" is the first moment a watch on the namespace has seen every channel with \`Ready=True\` for its
current generation, counted from spawning \`node dist/main.js\`.

${table([
  ['measure', 'target', ...cols],
  row('operator start → /readyz (watches listed)', '', (r) => `${r.startup.readyzSeconds} s`),
  row(
    'operator start → all Ready',
    `≤ ${t.readySeconds} s (10,000)`,
    (r) => `**${r.startup.allReadySeconds} s** ${r.sizes.channels >= 10_000 ? ok(r.startup.allReadySeconds <= t.readySeconds) : ''}`,
  ),
  row('channels Ready', '', (r) => `${r.startup.ready} / ${r.sizes.channels}`),
  row('operator RSS, peak (sampled / VmHWM)', `≤ ${SCALE_TARGETS.startupPeakMB} MB (10,000), ≤ ${t.rssMB} MB`, (r) => {
    const peak = Math.max(r.startup.hwmMB, r.steady.hwmMB);
    return `**${r.startup.rssPeakMB} / ${peak} MB** ${ok(peak <= (r.sizes.channels >= 10_000 ? SCALE_TARGETS.startupPeakMB : t.rssMB))}`;
  }),
  row('operator CPU until all Ready', '', (r) => `${r.startup.cpuSeconds} s (${Math.round(r.startup.cpuUtilisation * 100)} % of one core)`),
  row('TelegramChannel writes (status patches) per channel', '', (r) => `${r.apiWrites.perChannel} (max ${r.apiWrites.maxPerChannel})`),
  row(
    'Events created',
    '',
    (r) =>
      `${r.apiWrites.events} (${Object.entries(r.apiWrites.eventsByReason)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
  ),
  row('Telegram calls, whole start-up', '', (r) =>
    Object.entries(r.telegram.byMethod)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ),
  // The verifier caches getMe for 60 s: a cycle is one cache period, and a longer start-up has several.
  row('getMe per token per 60-s cycle', '≤ 1 (≤ tokens per cycle)', (r) => {
    const cycles = Math.max(1, Math.ceil(r.startup.allReadySeconds / 60));
    const per = Math.round((r.telegram.getMe / r.telegram.tokens / cycles) * 100) / 100;
    return `${per} (${r.telegram.getMe} getMe, ${r.telegram.tokens} tokens, ${cycles} cycle${cycles > 1 ? 's' : ''}) ${ok(per <= 1)}`;
  }),
  row('Telegram calls per channel', '', (r) => `${r.telegram.callsPerChannel}`),
  row('429 during start-up', '', (r) => `${r.telegram.rateLimited}`),
  row('steady state: window', '2 min', (r) => `${r.steady.seconds} s`),
  row('steady state: TelegramChannel writes', '0', (r) => `**${r.steady.channelWrites}** ${ok(r.steady.channelWrites === 0)}`),
  row('steady state: Telegram calls', '0', (r) => `**${r.steady.telegramCalls}** ${ok(r.steady.telegramCalls === 0)}`),
  row('steady state: operator CPU / RSS at end', '', (r) => `${r.steady.cpuSeconds} s / ${r.steady.rssEndMB} MB`),
  row('(setup) creating the channels', '', (r) => `${r.setup.createSeconds} s`),
  row('ran at / machine load average (1 min) at start', '', (r) => `${ranAt(r)} / ${load1(r)}`),
])}
`;
}

function webhookFloodSection(r: WebhookFloodResult | undefined, scale10k: ScaleResult | undefined): string {
  if (!r) return '';
  const sides = [r.follower, r.leader];
  const peak = (s: FloodSide) => Math.max(s.hwmMiB, s.rssPeakSampledMiB);
  const answers = (s: FloodSide) =>
    Object.entries(s.answers)
      .sort()
      .map(([k, v]) => `${v} × ${k}`)
      .join(', ');
  const row = (label: string, target: string, f: (s: FloodSide) => string) => [label, target, ...sides.map(f)];
  const limit = r.follower.limitMiB;
  const ceiling = Math.round(limit * (1 - r.targets.marginPercent / 100));
  const scalePeak = scale10k ? Math.max(scale10k.startup.hwmMB, scale10k.steady.hwmMB) : undefined;
  return `## Webhook flood against replicas holding ${r.sizes.channels.toLocaleString('en')} channels (\`webhook-flood-${r.sizes.channels}\`)

Two replicas with leader election watch ${r.sizes.channels.toLocaleString('en')} TelegramChannels (the leader has verified them all, in
${r.leaderStartup.allReadySeconds} s). Then ${r.sizes.clients} clients POST at once a ${Math.round(r.sizes.bodyBytes / 1024 / 1024)} MiB Alertmanager notification each (one valid alert,
padded with a field the operator ignores) with the channel's valid bearer token: first to the follower, which reads
and forwards to the leader what its body budget admits, then, ${r.sizes.restMs / 1000} s later, to the leader itself. Peak RSS is the
kernel's \`VmHWM\`, reset just before each flood, and \`VmRSS\` sampled every 50 ms; the margin is to the Deployment's
${limit} Mi memory limit.

${table([
  ['measure', 'target', 'follower', 'leader'],
  row('RSS before the flood', '', (s) => `${s.rssBeforeMiB} MiB`),
  row(
    'RSS peak during the flood (VmHWM / sampled)',
    `≤ ${ceiling} MiB`,
    (s) =>
      `**${s.hwmMiB} / ${s.rssPeakSampledMiB} MiB** ${ok(peak(s) <= ceiling)}${s.hwmResetBeforeFlood ? '' : ' (VmHWM not reset: lifetime peak)'}`,
  ),
  row(
    `margin to the ${limit} Mi limit`,
    `≥ ${r.targets.marginPercent} %`,
    (s) => `**${s.marginPercent} %** ${ok(s.marginPercent >= r.targets.marginPercent)}`,
  ),
  row('answers', '', answers),
  row('of which 503 with Retry-After', '', (s) => String(s.busyWithRetryAfter)),
  row('alive and healthy afterwards', 'yes', (s) => (s.survived ? 'yes' : '**no**')),
  row('flood took (all answered)', '', (s) => `${s.floodSeconds} s`),
  row('peak before the flood (VmHWM before the reset)', '', (s) => `${s.hwmBeforeFloodMiB} MiB`),
])}

${scalePeak !== undefined ? `Start-up peak of one replica verifying ${scale10k!.sizes.channels.toLocaleString('en')} channels (\`scale-${scale10k!.sizes.channels}\`, above): **${scalePeak} MB** (target ≤ ${SCALE_TARGETS.startupPeakMB} MB).` : ''}

${loadLine([r])}
`;
}

function latencySection(r: LatencyResult | undefined): string {
  if (!r) return '';
  return `## 2. Latency

${r.sizes.alerts} annotation alerts, one per channel, on ${r.sizes.alerts} supergroups over ${r.sizes.tokens} bots, issued at ${r.sizes.ratePerSecond}/s overall
(${r.perBotPerSecond}/s per bot, one message per chat: within Telegram's limits). Latency = the emulator accepting the
message − the moment the benchmark issued the annotation PATCH.

${table([
  ['measure', 'target', 'measured'],
  ['delivered', `${r.sizes.alerts}`, `${r.delivered}`],
  ['p50', `≤ ${r.targets.p50Ms} ms`, `**${ms(r.latencyMs.p50)}** ${ok(r.latencyMs.p50 !== null && r.latencyMs.p50 <= r.targets.p50Ms)}`],
  ['p90', '', ms(r.latencyMs.p90)],
  ['p99', `≤ ${r.targets.p99Ms} ms`, `**${ms(r.latencyMs.p99)}** ${ok(r.latencyMs.p99 !== null && r.latencyMs.p99 <= r.targets.p99Ms)}`],
  ['max', '', ms(r.latencyMs.max)],
  ['of which: annotation PATCH round trip (p50 / p99)', '', `${ms(r.patchRoundTripMs.p50)} / ${ms(r.patchRoundTripMs.p99)}`],
  ['429 received', '0', `${r.rateLimited}`],
])}

${loadLine([r])}
`;
}

function stormSection(results: StormResult[]): string {
  if (!results.length) return '';
  const sideRow = (label: string, f: (s: StormSide) => string, target = '') => [
    label,
    target,
    ...results.flatMap((r) => [f(r.operator), f(r.alertmanager)]),
  ];
  const head = ['measure', 'target', ...results.flatMap((r) => [`${r.sizes.alerts}: operator`, `${r.sizes.alerts}: Alertmanager`])];
  const ratioRow = (label: string, f: (r: StormResult) => number | null) => [
    label,
    '',
    ...results.flatMap((r) => [`**${fmt(f(r))}**`, '']),
  ];
  const r0 = results[0]!;
  return `## 3. Storm, side by side with Alertmanager

${results.map((r) => r.sizes.alerts).join(' and ')} alerts fire at once into ONE supergroup. One real Alertmanager (${'`prometheus-alertmanager`'}) receives both halves in a
single POST and routes them by a \`side\` label: to the operator's webhook (\`webhook_configs\`), or to its own
\`telegram_configs\` (\`api_url\` = the emulator, \`parse_mode: HTML\`). \`group_by: [alertname]\` with distinct alertnames makes
each alert its own notification; \`group_wait: ${r0.sizes.groupWait}\`, \`group_interval: ${r0.sizes.groupInterval}\`. Both sides run concurrently against the
same emulator instance with Telegram's default limits (1/s per chat, burst 3; 20/min per group; 30/s per bot), each
with its own bot and its own supergroup, so neither draws on the other's buckets. Each side is capped at
${Math.round(r0.sizes.capMs / 1000)} s: what has not arrived by then is "not delivered". An alert is delivered when its alertname appears in a
message the emulator accepted; latency runs from the POST to Alertmanager to that first message; it is truncated
when it arrived but the marker at the end of its description never did.

${table([
  head,
  sideRow('alerts delivered', (s) => `${s.delivered} / ${s.alerts}`),
  sideRow('429 received', (s) => `**${s.rateLimited}**`, '0'),
  sideRow('p50 latency', (s) => ms(s.latencyMs.p50)),
  sideRow('p99 latency', (s) => `**${ms(s.latencyMs.p99)}**`, '≤ 5 s'),
  sideRow('max latency', (s) => ms(s.latencyMs.max)),
  sideRow('alerts truncated', (s) => `**${s.truncated}**`, '0'),
  sideRow('duplicate copies', (s) => `${s.duplicates}`),
  sideRow('sendMessage calls / accepted', (s) => `${s.sendMessageCalls} / ${s.messagesAccepted}`),
  ratioRow('ratio operator ÷ AM: p50', (r) => r.ratios.p50),
  ratioRow('ratio operator ÷ AM: p99', (r) => r.ratios.p99),
  ratioRow('ratio operator ÷ AM: max', (r) => r.ratios.max),
  ratioRow('ratio operator ÷ AM: 429s', (r) => r.ratios.rateLimited),
  ratioRow('ratio operator ÷ AM: sendMessage calls', (r) => r.ratios.sendMessageCalls),
  [
    'targets (operator)',
    '',
    ...results.flatMap((r) => [
      `${ok(r.operator.rateLimited === 0 && (r.operator.latencyMs.p99 ?? Infinity) <= r.targets.p99Ms && r.operator.truncated === 0 && r.operator.delivered === r.operator.alerts)}`,
      '',
    ]),
  ],
])}

${loadLine(results)}

Alertmanager's own log, failed notification attempts: ${results
    .map(
      (r) =>
        `${r.sizes.alerts} alerts: ${
          Object.entries(r.alertmanagerLog.notifyFailures)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none'
        }`,
    )
    .join('; ')}.
`;
}

function throughputSection(r: ThroughputResult | undefined): string {
  if (!r) return '';
  return `## 4. Throughput

One bot, ${r.sizes.chats} private chats, ${r.sizes.alerts} alerts through **${r.source}**. Sustained rate = (messages − 1) ÷ (last − first
accepted message), against Telegram's ${r.ceilingPerSecond} messages/s per bot.

${table([
  ['measure', 'target', 'measured'],
  ['delivered', `${r.sizes.alerts}`, `${r.delivered} (duplicates ${r.duplicates})`],
  [
    'sustained messages/s',
    `≥ ${r.targets.messagesPerSecond} (90 % of ${r.ceilingPerSecond})`,
    `**${fmt(r.sustainedPerSecond)}** (${fmt(r.fractionOfCeiling === null ? null : Math.round(r.fractionOfCeiling * 1000) / 10, ' %')}) ${ok(r.sustainedPerSecond !== null && r.sustainedPerSecond >= r.targets.messagesPerSecond)}`,
  ],
  ['messages/s over the middle 80 %', '', fmt(r.middle80PerSecond)],
  ['end to end (first PATCH → last message)', '', `${fmt(r.endToEndPerSecond)} /s`],
  ['429 received', '0', `**${r.rateLimited}** ${ok(r.rateLimited === 0)}`],
  ['annotating all channels took', '', `${r.annotateSeconds} s`],
])}

Messages per second, second by second: ${r.perSecond.join(' ')}

${loadLine([r])}
`;
}

function clusterBotSection(r: ClusterBotResult | undefined): string {
  if (!r) return '';
  const methods = Object.entries(r.telegram.byMethod)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([m, n]) => `${m} ${n}`)
    .join(', ');
  return `## One ClusterTelegramBot for many teams (\`clusterbot-1000\`)

${r.sizes.channels.toLocaleString('en')} TelegramChannels with \`botRef\` in ${r.sizes.namespaces} namespaces, all allowed by one label selector of ONE
ClusterTelegramBot, created before the operator (cluster-wide) starts; \`MAX_CONCURRENT_RECONCILES=${r.sizes.maxConcurrentReconciles}\`.

${table([
  ['measure', 'target', 'result'],
  [
    'operator start → all Ready',
    '',
    `**${r.startup.allReadySeconds} s** (${r.startup.ready} Ready; /readyz after ${r.startup.readyzSeconds} s)`,
  ],
  ['getMe calls in that verification cycle', String(r.targets.getMePerCycle), `**${r.telegram.getMe}**`],
  ['Telegram calls by method', '', methods],
  ['RSS peak / at all Ready (VmHWM)', '', `**${r.startup.rssPeakMB} MB** / ${r.startup.rssAtReadyMB} MB (${r.startup.hwmMB} MB)`],
  ['CPU until all Ready', '', `${r.startup.cpuSeconds} s`],
  ['channel status writes (per channel)', '', `${r.apiWrites.channelStatusWrites} (${r.apiWrites.perChannel})`],
  [
    'the bot: Ready, status.channels, reconciles that wrote or verified',
    '',
    `${r.bot.ready}, ${r.bot.channels}, ${r.bot.writingReconciles}`,
  ],
  ['429 from Telegram', '0', String(r.telegram.rateLimited)],
])}

${loadLine([r])}
`;
}

function renderCostSection(r: RenderCostResult | undefined): string {
  if (!r) return '';
  const t = (x: number) => `${x.toFixed(3)} ms`;
  return `## Templates: render cost per notification (\`render-cost\`)

${sentence(r.setup)}. For each ready-to-paste template of [docs/templates-and-routes.md](docs/templates-and-routes.md) and two of the
built-in samples, ${r.sizes.renders.toLocaleString('en')} renders one after another (after ${r.sizes.warmup} untimed), each timed from the call to the checked body:
the time a notification waits for its text on an idle pool. Then the same number with ${r.poolSize} in flight (one per worker): the pool's
throughput on this ${r.cpus}-core machine. This runs in the benchmark's own process, not in the operator; it measures the template's share of
sending, not a delivery.

${table([
  ['template', 'sample (alerts)', 'output', 'p50', 'p99', 'max', `renders/s, ${r.poolSize} in flight`, 'fell back'],
  ...r.rows.map((x) => [
    x.template,
    `${x.sample} (${x.alerts})`,
    `${x.outputChars.toLocaleString('en')} chars`,
    `**${t(x.sequentialMs.p50)}**`,
    `**${t(x.sequentialMs.p99)}**`,
    t(x.sequentialMs.max),
    x.rendersPerSecond.toLocaleString('en'),
    String(x.fellBack),
  ]),
])}

Templates compiled: ${r.compilations} (each worker parses a template once and keeps it; ${r.rows.length / 2} templates × ${r.poolSize} workers), workers replaced: ${r.replacedWorkers}.

${loadLine([r])}
`;
}

function templatePoolMemorySection(r: TemplatePoolMemoryResult | undefined): string {
  if (!r) return '';
  const run = (w: number, templates: boolean) => r.runs.find((x) => x.workers === w && x.templates === templates)!;
  return `## Templates: what the render pool costs in memory (\`template-pool-memory\`)

The operator's RSS with \`TEMPLATE_WORKERS\` = ${r.sizes.workers.join(', ')}: ${r.sizes.channels} channels without a template, then the same ${r.sizes.channels} channels each
with a ready-to-paste template (the three in turn), each configuration a fresh operator. "Ready" is 2 s after every
channel was Ready: with templates, the workers have by then rendered every built-in sample for \`TemplateValid\`, so
they are warm. "After" is once ${r.sizes.notifications} notifications of ${r.sizes.alertsPerNotification} alerts each (${r.sizes.concurrency} at once) went through the webhooks: the
median of ${r.sizes.samples} samples ${r.sizes.sampleEveryMs} ms apart. ${sentence(r.setup)}.

The pool starts a worker only when a channel first renders, so the runs without templates start none: their RSS
stays level across pool sizes, and what warm workers with templates cost shows as the step from "without" to "with"
at the same size. After the notifications, the main heap's growth (which V8 does not give back at
once) moves RSS by tens of MB from run to run; the "Ready" figures are the steadier comparison.

${table([
  [
    'TEMPLATE_WORKERS',
    'without templates: Ready / after',
    'with templates: Ready / after',
    'templates add: Ready / after',
    'peak (VmHWM) without / with',
  ],
  ...r.sizes.workers.map((w) => {
    const [a, b] = [run(w, false), run(w, true)];
    return [
      String(w),
      `**${a.idleRssMB}** / ${a.rssMB} MB`,
      `**${b.idleRssMB}** / ${b.rssMB} MB`,
      `**${r.templatesAddMB.ready[String(w)]}** / ${r.templatesAddMB.afterNotifications[String(w)]} MB`,
      `${a.hwmMB} / ${b.hwmMB} MB`,
    ];
  }),
])}

A larger pool that renders nothing costs **${fmt(r.perIdleWorkerMB, ' MB')}** of RSS per worker (least-squares slope of "Ready" without
templates over the pool size): no worker has started. Every notification was delivered (${r.runs.map((x) => x.delivered).join(', ')} of ${r.sizes.notifications}), none in the built-in format
(${r.runs.reduce((a, x) => a + x.fellBack, 0)} fell back).

${loadLine([r])}
`;
}

function wordsStormSection(r: StormResult | undefined, baseline: StormResult | undefined): string {
  if (!r?.words) return '';
  const w = r.words;
  const op = r.operator;
  const target = r.targets.p99Ms;
  const met = op.rateLimited === 0 && (op.latencyMs.p99 ?? Infinity) <= target && w.misrouted === 0 && op.delivered === op.alerts;
  const base = baseline?.operator;
  return `## Storm with a template and two topic routes (\`words-storm-${r.sizes.alerts}\`)

The storm of section 3 again (${r.sizes.alerts} alerts at once, one real Alertmanager, \`group_by: [alertname]\`, Telegram's default limits, Alertmanager's own
\`telegram_configs\` alongside), with the operator's channel as issue 20 lets a team write it: the template "${w.template}"
from docs/templates-and-routes.md, and two routes, ${w.routes.map((x) => `\`${x.matcher}\` → topic "${x.topic}"`).join(', ')}, by name. Its supergroup is a
forum where the bot is an administrator with Manage topics; the operator creates the topics on the first alert for each. An alert is in the
right topic when its first message is in the topic of its severity. Target (issue 20): still 0 × 429, p99 within 1.5 × the 3.5 s of
storm-60 (${ms(target)}).

${table([
  [
    'measure',
    'target',
    `${r.sizes.alerts}: operator, template + topics`,
    `${r.sizes.alerts}: Alertmanager (same run)`,
    ...(base ? [`storm-${baseline.sizes.alerts}: operator, no template (section 3)`] : []),
  ],
  [
    'alerts delivered',
    '',
    `${op.delivered} / ${op.alerts}`,
    `${r.alertmanager.delivered} / ${r.alertmanager.alerts}`,
    ...(base ? [`${base.delivered} / ${base.alerts}`] : []),
  ],
  ['429 received', '0', `**${op.rateLimited}**`, `${r.alertmanager.rateLimited}`, ...(base ? [`${base.rateLimited}`] : [])],
  ['p50 latency', '', ms(op.latencyMs.p50), ms(r.alertmanager.latencyMs.p50), ...(base ? [ms(base.latencyMs.p50)] : [])],
  [
    'p99 latency',
    `≤ ${ms(target)}`,
    `**${ms(op.latencyMs.p99)}**`,
    ms(r.alertmanager.latencyMs.p99),
    ...(base ? [ms(base.latencyMs.p99)] : []),
  ],
  ['max latency', '', ms(op.latencyMs.max), ms(r.alertmanager.latencyMs.max), ...(base ? [ms(base.latencyMs.max)] : [])],
  ['alerts truncated', '0', `${op.truncated}`, `${r.alertmanager.truncated}`, ...(base ? [`${base.truncated}`] : [])],
  [
    'sendMessage calls / accepted',
    '',
    `${op.sendMessageCalls} / ${op.messagesAccepted}`,
    `${r.alertmanager.sendMessageCalls} / ${r.alertmanager.messagesAccepted}`,
    ...(base ? [`${base.sendMessageCalls} / ${base.messagesAccepted}`] : []),
  ],
  ['topics created (createForumTopic calls)', '2', `${w.topics.length} (${w.createForumTopicCalls})`, '', ...(base ? [''] : [])],
  ['alerts per topic', '', w.topics.map((t) => `${t.name} ${t.alerts}`).join(', '), '', ...(base ? [''] : [])],
  ['alerts in the wrong topic', '0', `**${w.misrouted}**`, '', ...(base ? [''] : [])],
  ['messages in the built-in format (template failed)', '0', `${w.fellBack}`, '', ...(base ? [''] : [])],
  ['targets (operator)', '', ok(met), '', ...(base ? [''] : [])],
])}

${loadLine(base ? [r, baseline] : [r])}
`;
}

const methods = (byMethod: Record<string, number>) =>
  Object.entries(byMethod)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([m, n]) => `${m} ${n}`)
    .join(', ') || 'none';

function grafanaStormSection(r: (GrafanaStormResult & { ranAt?: string }) | undefined): string {
  if (!r) return '';
  const answers = Object.entries(r.answers)
    .map(([status, n]) => `${status} × ${n}`)
    .join(', ');
  return `## Grafana alerts with images (\`grafana-storm-${r.sizes.alerts}\`)

${r.setup} Each alert is measured from the POST until Telegram accepted its photo. A photo cannot carry other alerts, so the
limits set a floor for the last one: ${r.floorSeconds} s (3 at once then 1/s per chat, 20 a minute per group). Targets (issue 22): 0 × 429,
every alert a photo. Ran ${r.ranAt}.

${table([
  ['', 'result'],
  ['alerts shown as a photo', `${r.photos}/${r.alerts}`],
  ['shown as text instead (image not had)', String(r.textFallbacks)],
  ['shown more than once', String(r.duplicates)],
  ['POST → photo accepted, p50 / p99 / max', `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)} / ${ms(r.latencyMs.max)}`],
  ['floor set by the limits (last photo)', `${r.floorSeconds} s`],
  ['Telegram 429s', String(r.rateLimited)],
  ['Bot API requests', methods(r.requests)],
  ['webhook answers (retries included)', answers],
  ['image fetches', String(r.imagesServed)],
])}

The webhook answers \`503\` while an alert waits its turn beyond the request's wait, and the sender retries; a retry joins the
delivery under way. A photo still waiting for the chat when nobody waits for it any more is not sent, and the next retry starts
it again, fetching the image again: hence more image fetches than alerts, never more photos.
`;
}

function lifecycleStormSection(r: LifecycleStormResult | undefined): string {
  if (!r) return '';
  const sides: [string, LifecycleStormSide][] = [
    ['operator (`resolved: Edit`)', r.operator],
    ['Alertmanager `telegram_configs`', r.alertmanager],
  ];
  const row = (label: string, target: string, f: (s: LifecycleStormSide) => string) => [label, target, ...sides.map(([, s]) => f(s))];
  const op = r.operator;
  const targetMet =
    op.firing.complete && op.resolution.complete
      ? op.resolution.messagesInChat <= op.firing.messagesInChat &&
        op.firing.requests.rateLimited + op.resolution.requests.rateLimited === 0
      : false;
  return `## The alert's life in the chat: a storm that fires, then resolves (\`lifecycle-storm-${r.sizes.alerts}\`)

${r.sizes.alerts} alerts fire at once into ONE supergroup, then all resolve (issue 13). One real Alertmanager routes both halves by a
\`side\` label, as in the storm above: to the operator's webhook (\`send_resolved: true\`; the channel has \`resolved: Edit\`, no
buttons) or to Alertmanager's own \`telegram_configs\` (\`send_resolved: true\`). \`group_by: [alertname]\` with distinct alertnames:
every alert is its own group; \`group_wait: ${r.sizes.groupWait}\`, \`group_interval: ${r.sizes.groupInterval}\`. Same emulator, default Telegram limits, each side
its own bot and supergroup, both concurrently. "Messages in the chat" is what the chat shows (deleted messages not counted);
"shows every alert resolved" is the first moment each alertname appears in a message that says resolved and not firing,
counted from the POST that resolved them to Alertmanager. A phase ends when its side is complete (or after
${Math.round(r.sizes.capMs / 1000)} s), plus 3 s for retries in flight. Targets (issue 13): the chat holds no more messages after resolution than after
firing, 0 × 429.

${table([
  ['measure', 'target', ...sides.map(([n]) => n)],
  row(
    'firing: alerts shown',
    '',
    (s) => `${s.firing.alertsShown} / ${s.alerts}${s.firing.seconds === null ? '' : ` after ${s.firing.seconds} s`}`,
  ),
  row('**messages in the chat after firing**', '', (s) => `**${s.firing.messagesInChat}**`),
  row('**messages in the chat after resolution**', '≤ after firing', (s) => `**${s.resolution.messagesInChat}**`),
  row('messages still showing an alert as firing, at the end', '0', (s) => `${s.resolution.staleFiringMessages}`),
  row('messages changed in place (edited)', '', (s) => `${s.resolution.editedMessages}`),
  row('**time until the chat shows every alert resolved**', '', (s) =>
    s.resolution.complete ? `**${s.resolution.seconds} s**` : `not within the cap (${s.resolution.alertsShownResolved} / ${s.alerts})`,
  ),
  row('requests, firing phase', '', (s) => `${s.firing.requests.total}: ${methods(s.firing.requests.byMethod)}`),
  row('requests, resolution phase', '', (s) => `${s.resolution.requests.total}: ${methods(s.resolution.requests.byMethod)}`),
  row('**429 received** (firing / resolution)', '0', (s) => `**${s.firing.requests.rateLimited} / ${s.resolution.requests.rateLimited}**`),
  ['targets (operator)', '', ok(targetMet), ''],
  [
    'episode ConfigMap writes (firing / resolution; per notification)',
    '',
    `${r.episodeWrites.firing} / ${r.episodeWrites.resolution}; ${fmt(r.episodeWrites.perNotification)}`,
    '',
  ],
])}

${loadLine([r])}

Alertmanager's own log, failed notification attempts: ${
    Object.entries(r.alertmanagerLog.notifyFailures)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none'
  }.
`;
}

function pressLatencySection(results: PressLatencyResult[]): string {
  if (!results.length) return '';
  const r0 = results[0]!;
  const runs = results.map((r) => {
    const other = Object.entries(r.otherAnswers)
      .map(([k, v]) => `${v} × "${k}"`)
      .join('; ');
    const unanswered = r.presses - r.answered;
    return `**${r.presses} presses over ${r.sizes.chats} supergroup${r.sizes.chats === 1 ? '' : 's'}, one every ${r.sizes.intervalMs} ms** (${r.presses / r.sizes.chats} firing notification${r.presses === r.sizes.chats ? '' : 's'} per chat sent just before).

${table([
  ['measure', 'target', 'press → answer', 'press → silence created'],
  [
    'count',
    `${r.presses}`,
    `${r.answered} answered${unanswered ? ` (${unanswered} never: Telegram's 15 s had passed)` : ''}`,
    `${r.silencesCreated} silences`,
  ],
  ['p50', '', ms(r.answerMs.p50), ms(r.silenceMs.p50)],
  ['p90', '', ms(r.answerMs.p90), ms(r.silenceMs.p90)],
  [
    'p99',
    `≤ ${r.targets.answerP99Ms} ms`,
    `**${ms(r.answerMs.p99)}** ${ok(r.answerMs.p99 !== null && r.answered === r.presses && r.answerMs.p99 <= r.targets.answerP99Ms)}`,
    `**${ms(r.silenceMs.p99)}** ${ok(r.silenceMs.p99 !== null && r.silencesCreated === r.presses && r.silenceMs.p99 <= r.targets.silenceP99Ms)}`,
  ],
  ['max', '', ms(r.answerMs.max), ms(r.silenceMs.max)],
])}

Answers: ${r.silencedAnswers} × "Silenced for …"${other ? `; ${other}` : ''}. Episode ConfigMap writes per press: ${fmt(r.episodeWritesPerPress)}.
Telegram calls while pressing: ${methods(r.telegram.byMethod)}; 429: ${r.telegram.rateLimited}. ${loadLine([r])}
`;
  });
  return `## Silence buttons: press → answer, press → silence (\`press-latency\`)

Firing notifications, each its own group with Silence buttons, posted to channels with \`spec.alertmanager.silence\` pointing
at a real Alertmanager (durations ${r0.sizes.durations.join(', ')}); a chat administrator presses "Silence ${r0.sizes.durations[0]}" on each through the emulator's
press hook, at a fixed pace, round-robin over the chats. The operator long-polls \`getUpdates\`, checks the presser with
\`getChatMember\` (cached briefly), creates the silence, records it on the episode, edits the message (who silenced it, until
when, an Unsilence button), then answers. "press → answer" runs from the press to the emulator receiving
\`answerCallbackQuery\`; "press → silence" to the \`updatedAt\` Alertmanager stamps on the silence it stored (same clock).
Target (issue 13): p99 ≤ ${r0.targets.answerP99Ms} ms.

${runs.join('\n')}`;
}

function episodeWritesSection(r: EpisodeWritesResult | undefined): string {
  if (!r) return '';
  return `## Writes for the remembered state (\`episode-writes\`)

What the operator remembers about each episode (group → message ids, silence, ack) lives in one ConfigMap per channel.
${r.sizes.groups} groups over ${r.sizes.chats} supergroups (one channel each, \`resolved: Edit\`, Silence buttons), Alertmanager's webhook posted straight
to the operator, one notification per group at a time (steady state: no storm to batch them), every phase answered before
the next. Writes are ADDED/MODIFIED events of a watch on the episode ConfigMaps. Target (issue 13): ≤ ${r.targets.perNotification} per
notification at steady state.

${table([
  ['phase', 'notifications', 'ConfigMap writes', 'per notification'],
  ...r.phases.map((p) => [p.name, `${p.notifications}${p.failed ? ` (${p.failed} not 200)` : ''}`, `${p.writes}`, `${p.perNotification}`]),
  [
    '**all**',
    `${r.total.notifications}`,
    `${r.total.writes}`,
    `**${r.total.perNotification}** ${ok(r.total.perNotification <= r.targets.perNotification && r.phases.every((p) => p.perNotification <= r.targets.perNotification))}`,
  ],
])}

${loadLine([r])}
`;
}

function eventStormSection(r: EventStormResult | undefined): string {
  if (!r) return '';
  const t = r.telegram;
  return `## The cluster's own Warning events: an event storm (\`event-storm-${r.sizes.events}\`)

${r.setup.charAt(0).toUpperCase()}${r.setup.slice(1)}; the emulator with Telegram's default limits. The channel shows each pod and reason as one message, edited as the
series grows, until the chat's limits (5 new event messages in 10 s, 20 a minute); later pods join one "and N more" message,
edited in place (docs/kubernetes-events.md). "Settled": every pod shown (own message or counted in "and N more"), every
message of its own showing the pod's final count, then ${r.sizes.quietMs / 1000} s without a request to the chat; the time is
from the first event to the last request. CPU is the operator's user + system time over the storm and the quiet period.
Target (issue 22): 0 × 429.

${table([
  ['', ''],
  [
    'events issued (target spread)',
    `${r.sizes.events} over ${r.sizes.objects} pods in ${r.issuedSeconds} s (${r.sizes.spreadMs / 1000} s)${r.issueFailures ? `, ${r.issueFailures} API calls failed` : ''}`,
  ],
  [
    'pods shown',
    `${r.objectsShown} of ${r.sizes.objects}: ${r.objectsInOwnMessage} in a message of their own, ${r.objectsInOverflow} in "and N more"`,
  ],
  ['messages sent', `${t.messagesSent}`],
  ['edits', `${t.edits}`],
  ['429 answers', `**${t.rateLimited}** ${ok(t.rateLimited <= r.targets.rateLimited)}`],
  ['other errors', `${t.otherErrors}`],
  [
    'settled after',
    r.settled
      ? `${fmt(r.settledSeconds, ' s')}${r.staleCounts ? ` (${r.staleCounts} stale counts)` : ''}`
      : `not within ${r.sizes.capMs / 1000} s`,
  ],
  ['operator RSS', `${r.operator.rssBeforeMB} MB before, peak ${r.operator.rssPeakMB} MB (VmHWM ${r.operator.hwmMB} MB)`],
  ['operator CPU', `${r.operator.cpuSeconds} s (${fmt(r.operator.cpuPercentOfOneCore, ' %')} of one core)`],
])}

${loadLine([r])}
`;
}

/** Experiments (bench/results/variants/<name>/): the headline figures next to the main run's. */
function variantsSection(main: { scenario: string }[], mainFiles: string[]): string {
  const dir = path.join(RESULTS_DIR, 'variants');
  if (!existsSync(dir)) return '';
  const headline = (r: { scenario: string } & Record<string, any>): string => {
    switch (r.scenario) {
      case 'scale':
        return `all Ready ${r.startup.allReadySeconds} s; RSS peak ${r.startup.rssPeakMB} MB (VmHWM ${Math.max(r.startup.hwmMB, r.steady.hwmMB)}); CPU ${r.startup.cpuSeconds} s; steady writes ${r.steady.channelWrites}, Telegram calls ${r.steady.telegramCalls}, RSS at end ${r.steady.rssEndMB} MB`;
      case 'webhook-flood':
        return `flood peak (VmHWM): follower ${r.follower.hwmMiB} MiB (from ${r.follower.rssBeforeMiB}), leader ${r.leader.hwmMiB} MiB (from ${r.leader.rssBeforeMiB}); margin to ${r.follower.limitMiB} Mi: ${r.follower.marginPercent} % / ${r.leader.marginPercent} %`;
      case 'latency':
        return `p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}; delivered ${r.delivered}; 429 ${r.rateLimited}`;
      case 'throughput':
        return `${r.sustainedPerSecond}/s sustained (middle 80 %: ${r.middle80PerSecond}/s); delivered ${r.delivered}; 429 ${r.rateLimited}`;
      case 'storm':
        return `operator: ${r.operator.delivered}/${r.operator.alerts} delivered, p99 ${ms(r.operator.latencyMs.p99)}, 429 ${r.operator.rateLimited}, duplicates ${r.operator.duplicates}`;
      default:
        return '';
    }
  };
  const rows: string[][] = [['variant', 'scenario', 'variant', 'main run (above)']];
  let notes = '';
  for (const v of readdirSync(dir).sort()) {
    const files = readdirSync(path.join(dir, v))
      .filter((f) => f.endsWith('.json') && f !== 'environment.json')
      .sort();
    for (const f of files) {
      const r = JSON.parse(readFileSync(path.join(dir, v, f), 'utf8')) as {
        scenario: string;
        variant?: { operatorNodeOptions: string };
      } & Record<string, any>;
      const m = main[mainFiles.indexOf(f)] as ({ scenario: string } & Record<string, any>) | undefined;
      rows.push([v, f.replace(/\.json$/, ''), headline(r), m ? headline(m) : '–']);
      if (r.variant && !notes.includes(v))
        notes += `- \`${v}\`: operator started with \`NODE_OPTIONS=${r.variant.operatorNodeOptions.replace(/\/work\/[^/ ]+\//g, '')}\`\n`;
    }
  }
  if (rows.length === 1) return '';
  return `## Experiments: proposed fixes tried without changing src/

Same scenarios and sizes, run separately (\`BENCH_VARIANT\`, see docs/benchmarks.md), with the operator started under a
preload that changes one thing. These are not the operator as built; they show what the fix would buy. A name ending in \`-arena<N>\` ran with
\`MALLOC_ARENA_MAX=<N>\` (\`BENCH_OPERATOR_MALLOC_ARENA_MAX\`); the memory-series probe in a variant's options samples
\`process.memoryUsage()\` and takes no snapshot.

${notes}
${table(rows)}
`;
}

export function writeReport(): string {
  const env = load<Environment>('environment.json');
  const files = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json') && f !== 'environment.json') : [];
  const all = files.map((f) => load<{ scenario: string }>(f)!);
  const scale = (all.filter((r) => r.scenario === 'scale') as ScaleResult[]).sort((a, b) => a.sizes.channels - b.sizes.channels);
  // A storm with a template and topic routes has its own section.
  const storm = (all.filter((r) => r.scenario === 'storm' && !('words' in r)) as StormResult[]).sort(
    (a, b) => a.sizes.alerts - b.sizes.alerts,
  );
  const wordsStorm = all.find((r) => r.scenario === 'storm' && 'words' in r) as StormResult | undefined;
  const renderCost = all.find((r) => r.scenario === 'render-cost') as RenderCostResult | undefined;
  const templatePoolMemory = all.find((r) => r.scenario === 'template-pool-memory') as TemplatePoolMemoryResult | undefined;
  const latency = all.find((r) => r.scenario === 'latency') as LatencyResult | undefined;
  const throughput = all.find((r) => r.scenario === 'throughput') as ThroughputResult | undefined;
  const clusterBot = all.find((r) => r.scenario === 'clusterbot') as ClusterBotResult | undefined;
  const lifecycleStorm = all.find((r) => r.scenario === 'lifecycle-storm') as LifecycleStormResult | undefined;
  const pressLatency = (all.filter((r) => r.scenario === 'press-latency') as PressLatencyResult[]).sort(
    (a, b) => b.sizes.chats - a.sizes.chats,
  );
  const episodeWrites = all.find((r) => r.scenario === 'episode-writes') as EpisodeWritesResult | undefined;
  const webhookFlood = all.find((r) => r.scenario === 'webhook-flood') as WebhookFloodResult | undefined;
  const grafanaStorm = all.find((r) => r.scenario === 'grafana-storm') as GrafanaStormResult | undefined;
  const eventStorm = all.find((r) => r.scenario === 'event-storm') as EventStormResult | undefined;
  const md = `# Benchmarks

Generated by \`make bench\` (\`npm run build && tsx bench/run.ts\`) from the raw numbers in [bench/results/](bench/results/); how each
figure is measured is in [docs/benchmarks.md](docs/benchmarks.md). Everything runs on one machine over loopback: a real
kube-apiserver + etcd (started by the benchmark for itself), the built operator as a child process, the Telegram
emulator (\`test/emulator\`) and, for the storm, Debian's Alertmanager. Targets come from issue 7; they are reported,
never asserted.

${
  env
    ? table([
        ['', ''],
        ['date (of the last full or partial run; each scenario says when it ran)', env.date],
        ['CPU', `${env.machine.cpuModel}, ${env.machine.cores} cores`],
        ['RAM', `${env.machine.ramGB} GB`],
        ['kernel', env.machine.kernel],
        ['Node.js', env.versions.node],
        ['kube-apiserver', env.versions.kubeApiserver],
        ['Alertmanager', env.versions.alertmanager],
        ['operator', env.versions.operator],
        [
          'git commit',
          env.versions.gitCommit +
            (env.versions.uncommittedFiles?.length ? ` + uncommitted changes in ${env.versions.uncommittedFiles.join(', ')}` : ''),
        ],
        ...(env.versions.distBuiltAt ? [['dist/ built at', env.versions.distBuiltAt]] : []),
        ...(env.operatorNodeOptions ? [['operator NODE_OPTIONS', `\`${env.operatorNodeOptions}\` (as deploy/base ships it)`]] : []),
        ...Object.entries(env.operatorRuntimeEnv ?? {}).map(([name, value]) => [
          `operator ${name}`,
          `\`${value}\` (as deploy/base ships it)`,
        ]),
      ])
    : ''
}

The operator, kube-apiserver, etcd, the emulator and the benchmark driver share the ${env?.machine.cores ?? '?'} cores.

${scaleSection(scale)}
${webhookFloodSection(
  webhookFlood,
  scale.find((r) => r.sizes.channels === 10_000),
)}
${clusterBotSection(clusterBot)}
${latencySection(latency)}
${stormSection(storm)}
${throughputSection(throughput)}
${lifecycleStormSection(lifecycleStorm)}
${grafanaStormSection(grafanaStorm)}
${pressLatencySection(pressLatency)}
${episodeWritesSection(episodeWrites)}
${eventStormSection(eventStorm)}
${renderCostSection(renderCost)}
${templatePoolMemorySection(templatePoolMemory)}
${wordsStormSection(
  wordsStorm,
  storm.find((r) => wordsStorm !== undefined && r.sizes.alerts === wordsStorm.sizes.alerts),
)}
${variantsSection(all, files)}
${existsSync(path.join(BENCH_DIR, 'findings.md')) ? readFileSync(path.join(BENCH_DIR, 'findings.md'), 'utf8') : ''}`;
  const out = md.replace(/\n{3,}/g, '\n\n');
  writeFileSync(path.join(REPO_ROOT, 'BENCHMARKS.md'), out);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) writeReport();
