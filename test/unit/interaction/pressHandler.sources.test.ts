// A press silences where its episode's alert came from: a Grafana alert's in Grafana (spec.grafana.silence),
// an Alertmanager alert's (and a record that names no source) in the channel's Alertmanager. With the
// source's settings removed, the press is refused naming that source's field, even if the other
// source still has buttons.
import type { AlertmanagerFor } from '../../../src/interaction/alertmanagerAccess.js';
import type { SilenceRequest } from '../../../src/interaction/alertmanagerApi.js';
import { PressHandler } from '../../../src/interaction/pressHandler.js';
import type { SilenceChannel } from '../../../src/interaction/silencePolicy.js';
import type { Episode } from '../../../src/lifecycle/episode.js';
import { createLogger } from '../../../src/observability/log.js';
import type { TelegramChannel } from '../../../src/api/types.js';
import { memoryEpisodeStore } from '../../harness/memoryEpisodeStore.js';
import { adminBot } from './pressFixtures.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ADMIN = { id: 11, username: 'olga_oncall', first_name: 'Olga' };
const AM = { url: 'http://am:9093', durations: ['1h', '24h'] };
const GRAFANA = { url: 'http://grafana.monitoring.svc:3000', durations: ['30m'] };

function episode(id: string, source: string | undefined, messageId: number): Episode {
  return {
    id,
    channel: { namespace: 'mon', name: 'ops', uid: 'uid-1' },
    groupKey: `{}:{alertname="${id}"}`,
    ...(source !== undefined ? { source } : {}),
    chatId: '-1001',
    messageIds: [messageId],
    commonLabels: { alertname: id },
    state: 'firing',
    updatedAt: '2025-03-01T11:00:00Z',
  };
}

function setup(spec: TelegramChannel['spec']) {
  const episodes = new Map<string, Episode>([
    ['epgrafana', episode('epgrafana', 'grafana', 40)],
    ['epalertmanager', episode('epalertmanager', 'alertmanager', 41)],
    ['epold', episode('epold', undefined, 42)],
  ]);
  const store = memoryEpisodeStore(episodes);
  const asked: SilenceChannel[] = [];
  const created: { via: string; silence: SilenceRequest }[] = [];
  const alertmanagerFor: AlertmanagerFor = async (c) => {
    asked.push(c);
    const api = {
      createSilence: async (silence: SilenceRequest) => (created.push({ via: c.silence.url, silence }), `sil-${created.length}`),
      expireSilence: async () => {},
    };
    return { ok: true, api: api as never };
  };
  const answers: string[] = [];
  const seen: string[] = [];
  const ch: TelegramChannel = { metadata: { namespace: 'mon', name: 'ops', uid: 'uid-1' }, spec };
  const bot = adminBot(NOW);
  const handler = new PressHandler({
    episodes: store,
    renderer: { refresh: async () => {} },
    getChannel: () => ch,
    botOf: () => 'bot-key',
    mayHoldEpisode: (_b, id) => id.startsWith('ep'),
    alertmanagerFor,
    answer: async (_t, _id, text) => void answers.push(text),
    alertmanagerSeen: (_k, source) => void seen.push(source),
    log: createLogger('silent'),
    now: () => NOW,
  });
  let n = 0;
  const press = async (data: string, messageId: number) => {
    await handler.handle(bot, {
      id: String(++n),
      from: ADMIN,
      data,
      message: { message_id: messageId, chat: { id: -1001, type: 'supergroup' } },
    });
    return answers.at(-1)!;
  };
  return { press, asked, created, seen, episodes };
}

const both = {
  tokenSecretRef: { name: 'bot' },
  chatId: '-1001',
  alertmanager: { tokenSecretRef: { name: 'am' }, silence: AM },
  grafana: { tokenSecretRef: { name: 'g' }, silence: GRAFANA },
};

test("a Grafana episode's press silences through spec.grafana.silence, with its durations; the answer names Grafana", async () => {
  const t = setup(both);
  expect(await t.press('s:epgrafana:0', 40)).toMatch(/^Silenced for 30m, until 2025-03-01 12:30 UTC\. Grafana holds back/);
  expect(t.asked).toEqual([expect.objectContaining({ namespace: 'mon', source: 'grafana', silence: expect.objectContaining(GRAFANA) })]);
  expect(t.created).toEqual([{ via: GRAFANA.url, silence: expect.objectContaining({ matchers: { alertname: 'epgrafana' } }) }]);
  expect(t.seen).toEqual(['grafana']);
  expect(t.episodes.get('epgrafana')!.silence?.id).toBe('sil-1');
});

test("an Alertmanager episode, and a record that names no source, silence in the channel's Alertmanager", async () => {
  const t = setup(both);
  expect(await t.press('s:epalertmanager:1', 41)).toMatch(/^Silenced for 24h, .*Alertmanager holds back/);
  expect(await t.press('s:epold:0', 42)).toMatch(/^Silenced for 1h, .*Alertmanager holds back/);
  expect(t.asked.map((c) => [c.source, c.silence.url])).toEqual([
    ['alertmanager', AM.url],
    ['alertmanager', AM.url],
  ]);
  expect(t.seen).toEqual(['alertmanager', 'alertmanager']);
});

test("spec.grafana.silence removed: a Grafana episode's press is refused naming that field, never silenced in Alertmanager", async () => {
  const t = setup({ ...both, grafana: { tokenSecretRef: { name: 'g' } } });
  expect(await t.press('s:epgrafana:0', 40)).toBe(
    'Buttons are turned off for this channel (spec.grafana.silence was removed): nothing was changed.',
  );
  expect(await t.press('a:epgrafana', 40)).toMatch(/spec\.grafana\.silence was removed/);
  expect(t.asked).toEqual([]);
  expect(t.created).toEqual([]);
  expect(t.episodes.get('epgrafana')!.ack).toBeUndefined();
  // The Alertmanager alerts of the channel keep their buttons.
  expect(await t.press('s:epalertmanager:0', 41)).toMatch(/^Silenced for 1h/);
});

test('spec.alertmanager.silence removed: an Alertmanager episode is refused naming spec.alertmanager.silence', async () => {
  const t = setup({ ...both, alertmanager: { tokenSecretRef: { name: 'am' } } });
  expect(await t.press('s:epold:0', 42)).toMatch(/\(spec\.alertmanager\.silence was removed\)/);
  expect(t.created).toEqual([]);
});

test('an episode of a source without buttons (a name the operator does not know) is refused, not silenced anywhere', async () => {
  const t = setup(both);
  t.episodes.set('epother', episode('epother', 'somethingelse', 43));
  expect(await t.press('s:epother:0', 43)).toMatch(/\(spec\.somethingelse\.silence was removed\)/);
  expect(t.created).toEqual([]);
});
