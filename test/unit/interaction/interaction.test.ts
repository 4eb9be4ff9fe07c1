// The reconciler's one call: which channels carry Interactive, when Alertmanager is checked, and a
// bot's 409 waking its channels (fake pollers, a scripted Alertmanager, a fake clock).
import type { TelegramChannel } from '../../../src/api/types.js';
import { parseSpec } from '../../../src/api/types.js';
import { AlertmanagerError } from '../../../src/interaction/alertmanagerApi.js';
import { Interaction, type InteractionDeps } from '../../../src/interaction/interaction.js';
import { configMapNameOfId, newEpisodeId } from '../../../src/lifecycle/records.js';
import type { ConflictKind } from '../../../src/interaction/updatesPoller.js';
import { createLogger } from '../../../src/observability/log.js';

const TOKEN_A = '111:AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TOKEN_B = '222:BBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

/** What these tests do not look at: no Bot API, no secrets, no episodes, no channels, nothing queued. */
const QUIET = {
  telegram: {} as never,
  secrets: { read: async () => ({ ok: true, value: '' }) },
  episodes: { get: async () => undefined, update: async () => undefined },
  renderer: { refresh: async () => {} },
  getChannel: () => undefined,
  enqueue: () => {},
  log: createLogger('silent'),
} satisfies Partial<InteractionDeps>;

/** A channel `name` of namespace ns, in chat -1001; with `silence`, its Alertmanager's silences are at am:9093. */
function channel(name: string, silence: boolean, uid?: string): TelegramChannel {
  return {
    metadata: { namespace: 'ns', name, ...(uid !== undefined ? { uid } : {}) },
    spec: {
      tokenSecretRef: { name: 'bot' },
      chatId: '-1001',
      alertmanager: { tokenSecretRef: { name: 'am' }, ...(silence ? { silence: { url: 'http://am:9093' } } : {}) },
    },
  };
}

/** What the reconciler hands Interaction for a channel whose bot token is `token`. */
function resolved(ch: TelegramChannel, token: string) {
  const p = parseSpec(ch.spec);
  if (!p.ok) throw new Error(p.message);
  return { spec: p.spec, token, chatId: '-1001' };
}

/**
 * A leading Interaction for the one channel `ch` (bot TOKEN_A, Alertmanager answering), whose poller
 * hands back the update handler: the returned function delivers an update as getUpdates would.
 */
async function receivingUpdates(ch: TelegramChannel, deps: Partial<InteractionDeps>): Promise<(update: unknown) => Promise<void>> {
  let handle: ((u: never) => Promise<void>) | undefined;
  const interaction = new Interaction({
    ...QUIET,
    alertmanagerFor: async () => ({ ok: true, api: { status: async () => {} } as never }),
    makePoller: (_token, h) => {
      handle = h;
      return { start: () => {}, stop: async () => {} };
    },
    ...deps,
  });
  await interaction.condition(ch, resolved(ch, TOKEN_A), true);
  interaction.start();
  return (update) => handle!(update as never);
}

function setup() {
  let now = 0;
  let amUp = true;
  const statusCalls: string[] = [];
  const enqueued: string[] = [];
  const pollers = new Map<string, { started: boolean; stopped: boolean; report: (k: ConflictKind | undefined, d: string) => void }>();
  const interaction = new Interaction({
    ...QUIET,
    enqueue: (k) => enqueued.push(k),
    now: () => now,
    alertmanagerFor: async ({ silence: s }) => ({
      ok: true,
      api: {
        status: async () => {
          statusCalls.push(s.url);
          if (!amUp) throw new AlertmanagerError('Unreachable', 'cannot reach Alertmanager at am:9093 to read its status: ECONNREFUSED');
        },
      } as never,
    }),
    makePoller: (token, _handle, onConflict) => {
      const p = { started: false, stopped: false, report: onConflict };
      pollers.set(token, p);
      return { start: () => void (p.started = true), stop: async () => void (p.stopped = true) };
    },
  });
  return {
    interaction,
    channel,
    resolved,
    pollers,
    statusCalls,
    enqueued,
    advance: (ms: number) => (now += ms),
    setAm: (up: boolean) => (amUp = up),
  };
}

