// API server writes for the remembered state ("state that survives"): how many writes to
// the episode ConfigMaps each Alertmanager notification costs at steady state, i.e. notifications
// arriving one at a time per group (no storm to batch them). `groups` groups over `chats` channels
// (resolved: Edit, Silence buttons) go through one episode each, in phases, every notification of a
// phase answered before the next phase starts:
//   fire        the group's first notification: a new message, a new episode
//   repeat ×2   Alertmanager's repeat_interval re-send, nothing changed
//   grow        a second alert joins the group (the message is edited)
//   partly      that second alert resolves, the first still fires (edited)
//   resolve     the group resolves (edited, buttons removed)
// Writes are counted from a watch on the ConfigMaps (ADDED/MODIFIED events), per phase.
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { benchRun } from '../lib/benchRun.js';
import { startButtonChannels } from '../lib/buttonChannels.js';
import { sleep } from '../lib/kube.js';
import { groupPayload, type WebhookAlert } from '../lib/lifecycle.js';
import { metricByLabels, scrapeMetrics } from '../lib/operator.js';
import { round } from '../lib/proc.js';

export interface EpisodeWritesSizes {
  groups: number;
  chats: number;
}

export const EPISODE_WRITES_TARGETS = { perNotification: 1 } as const;

export interface EpisodeWritesPhase {
  name: string;
  notifications: number;
  /** Webhook answers other than 200. */
  failed: number;
  writes: number;
  perNotification: number;
}

export interface EpisodeWritesResult {
  scenario: 'episode-writes';
  sizes: EpisodeWritesSizes;
  targets: typeof EPISODE_WRITES_TARGETS;
  setup: string;
  phases: EpisodeWritesPhase[];
  total: { notifications: number; writes: number; perNotification: number };
  /** The operator's own count, if it exports one (metric families about episodes). */
  operatorMetrics: Record<string, Record<string, number>>;
}

export async function runEpisodeWrites(kubeconfig: string, namespace: string, sizes: EpisodeWritesSizes): Promise<EpisodeWritesResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const theBot = bot(7400000031, 'episodes_bench_bot');
    const chats = Array.from({ length: sizes.chats }, (_, i) => supergroupId(5000000200 + i));
    const builder = new ScenarioBuilder().bot(theBot);
    for (const [i, chat] of chats.entries()) builder.supergroup(chat, `Episodes ${i}`, theBot.id);
    // Buttons on (a real Alertmanager behind them, though nothing is pressed), as a team would run it.
    const { operator, writes, postPerChannel } = await startButtonChannels(run, {
      scenario: builder.build(),
      bot: theBot,
      chats,
      prefix: 'episodes',
      alertmanagerSpec: (url) => ({ resolved: 'Edit', silence: { url } }),
    });
    await sleep(2_000);

    const startsAt = new Date().toISOString();
    const groups = Array.from({ length: sizes.groups }, (_, i) => ({
      i,
      chat: i % sizes.chats,
      alertname: `Episode${String(i).padStart(3, '0')}`,
    }));
    const first = (g: (typeof groups)[number], status: 'firing' | 'resolved'): WebhookAlert => ({
      status,
      labels: { alertname: g.alertname, severity: 'warning', instance: 'node-a:9100' },
      annotations: { summary: `Episode ${g.i}, first alert` },
      startsAt,
      ...(status === 'resolved' ? { endsAt: new Date().toISOString() } : {}),
    });
    const second = (g: (typeof groups)[number], status: 'firing' | 'resolved'): WebhookAlert => ({
      ...first(g, status),
      labels: { alertname: g.alertname, severity: 'warning', instance: 'node-b:9100' },
      annotations: { summary: `Episode ${g.i}, second alert` },
    });
    const phases: { name: string; alerts: (g: (typeof groups)[number]) => WebhookAlert[] }[] = [
      { name: 'fire', alerts: (g) => [first(g, 'firing')] },
      { name: 'repeat (unchanged)', alerts: (g) => [first(g, 'firing')] },
      { name: 'repeat (unchanged) again', alerts: (g) => [first(g, 'firing')] },
      { name: 'grow (a second alert joins)', alerts: (g) => [first(g, 'firing'), second(g, 'firing')] },
      { name: 'partly resolved', alerts: (g) => [first(g, 'firing'), second(g, 'resolved')] },
      { name: 'resolve', alerts: (g) => [first(g, 'resolved'), second(g, 'resolved')] },
    ];
    const results: EpisodeWritesPhase[] = [];
    for (const phase of phases) {
      const from = Date.now();
      let failed = 0;
      await postPerChannel(
        groups,
        (g) => groupPayload(`{}:{alertname="${g.alertname}"}`, phase.alerts(g)),
        (_, r) => {
          if (r.status !== 200) failed++;
        },
      );
      await sleep(1_500); // a write acknowledged just before the last answer reaches the watch
      const n = writes.between(from, Date.now());
      results.push({ name: phase.name, notifications: groups.length, failed, writes: n, perNotification: round(n / groups.length, 3) });
    }
    const notifications = results.reduce((a, p) => a + p.notifications, 0);
    const total = results.reduce((a, p) => a + p.writes, 0);
    const metrics = await scrapeMetrics(operator.op.url);
    return {
      scenario: 'episode-writes',
      sizes,
      targets: EPISODE_WRITES_TARGETS,
      setup: `${sizes.groups} groups over ${sizes.chats} supergroups (one channel each, resolved: Edit, Silence buttons), webhook posted straight to the operator; one notification per group at a time`,
      phases: results,
      total: { notifications, writes: total, perNotification: round(total / notifications, 3) },
      operatorMetrics: Object.fromEntries(
        Object.keys(metrics)
          .filter((k) => /episode/.test(k))
          .map((k) => [k, metricByLabels(metrics, k)]),
      ),
    };
  });
}
