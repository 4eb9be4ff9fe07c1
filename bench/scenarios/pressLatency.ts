// Button presses: `presses` firing notifications, each with Silence buttons, spread over
// `chats` supergroups (one channel each, spec.alertmanager.silence pointing at a REAL Alertmanager);
// then a chat administrator presses "Silence <first duration>" on each, one press every `intervalMs`
// (round-robin over the chats, so no chat's edits run into Telegram's per-group limit). Measured per
// press: press → answerCallbackQuery received by the emulator, and press → the silence created in
// Alertmanager (its updatedAt, stamped by Alertmanager when it stored the silence; same machine clock).
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import type { DeliveredMessage } from '../../test/emulator/server.js';
import { benchRun } from '../lib/benchRun.js';
import { startButtonChannels } from '../lib/buttonChannels.js';
import { sleep } from '../lib/kube.js';
import { groupPayload, requestsByMethod } from '../lib/lifecycle.js';
import { summarize, type LatencySummary } from '../lib/stats.js';

export interface PressLatencySizes {
  presses: number;
  chats: number;
  intervalMs: number;
  durations: string[];
}

export const PRESS_TARGETS = { answerP99Ms: 1000, silenceP99Ms: 1000 } as const;

export interface PressLatencyResult {
  scenario: 'press-latency';
  sizes: PressLatencySizes;
  targets: typeof PRESS_TARGETS;
  setup: string;
  presses: number;
  answered: number;
  /** Answers that said the silence was made ("Silenced for …"); the others, by text. */
  silencedAnswers: number;
  otherAnswers: Record<string, number>;
  silencesCreated: number;
  answerMs: LatencySummary;
  silenceMs: LatencySummary;
  /** Episode ConfigMap writes while the presses were handled, per press. */
  episodeWritesPerPress: number | null;
  telegram: { byMethod: Record<string, number>; rateLimited: number };
}

/**
 * The on-call team, pressing in turn: one person presses at most PRESS_LIMIT times per 10 s per bot
 * (the operator answers "too many presses" beyond), and a press every 500 ms is a team's pace.
 */
const ONCALL = Array.from({ length: 8 }, (_, i) => ({ id: 900001 + i, firstName: `On-call ${i}`, username: `bench_oncall_${i}` }));

export async function runPressLatency(kubeconfig: string, namespace: string, sizes: PressLatencySizes): Promise<PressLatencyResult> {
  return benchRun(kubeconfig, namespace, async (run) => {
    const theBot = bot(7400000021, 'press_bench_bot');
    const chats = Array.from({ length: sizes.chats }, (_, i) => supergroupId(5000000100 + i));
    const builder = new ScenarioBuilder().bot(theBot);
    for (const u of ONCALL) builder.user({ id: u.id, firstName: u.firstName, username: u.username });
    for (const [i, chat] of chats.entries()) {
      builder.supergroup(chat, `Press ${i}`, theBot.id);
      for (const u of ONCALL) builder.member(chat, u.id, 'administrator');
    }
    // Alertmanager here is only the silences API the buttons talk to: nothing routes through it.
    const { emulator, am, writes, postPerChannel } = await startButtonChannels(run, {
      scenario: builder.build(),
      bot: theBot,
      chats,
      prefix: 'press',
      alertmanagerSpec: (url) => ({ silence: { url, durations: sizes.durations } }),
    });

    // One firing group per press, round-robin over the channels; each channel's sequentially.
    const groups = Array.from({ length: sizes.presses }, (_, i) => ({
      i,
      chat: i % sizes.chats,
      alertname: `Press${String(i).padStart(3, '0')}`,
    }));
    await postPerChannel(
      groups,
      (g) =>
        groupPayload(`{}:{alertname="${g.alertname}"}`, [
          {
            status: 'firing',
            labels: { alertname: g.alertname, severity: 'page', instance: `node-${g.i}:9100` },
            annotations: { summary: `Press target ${g.i}` },
            startsAt: new Date().toISOString(),
          },
        ]),
      (g, r) => {
        if (r.status !== 200) throw new Error(`webhook for ${g.alertname} answered ${r.status}: ${r.body}`);
      },
    );
    const messageOf = (g: (typeof groups)[number]): DeliveredMessage | undefined =>
      emulator.chatView(chats[g.chat]!).find((m) => m.text.includes(g.alertname) && m.replyMarkup);
    const deadline = Date.now() + 120_000;
    while (groups.some((g) => !messageOf(g)) && Date.now() < deadline) await sleep(200);
    await sleep(2_000); // let the chats' send buckets refill a little before the edits the presses make

    // The presses, open loop: one every intervalMs whatever the previous one is doing.
    const pressFrom = Date.now();
    const pressed: { alertname: string; id: string; time: number }[] = [];
    for (const g of groups) {
      const m = messageOf(g);
      const button = m?.replyMarkup?.inline_keyboard
        .flat()
        .find((b) => b.callback_data?.startsWith('s:') && b.callback_data.endsWith(':0'));
      if (m && button?.callback_data) {
        const rec = emulator.pressButton(theBot.token, {
          chatId: chats[g.chat]!,
          messageId: m.messageId,
          userId: ONCALL[pressed.length % ONCALL.length]!.id,
          button: button.callback_data,
        });
        pressed.push({ alertname: g.alertname, id: rec.id, time: rec.time });
      }
      await sleep(sizes.intervalMs);
    }
    const answerOf = (id: string) => emulator.callbackQueries.find((q) => q.id === id)?.answer;
    const waitUntil = Date.now() + 30_000;
    while (pressed.some((p) => !answerOf(p.id)) && Date.now() < waitUntil) await sleep(100);
    await sleep(2_000);
    const pressTo = Date.now();

    const silences = await am.silences();
    const answerMs: number[] = [];
    const silenceMs: number[] = [];
    const otherAnswers: Record<string, number> = {};
    let silencedAnswers = 0;
    let silencesCreated = 0;
    for (const p of pressed) {
      const a = answerOf(p.id);
      if (a) {
        answerMs.push(a.time - p.time);
        if (a.text.startsWith('Silenced for')) silencedAnswers++;
        else otherAnswers[a.text] = (otherAnswers[a.text] ?? 0) + 1;
      }
      const s = silences.find((x) => x.matchers.some((mm) => mm.name === 'alertname' && mm.value === p.alertname));
      if (s) {
        silencesCreated++;
        silenceMs.push(Date.parse(s.updatedAt) - p.time);
      }
    }
    const tg = requestsByMethod(emulator.requests, theBot.token, pressFrom, pressTo);
    return {
      scenario: 'press-latency',
      sizes,
      targets: PRESS_TARGETS,
      setup: `${sizes.chats} supergroups, one channel each with spec.alertmanager.silence (durations ${sizes.durations.join(', ')}) on one bot; a real Alertmanager for the silences; emulator default limits; the presser is a chat administrator (getChatMember)`,
      presses: pressed.length,
      answered: answerMs.length,
      silencedAnswers,
      otherAnswers,
      silencesCreated,
      answerMs: summarize(answerMs),
      silenceMs: summarize(silenceMs),
      episodeWritesPerPress: pressed.length ? Math.round((writes.between(pressFrom, pressTo) / pressed.length) * 1000) / 1000 : null,
      telegram: { byMethod: tg.byMethod, rateLimited: tg.rateLimited },
    };
  });
}