test('only channels with silence carry Interactive, and only their bots are polled, while leading', async () => {
  const t = setup();
  const plain = t.channel('plain', false);
  expect(await t.interaction.condition(plain, t.resolved(plain, TOKEN_B), true)).toBeUndefined();
  const buttons = t.channel('buttons', true);
  expect(await t.interaction.condition(buttons, t.resolved(buttons, TOKEN_A), true)).toMatchObject({ status: 'True', reason: 'Verified' });
  expect([...t.pollers.keys()]).toEqual([]); // not leading yet
  t.interaction.start();
  expect([...t.pollers.keys()]).toEqual([TOKEN_A]);
  expect(t.pollers.get(TOKEN_A)!.started).toBe(true);
  // The channel loses its silence: its bot's poll stops.
  expect(await t.interaction.condition(t.channel('buttons', false), t.resolved(plain, TOKEN_A), false)).toBeUndefined();
  expect(t.pollers.get(TOKEN_A)!.stopped).toBe(true);
});

test('Alertmanager is checked when the channel is verified, not on every reconcile; an unreachable one again after 30 s', async () => {
  const t = setup();
  const ch = t.channel('buttons', true);
  await t.interaction.condition(ch, t.resolved(ch, TOKEN_A), true);
  await t.interaction.condition(ch, t.resolved(ch, TOKEN_A), false);
  expect(t.statusCalls).toHaveLength(1);
  t.setAm(false);
  expect(await t.interaction.condition(ch, t.resolved(ch, TOKEN_A), true)).toMatchObject({
    status: 'False',
    reason: 'AlertmanagerUnreachable',
  });
  t.setAm(true);
  t.advance(29_000);
  expect((await t.interaction.condition(ch, t.resolved(ch, TOKEN_A), false))?.reason).toBe('AlertmanagerUnreachable');
  t.advance(1_000);
  expect((await t.interaction.condition(ch, t.resolved(ch, TOKEN_A), false))?.reason).toBe('Verified');
  expect(t.statusCalls).toHaveLength(3);
});

test("a bot's 409 wakes every channel of that bot, and UpdatesConflict wins over AlertmanagerUnreachable", async () => {
  const t = setup();
  const a1 = t.channel('a1', true);
  const a2 = t.channel('a2', true);
  const b = t.channel('b', true);
  t.interaction.start();
  t.setAm(false);
  for (const [ch, tok] of [
    [a1, TOKEN_A],
    [a2, TOKEN_A],
    [b, TOKEN_B],
  ] as const)
    await t.interaction.condition(ch, t.resolved(ch, tok), true);
  t.pollers.get(TOKEN_A)!.report('webhook', "Conflict: can't use getUpdates method while webhook is active");
  expect(t.enqueued.sort()).toEqual(['ns/a1', 'ns/a2']);
  expect(await t.interaction.condition(a1, t.resolved(a1, TOKEN_A), false)).toMatchObject({ status: 'False', reason: 'UpdatesConflict' });
  expect((await t.interaction.condition(b, t.resolved(b, TOKEN_B), false))?.reason).toBe('AlertmanagerUnreachable');
  t.pollers.get(TOKEN_A)!.report(undefined, '');
  expect(t.enqueued).toHaveLength(4);
  expect((await t.interaction.condition(a2, t.resolved(a2, TOKEN_A), false))?.reason).toBe('AlertmanagerUnreachable');
});

test('presses are answered through the answer given, not straight to the Bot API', async () => {
  const answered: [string, string, string][] = [];
  const deliver = await receivingUpdates(channel('buttons', true), {
    telegram: { answerCallbackQuery: () => Promise.reject(new Error('called the Bot API directly')) } as never,
    answer: async (token, id, text) => void answered.push([token, id, text]),
  });
  await deliver({ update_id: 1, callback_query: { id: 'q1', from: { id: 7 }, data: 'garbage' } });
  expect(answered).toEqual([[TOKEN_A, 'q1', expect.stringMatching(/^Unknown button/)]]);
});

