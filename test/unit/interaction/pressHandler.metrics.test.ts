// Every press is counted once by its action, whatever its outcome, and every call to Alertmanager's
// silences API by operation and result; the counts reach the metrics main.ts wires them to.
import { AlertmanagerError } from '../../../src/interaction/alertmanagerApi.js';
import { ANSWERS, PressHandler, type PressDeps } from '../../../src/interaction/pressHandler.js';
import type { Episode } from '../../../src/lifecycle/episode.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { memoryEpisodeStore } from '../../harness/memoryEpisodeStore.js';
import { adminBot, silencingChannel } from './pressFixtures.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ADMIN = { id: 11, first_name: 'Olga' };
const MESSAGE = { message_id: 40, chat: { id: -1001, type: 'supergroup', title: 'Ops' } };

async function lines(metrics: ReturnType<typeof createMetrics>, name: string): Promise<string[]> {
  return (await metrics.registry.getSingleMetricAsString(name))
    .split('\n')
    .filter((l) => l.startsWith(name))
    .sort();
}

function setup(alertmanager: { createSilence: () => Promise<string>; expireSilence: () => Promise<void> }, episodes: Map<string, Episode>) {
  const metrics = createMetrics();
  const answers: string[] = [];
  const ch = silencingChannel({ namespace: 'mon', name: 'ops', uid: 'uid-1' }, { allowed: 'Administrators' });
  const deps: PressDeps = {
    episodes: memoryEpisodeStore(episodes),
    renderer: { refresh: async () => undefined },
    getChannel: () => ch,
    // Every id is one of the bot's channels' here: what this file tests comes after that check.
    mayHoldEpisode: () => true,
    botOf: () => 'bot-key',
    alertmanagerFor: async () => ({ ok: true, api: alertmanager as never }),
    answer: async (_t, _id, text) => void answers.push(text),
    pressed: (action) => metrics.buttonPresses.inc({ action }),
    silenceCall: (operation, result) => metrics.silences.inc({ operation, result }),
    log: createLogger('silent'),
    now: () => NOW,
  };
  const handler = new PressHandler(deps);
  const bot = adminBot(NOW);
  let n = 0;
  const press = (data: string) => handler.handle(bot, { id: String(++n), from: ADMIN, data, message: MESSAGE });
  return { metrics, answers, press };
}

const episode = (): Episode => ({
  id: 'ep1',
  channel: { namespace: 'mon', name: 'ops', uid: 'uid-1' },
  groupKey: '{}:{alertname="DiskFull"}',
  chatId: '-1001',
  messageIds: [40],
  commonLabels: { alertname: 'DiskFull' },
  state: 'firing',
  updatedAt: '2026-03-01T11:00:00Z',
});

test('presses are counted by action: silence, unsilence, ack, unknown', async () => {
  const t = setup({ createSilence: async () => 'unused', expireSilence: async () => undefined }, new Map());
  for (const data of ['s:ep1:0', 's:ep2:1', 'u:ep1', 'a:ep1', 'nonsense']) await t.press(data);
  expect(t.answers).toEqual([ANSWERS.gone, ANSWERS.gone, ANSWERS.gone, ANSWERS.gone, ANSWERS.unknown]);
  expect(await lines(t.metrics, 'telegram_operator_button_presses_total')).toEqual([
    'telegram_operator_button_presses_total{action="ack"} 1',
    'telegram_operator_button_presses_total{action="silence"} 2',
    'telegram_operator_button_presses_total{action="unknown"} 1',
    'telegram_operator_button_presses_total{action="unsilence"} 1',
  ]);
  // Nothing reached Alertmanager.
  expect(await lines(t.metrics, 'telegram_operator_silences_total')).toEqual([]);
});

test('silence calls are counted by operation and result: created, expired, refused, already gone', async () => {
  let createFails = false;
  let expireGone = false;
  const t = setup(
    {
      createSilence: async () => {
        if (createFails) throw new AlertmanagerError('Unreachable', 'cannot reach Alertmanager at am:9093: ECONNREFUSED');
        return 'sil-1';
      },
      expireSilence: async () => {
        if (expireGone) throw new AlertmanagerError('NotFound', 'silence sil-1 not found');
      },
    },
    new Map([['ep1', episode()]]),
  );
  await t.press('s:ep1:0'); // created
  await t.press('u:ep1'); // expired
  createFails = true;
  await t.press('s:ep1:0'); // Alertmanager unreachable
  createFails = false;
  await t.press('s:ep1:0'); // created again
  expireGone = true;
  await t.press('u:ep1'); // expired already in Alertmanager
  expect(t.answers[2]).toMatch(/^Alertmanager unreachable/);
  expect(await lines(t.metrics, 'telegram_operator_silences_total')).toEqual([
    'telegram_operator_silences_total{operation="create",result="failed"} 1',
    'telegram_operator_silences_total{operation="create",result="ok"} 2',
    'telegram_operator_silences_total{operation="expire",result="not_found"} 1',
    'telegram_operator_silences_total{operation="expire",result="ok"} 1',
  ]);
});
