// One ClusterTelegramBot for many teams: N TelegramChannels with spec.botRef, spread over M namespaces
// that the bot allows by a label selector, all created before the operator (cluster-wide, as
// deploy/base runs it) starts. Measures operator start → all Ready, getMe calls in that first
// verification cycle (target: 1, the bot's own; the channels take its verified identity), the bot's
// status.channels, RSS and API writes per channel.
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { TelegramEmulator } from '../../test/emulator/server.js';
import { BOTS, BOT_TYPE } from '../../test/harness/resources.js';
import { ChannelWatch, clientsFor, createChannels, createSecret, ensureNamespace, pool } from '../lib/kube.js';
import { launchOperator } from '../lib/operator.js';
import { ProcSampler, round } from '../lib/proc.js';

export interface ClusterBotSizes {
  channels: number;
  namespaces: number;
  maxConcurrentReconciles: number;
  readyTimeoutMs: number;
  /** Writes and calls that land within this long after the last Ready are counted with the start-up. */
  settleMs: number;
}

export const CLUSTER_BOT_TARGETS = { getMePerCycle: 1 } as const;

export interface ClusterBotResult {
  scenario: 'clusterbot';
  sizes: ClusterBotSizes;
  targets: typeof CLUSTER_BOT_TARGETS;
  setup: { createSeconds: number };
  startup: {
    readyzSeconds: number;
    allReadySeconds: number;
    ready: number;
    rssPeakMB: number;
    rssAtReadyMB: number;
    hwmMB: number;
    cpuSeconds: number;
  };
  /** The bot's status after the run, and its reconciles that wrote status or verified (info log lines). */
  bot: { ready: string | undefined; channels: number | undefined; writingReconciles: number };
  apiWrites: { channelStatusWrites: number; perChannel: number };
  telegram: { byMethod: Record<string, number>; getMe: number; callsPerChannel: number; rateLimited: number };
}

const LABEL = 'bench.telegram.notify.dev/alerts';

export async function runClusterBot(kubeconfig: string, namespace: string, sizes: ClusterBotSizes): Promise<ClusterBotResult> {
  const c = clientsFor(kubeconfig);
  const shared = bot(7300000001, 'shared_platform_bot');
  const chatOf = (i: number) => supergroupId(4000000000 + i);
  const b = new ScenarioBuilder().bot(shared);
  for (let i = 0; i < sizes.channels; i++) b.supergroup(chatOf(i), `Team chat ${i}`, shared.id);
  const emulator = new TelegramEmulator(b.build());
  const url = await emulator.start();
  const botName = `${namespace}-shared`;

  const watch = new ChannelWatch(c, undefined);
  let operator: Awaited<ReturnType<typeof launchOperator>> | undefined;
  let sampler: ProcSampler | undefined;
  try {
    // The platform namespace holds the token; the team namespaces are allowed by their label.
    await createSecret(c, namespace, 'telegram-bot', { token: shared.token });
    const teams = Array.from({ length: sizes.namespaces }, (_, k) => `${namespace}-team-${k}`);
    await pool(teams, 16, async (name) => {
      await ensureNamespace(c, name);
      await c.core.patchNamespace(
        { name, body: { metadata: { labels: { [LABEL]: 'true' } } } },
        (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'),
      );
    });
    await c.custom.createClusterCustomObject({
      ...BOTS,
      body: {
        ...BOT_TYPE,
        metadata: { name: botName },
        spec: {
          tokenSecretRef: { name: 'telegram-bot', namespace },
          allowedNamespaces: { selector: { matchLabels: { [LABEL]: 'true' } } },
        },
      },
    });
    const started = Date.now();
    for (let k = 0; k < sizes.namespaces; k++) {
      const perNs = sizes.channels / sizes.namespaces;
      await createChannels(
        c,
        teams[k]!,
        Array.from({ length: perNs }, (_, j) => {
          const i = k * perNs + j;
          return { name: `ch-${i}`, spec: { botRef: { name: botName }, chatId: String(chatOf(i)) } };
        }),
        48,
      );
    }
    const createMs = Date.now() - started;
    await watch.start();

    operator = await launchOperator(kubeconfig, {
      TELEGRAM_API_URL: url,
      MAX_CONCURRENT_RECONCILES: String(sizes.maxConcurrentReconciles),
    });
    sampler = new ProcSampler(operator.op.child.pid!);
    const t0 = operator.spawnedAt;
    const readyAt = await watch.waitReady(sizes.channels, sizes.readyTimeoutMs);
    const atReady = sampler.sample()!;
    await new Promise((r) => setTimeout(r, sizes.settleMs));
    const settled = Date.now();
    sampler.sample();

    const reqs = emulator.requests.filter((r) => r.time >= t0 && r.time < settled);
    const byMethod: Record<string, number> = {};
    for (const r of reqs) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
    const writes = watch.modifiedBetween(t0, settled);
    const status = (
      (await c.custom.getClusterCustomObject({ ...BOTS, name: botName })) as {
        metadata: { generation: number };
        status?: { channels?: number; conditions?: { type: string; status: string }[] };
      }
    ).status;

    return {
      scenario: 'clusterbot',
      sizes,
      targets: CLUSTER_BOT_TARGETS,
      setup: { createSeconds: round(createMs / 1000, 2) },
      startup: {
        readyzSeconds: round((operator.readyzAt - t0) / 1000, 2),
        allReadySeconds: round((readyAt - t0) / 1000, 2),
        ready: watch.readyCount,
        rssPeakMB: round(sampler.peakRssMB),
        rssAtReadyMB: round(atReady.rssMB),
        hwmMB: round(atReady.hwmMB),
        cpuSeconds: round(sampler.last!.cpuSeconds, 2),
      },
      bot: {
        ready: status?.conditions?.find((x) => x.type === 'Ready')?.status,
        channels: status?.channels,
        writingReconciles: writingReconciles(operator.op.logs(), botName),
      },
      apiWrites: { channelStatusWrites: writes, perChannel: round(writes / sizes.channels, 3) },
      telegram: {
        byMethod,
        getMe: byMethod.getMe ?? 0,
        callsPerChannel: round(reqs.length / sizes.channels, 3),
        rateLimited: reqs.filter((r) => r.status === 429).length,
      },
    };
  } finally {
    sampler?.stop();
    watch.stop();
    await operator?.op.stop('SIGTERM');
    await emulator.stop();
    await c.custom.deleteClusterCustomObject({ ...BOTS, name: botName }).catch(() => undefined);
  }
}

/** Bot reconciles that wrote status or verified: the operator logs those at info, quiet ones at debug. */
function writingReconciles(logs: Record<string, unknown>[], botName: string): number {
  return logs.filter((l) => l.bot === botName && l.level === 'info').length;
}