test("an episode id is read only when its ConfigMap is one of the bot's channels': a forged one costs no API read", async () => {
  const reads: string[] = [];
  const answered: string[] = [];
  const ch = channel('buttons', true, '6f1c2d3e-0000-4000-8000-000000000001');
  const deliver = await receivingUpdates(ch, {
    episodes: { get: async (id) => void reads.push(id), update: async () => undefined },
    getChannel: (ns, name) => (ns === 'ns' && name === 'buttons' ? ch : undefined),
    answer: async (_t, _id, text) => void answered.push(text),
  });
  const ours = newEpisodeId(ch.metadata.uid!, () => false);
  const forged = ['a'.repeat(16), 'b'.repeat(16), `${ours.slice(0, 11)}z${ours.slice(12)}`].filter(
    (id) => configMapNameOfId(id) !== configMapNameOfId(ours),
  );
  let n = 0;
  const press = (id: string) =>
    deliver({
      update_id: ++n,
      callback_query: {
        id: `q${n}`,
        from: { id: 7 + n },
        data: `a:${id}`,
        message: { message_id: 1, chat: { id: -1001, type: 'supergroup' } },
      },
    });
  for (const id of forged) await press(id);
  expect(reads).toEqual([]);
  expect(answered).toHaveLength(forged.length);
  await press(ours);
  expect(reads).toEqual([ours]);
});

test('spec.grafana.silence alone carries Interactive and polls the bot; with both sources, each API is checked on its own', async () => {
  const t = setup();
  const grafanaOnly: TelegramChannel = {
    metadata: { namespace: 'ns', name: 'dash' },
    spec: {
      tokenSecretRef: { name: 'bot' },
      chatId: '-1001',
      grafana: { tokenSecretRef: { name: 'g' }, silence: { url: 'http://grafana:3000' } },
    },
  };
  t.interaction.start();
  expect(await t.interaction.condition(grafanaOnly, t.resolved(grafanaOnly, TOKEN_A), true)).toEqual({
    status: 'True',
    reason: 'Verified',
    message: 'button presses are received (getUpdates) and Grafana at grafana:3000 answers its silences API',
  });
  expect([...t.pollers.keys()]).toEqual([TOKEN_A]);
  const spec = (grafanaSilence: boolean): TelegramChannel => ({
    metadata: { namespace: 'ns', name: 'dash' },
    spec: {
      tokenSecretRef: { name: 'bot' },
      chatId: '-1001',
      alertmanager: { tokenSecretRef: { name: 'am' }, silence: { url: 'http://am:9093' } },
      grafana: { tokenSecretRef: { name: 'g' }, ...(grafanaSilence ? { silence: { url: 'http://grafana:3000' } } : {}) },
    },
  });
  const both = spec(true);
  t.statusCalls.length = 0;
  const v = await t.interaction.condition(both, t.resolved(both, TOKEN_A), true);
  expect(t.statusCalls).toEqual(['http://am:9093', 'http://grafana:3000']);
  expect(v?.message).toMatch(/Alertmanager at am:9093 and Grafana at grafana:3000 answer their silences API/);
  t.setAm(false);
  const down = await t.interaction.condition(both, t.resolved(both, TOKEN_A), true);
  // Both fail here: the first source (Alertmanager) decides, in its own words.
  expect(down).toMatchObject({ status: 'False', reason: 'AlertmanagerUnreachable' });
  expect(down?.message).toMatch(/^cannot reach Alertmanager at am:9093/);
  // Grafana's buttons removed: the channel keeps Interactive for its Alertmanager's only.
  t.setAm(true);
  const amOnly = spec(false);
  t.statusCalls.length = 0;
  expect((await t.interaction.condition(amOnly, t.resolved(amOnly, TOKEN_A), true))?.message).toMatch(
    /Alertmanager at am:9093 answers its/,
  );
  expect(t.statusCalls).toEqual(['http://am:9093']);
});
