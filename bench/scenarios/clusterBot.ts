// One ClusterTelegramBot for many teams: N TelegramChannels with spec.botRef, spread over M namespaces
// that the bot allows by a label selector, all created before the operator (cluster-wide, as
// deploy/base runs it) starts. Measures operator start → all Ready, getMe calls in that first
// verification cycle (target: 1, the bot's own; the channels take its verified identity), the bot's
// status.channels, RSS and API writes per channel.
import * as k8s from '@kubernetes/client-node';
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { BOTS, BOT_TYPE } from '../../test/harness/resources.js';
import { benchRun } from '../lib/benchRun.js';
import { createChannels, createSecret, ensureNamespace, pool } from '../lib/kube.js';
import { round } from '../lib/proc.js';
import { measureStartup, startupFigures, startupTelegram, type StartupFigures, type StartupTelegram } from '../lib/startup.js';

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
  startup: StartupFigures;
  /** The bot's status after the run, and its reconciles that wrote status or verified (info log lines). */
  bot: { ready: string | undefined; channels: number | undefined; writingReconciles: number };
  apiWrites: { channelStatusWrites: number; perChannel: number };
  telegram: StartupTelegram;
}

const LABEL = 'bench.telegram.notify.dev/alerts';

export async function runClusterBot(kubeconfig: string, namespace: string, sizes: ClusterBotSizes): Promise<ClusterBotResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const { c } = run;
    const shared = bot(7300000001, 'shared_platform_bot');
    const chatOf = (i: number) => supergroupId(4000000000 + i);
    const b = new ScenarioBuilder().bot(shared);
    for (let i = 0; i < sizes.channels; i++) b.supergroup(chatOf(i), `Team chat ${i}`, shared.id);
    const { emulator, url } = await run.emulator(b.build());
    const botName = `${namespace}-shared`;
    run.onStop(() => c.custom.deleteClusterCustomObject({ ...BOTS, name: botName }).catch(() => undefined));

    // The platform namespace holds the token; the team namespaces are allowed by their label.
    await createSecret(c, namespace, 'telegram-bot', { token: shared.token });
    const teams = Array.from({ length: sizes.namespaces }, (_, k) => `${namespace}-team-${k}`);
    await pool(teams, 16, async (name) => {
      await ensureNamespace(c, name);
      await c.core.patchNamespace(
        { name, body: { metadata: { labels: { [LABEL]: 'true' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
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
    const watch = await run.channelWatch('all namespaces');

    const env = { TELEGRAM_API_URL: url, MAX_CONCURRENT_RECONCILES: String(sizes.maxConcurrentReconciles) };
    const w = await measureStartup(run, watch, emulator, env, sizes);
    const writes = watch.modifiedBetween(w.t0, w.settled);
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
      startup: startupFigures(w, watch),
      bot: {
        ready: status?.conditions?.find((x) => x.type === 'Ready')?.status,
        channels: status?.channels,
        writingReconciles: writingReconciles(w.operator.op.logs(), botName),
      },
      apiWrites: { channelStatusWrites: writes, perChannel: round(writes / sizes.channels, 3) },
      telegram: startupTelegram(w, sizes.channels),
    };
  });
}

/** Bot reconciles that wrote status or verified: the operator logs those at info, quiet ones at debug. */
function writingReconciles(logs: Record<string, unknown>[], botName: string): number {
  return logs.filter((l) => l.bot === botName && l.level === 'info').length;
}
