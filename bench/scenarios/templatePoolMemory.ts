// What the template render pool costs in memory: the operator's RSS with TEMPLATE_WORKERS = N, once
// with channels that have no template and once with the same channels each using a ready-to-paste
// template of docs/templates-and-routes.md, after the same notifications went through both.
//
// The pool starts a worker only when a channel first renders, so "no template" starts none (its RSS
// stays level across pool sizes); what warm workers cost shows as the step between the two channel
// sets at the same size. Each configuration is a fresh operator, its own namespace and
// emulator (no Telegram limits: waiting is not what is measured). RSS is the median of samples taken
// once the notifications were delivered, not one reading, since a garbage collection can move it.
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { alertmanagerPayload, postAlertmanagerWebhook, type TestAlert } from '../../test/harness/alertmanagerPayload.js';
import { benchRun } from '../lib/benchRun.js';
import { readyToPasteTemplates } from '../lib/docTemplates.js';
import { clientsFor, createChannels, createSecret, ensureNamespace, pool, sleep } from '../lib/kube.js';
import { ProcSampler, round, snapshot } from '../lib/proc.js';

export interface TemplatePoolMemorySizes {
  workers: number[];
  channels: number;
  notifications: number;
  alertsPerNotification: number;
  /** Notifications posted at once. */
  concurrency: number;
  /** RSS samples after delivery, `sampleEveryMs` apart. */
  samples: number;
  sampleEveryMs: number;
}

export interface PoolMemoryRun {
  workers: number;
  templates: boolean;
  delivered: number;
  /** Notifications whose message fell back to the built-in format: must be 0 with templates. */
  fellBack: number;
  /** Median of the samples after delivery, and the kernel's peak (VmHWM). */
  rssMB: number;
  hwmMB: number;
  /** Two seconds after every channel was Ready: with templates, the workers have rendered every sample by then. */
  idleRssMB: number;
}

export interface TemplatePoolMemoryResult {
  scenario: 'template-pool-memory';
  sizes: TemplatePoolMemorySizes;
  setup: string;
  runs: PoolMemoryRun[];
  /** Linear fit of the no-template RSS once Ready over the pool size: what one more idle worker costs. */
  perIdleWorkerMB: number | null;
  /**
   * With templates minus without, at each pool size: once Ready (the workers warmed by TemplateValid's
   * renders of the samples), and after the notifications (where the main heap's growth adds its noise).
   */
  templatesAddMB: { ready: Record<string, number>; afterNotifications: Record<string, number> };
}

const WEBHOOK_TOKEN = 'bench-template-pool-webhook-token';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

function alertsOf(n: number, size: number): TestAlert[] {
  return Array.from({ length: size }, (_, i) => ({
    name: `PoolAlert${n % 17}`,
    labels: {
      severity: i % 3 === 0 ? 'critical' : 'warning',
      namespace: `team-${n % 5}`,
      pod: `api-${n}-${i}`,
      instance: `node-${i}:9100`,
    },
    annotations: {
      summary: `notification ${n}, alert ${i}: latency above 2 s`,
      description: `p99 latency of api-${n}-${i} has been above 2 s for 10 minutes`,
      runbook_url: `https://runbooks.example.com/pool-${n % 17}`,
    },
    fingerprint: `${n.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}`,
  }));
}

