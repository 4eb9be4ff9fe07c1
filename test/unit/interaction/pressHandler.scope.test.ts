// A botRef channel's Silence press (fakes): the access it is given says which namespace its silences
// belong to; the press adds that matcher, refuses alerts of another namespace, and passes the
// policy's refusals (URLNotAllowed, CredentialsNotAllowed) on to the presser and to Interactive.
import type { Access } from '../../../src/interaction/alertmanagerAccess.js';
import type { SilenceRequest } from '../../../src/interaction/alertmanagerApi.js';
import { ANSWERS, PressHandler } from '../../../src/interaction/pressHandler.js';
import type { SilenceChannel } from '../../../src/interaction/silencePolicy.js';
import type { Episode } from '../../../src/lifecycle/episode.js';
import { createLogger } from '../../../src/observability/log.js';
import { memoryEpisodeStore } from '../../harness/memoryEpisodeStore.js';
import { adminBot, silencingChannel } from './pressFixtures.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ADMIN = { id: 11, username: 'olga_oncall', first_name: 'Olga' };

function setup(commonLabels: Record<string, string>, access: (api: unknown) => Access) {
  const episodes = new Map<string, Episode>([
    [
      'ep1',
      {
        id: 'ep1',
        channel: { namespace: 'team', name: 'ops', uid: 'uid-1' },
        groupKey: 'g',
        chatId: '-1001',
        messageIds: [40],
        commonLabels,
        state: 'firing',
        updatedAt: '2025-03-01T11:00:00Z',
      },
    ],
  ]);
  const store = memoryEpisodeStore(episodes);
  const created: SilenceRequest[] = [];
  const api = { createSilence: async (s: SilenceRequest) => (created.push(s), 'sil-1'), expireSilence: async () => {} };
  const asked: SilenceChannel[] = [];
  const answers: string[] = [];
  const seen: unknown[] = [];
  const ch = silencingChannel({ namespace: 'team', name: 'ops', uid: 'uid-1' }, { botRef: 'ops-bot' });
  const handler = new PressHandler({
    episodes: store,
    renderer: { refresh: async () => {} },
    getChannel: () => ch,
    // Every id is one of the bot's channels' here: what this file tests comes after that check.
    mayHoldEpisode: () => true,
    botOf: () => 'bot-key',
    alertmanagerFor: async (c) => (asked.push(c), access(api)),
    answer: async (_t, _id, text) => void answers.push(text),
    alertmanagerSeen: (_k, _source, c) => void seen.push(c),
    log: createLogger('silent'),
    now: () => NOW,
  });
  const bot = adminBot(NOW);
  const press = () =>
    handler.handle(bot, { id: '1', from: ADMIN, data: 's:ep1:0', message: { message_id: 40, chat: { id: -1001, type: 'supergroup' } } });
  return { press, created, asked, answers, seen };
}

const scoped = (api: unknown): Access => ({ ok: true, api: api as never, scope: { label: 'namespace', namespace: 'team' } });

test("the policy is asked with the channel's namespace and bot; the silence carries the namespace matcher", async () => {
  const t = setup({ alertname: 'DiskFull' }, scoped);
  await t.press();
  expect(t.asked).toEqual([expect.objectContaining({ namespace: 'team', botRef: 'ops-bot' })]);
  expect(t.created.map((s) => s.matchers)).toEqual([{ alertname: 'DiskFull', namespace: 'team' }]);
  expect(t.answers).toEqual([expect.stringMatching(/^Silenced for 1h/)]);
});

test('alerts labelled with another namespace: refused, no silence created', async () => {
  const t = setup({ alertname: 'DiskFull', namespace: 'payments' }, scoped);
  await t.press();
  expect(t.created).toEqual([]);
  expect(t.answers).toEqual([expect.stringMatching(/a channel silences its own namespace's alerts only\. Nothing was silenced\.$/)]);
});

test('a refusal of the policy is answered without the cluster details, and Interactive learns them', async () => {
  const refusal: Access = { ok: false, reason: 'URLNotAllowed', message: 'spec.alertmanager.silence.url names am:9093, which …' };
  const t = setup({ alertname: 'DiskFull' }, () => refusal);
  await t.press();
  expect(t.created).toEqual([]);
  expect(t.answers).toEqual([ANSWERS.noAccess]);
  expect(t.answers[0]).not.toContain('am:9093');
  expect(t.seen).toEqual([refusal]);
});