async function measure(
  kubeconfig: string,
  namespace: string,
  sizes: TemplatePoolMemorySizes,
  workers: number,
  templates: boolean,
): Promise<PoolMemoryRun> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const b = bot(7400000051, 'pool_memory_bot');
    const chatOf = (i: number) => supergroupId(5000000100 + i);
    const scenario = new ScenarioBuilder().bot(b);
    for (let i = 0; i < sizes.channels; i++) scenario.supergroup(chatOf(i), `Pool ${i}`, b.id);
    const { emulator, url } = await run.emulator(scenario.build(), { limits: false });
    await createSecret(run.c, namespace, 'bot', { token: b.token });
    await createSecret(run.c, namespace, 'am-webhook', { token: WEBHOOK_TOKEN });
    const docTemplates = readyToPasteTemplates();
    await createChannels(
      run.c,
      namespace,
      Array.from({ length: sizes.channels }, (_, i) => {
        const t = docTemplates[i % docTemplates.length]!;
        return {
          name: `ch-${i}`,
          spec: {
            tokenSecretRef: { name: 'bot' },
            chatId: String(chatOf(i)),
            alertmanager: { tokenSecretRef: { name: 'am-webhook' } },
            ...(templates ? { template: { firing: t.firing, ...(t.resolved ? { resolved: t.resolved } : {}) } } : {}),
          },
        };
      }),
    );
    const watch = await run.channelWatch();
    const operator = await run.operator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: namespace, TEMPLATE_WORKERS: String(workers) });
    await watch.waitReady(sizes.channels, 120_000);
    const pid = operator.op.child.pid!;
    const sampler = new ProcSampler(pid);
    run.onStop(() => sampler.stop());
    await sleep(2_000);
    const idleRssMB = snapshot(pid)?.rssMB ?? 0;

    let delivered = 0;
    await pool(
      Array.from({ length: sizes.notifications }, (_, n) => n),
      sizes.concurrency,
      async (n) => {
        const channel = { namespace, name: `ch-${n % sizes.channels}` };
        const payload = alertmanagerPayload(alertsOf(n, sizes.alertsPerNotification), { groupKey: `{}:{n="${n}"}` });
        const r = await postAlertmanagerWebhook(operator.op.url, channel, WEBHOOK_TOKEN, payload);
        if (r.status === 200) delivered++;
      },
    );
    await sleep(2_000);
    const rss: number[] = [];
    for (let i = 0; i < sizes.samples; i++) {
      rss.push(snapshot(pid)?.rssMB ?? 0);
      await sleep(sizes.sampleEveryMs);
    }
    const fellBack = emulator.messages.filter((m) => m.text.startsWith('⚠️ the template')).length;
    return {
      workers,
      templates,
      delivered,
      fellBack,
      rssMB: round(median(rss)),
      hwmMB: round(snapshot(pid)?.hwmMB ?? 0),
      idleRssMB: round(idleRssMB),
    };
  });
}

/** With templates minus without, per pool size, of one figure. */
function difference(runs: PoolMemoryRun[], workers: number[], figure: 'idleRssMB' | 'rssMB'): Record<string, number> {
  const at = (w: number, templates: boolean) => runs.find((r) => r.workers === w && r.templates === templates)![figure];
  return Object.fromEntries(workers.map((w) => [String(w), round(at(w, true) - at(w, false))]));
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number | null {
  if (points.length < 2) return null;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? null : round(points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx);
}

export async function runTemplatePoolMemory(
  kubeconfig: string,
  namespace: string,
  sizes: TemplatePoolMemorySizes,
): Promise<TemplatePoolMemoryResult> {
  const runs: PoolMemoryRun[] = [];
  const c = clientsFor(kubeconfig);
  for (const workers of sizes.workers) {
    for (const templates of [false, true]) {
      const ns = `${namespace}-w${workers}-${templates ? 'tpl' : 'none'}`;
      await ensureNamespace(c, ns);
      runs.push(await measure(kubeconfig, ns, sizes, workers, templates));
    }
  }
  const without = runs.filter((r) => !r.templates);
  return {
    scenario: 'template-pool-memory',
    sizes,
    setup:
      'a fresh operator per configuration (its own namespace, one bot, one supergroup per channel, emulator without limits); notifications posted to its Alertmanager webhook directly; the channels with templates cycle through the three ready-to-paste templates of docs/templates-and-routes.md',
    runs,
    perIdleWorkerMB: slope(without.map((r) => [r.workers, r.idleRssMB])),
    templatesAddMB: { ready: difference(runs, sizes.workers, 'idleRssMB'), afterNotifications: difference(runs, sizes.workers, 'rssMB') },
  };
}
