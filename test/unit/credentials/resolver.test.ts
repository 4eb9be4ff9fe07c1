// ChannelResolver: a channel's Secrets → its bot token and chat id, with a fake Secret source (pure
// logic; SecretReader's caching is tested in secrets.test.ts, the whole path in test/integration).
import type { ChannelSpec, ClusterTelegramBot } from '../../../src/api/types.js';
import { parseSpec } from '../../../src/api/types.js';
import { ChannelResolver, type BotLookup, type SecretSource } from '../../../src/credentials/resolver.js';
import { SecretUnavailable, type SecretValue } from '../../../src/credentials/secrets.js';

const TOKEN = '123456789:AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

/** Secrets by "namespace/name", each a map of key → value; anything else is not found. */
function fakeSecrets(store: Record<string, Record<string, string>>) {
  const reads: string[] = [];
  const source: SecretSource = {
    read: async (namespace, name, key): Promise<SecretValue> => {
      reads.push(`${namespace}/${name}:${key}`);
      const secret = store[`${namespace}/${name}`];
      if (!secret) return { ok: false, reason: 'SecretNotFound', message: `Secret ${namespace}/${name} not found` };
      const value = secret[key];
      if (value === undefined)
        return { ok: false, reason: 'SecretKeyNotFound', message: `Secret ${namespace}/${name} has no key "${key}"` };
      return { ok: true, value };
    },
  };
  return { source, reads, store };
}

function spec(raw: Record<string, unknown>): ChannelSpec {
  const parsed = parseSpec(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.spec;
}

test('token from its Secret and chat id from the spec, both trimmed; the spec comes back as given', async () => {
  const { source } = fakeSecrets({ 'ns/bot': { token: `  ${TOKEN}\n` } });
  const s = spec({ tokenSecretRef: { name: 'bot' }, chatId: ' -1001234 ', parseMode: 'HTML' });
  expect(await new ChannelResolver(source).resolve('ns', s)).toEqual({ ok: true, channel: { spec: s, token: TOKEN, chatId: '-1001234' } });
});

test('a chat id from a Secret, read in the channel namespace with the keys the spec names', async () => {
  const { source, reads } = fakeSecrets({ 'ns/bot': { t: TOKEN }, 'ns/ids': { chat: '@ops_alerts' } });
  const s = spec({ tokenSecretRef: { name: 'bot', key: 't' }, chatIdSecretRef: { name: 'ids', key: 'chat' } });
  const r = await new ChannelResolver(source).resolve('ns', s);
  expect(r.ok && r.channel.chatId).toBe('@ops_alerts');
  expect(reads.sort()).toEqual(['ns/bot:t', 'ns/ids:chat']);
});

test('a rotated token is what the next resolution returns (nothing kept beyond the Secret reader)', async () => {
  const { source, store } = fakeSecrets({ 'ns/bot': { token: TOKEN } });
  const resolver = new ChannelResolver(source);
  const s = spec({ tokenSecretRef: { name: 'bot' }, chatId: '-1001' });
  const rotated = '987654321:BBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  expect((await resolver.resolve('ns', s)).ok).toBe(true);
  store['ns/bot'] = { token: rotated };
  const r = await resolver.resolve('ns', s);
  expect(r.ok && r.channel.token).toBe(rotated);
});

test('a missing Secret: the token verdict carries its reason, and Ready takes it', async () => {
  const { source } = fakeSecrets({});
  const r = await new ChannelResolver(source).resolve('ns', spec({ tokenSecretRef: { name: 'bot' }, chatId: '-1001' }));
  const verdict = { status: 'False', reason: 'SecretNotFound', message: 'Secret ns/bot not found' };
  expect(r).toEqual({ ok: false, failing: verdict, token: verdict, chat: undefined });
});

test("both values wrong: both verdicts, and the token's is the failing one", async () => {
  const { source } = fakeSecrets({ 'ns/bot': { token: 'not a token' } });
  const r = await new ChannelResolver(source).resolve('ns', spec({ tokenSecretRef: { name: 'bot' }, chatId: 'ops' }));
  if (r.ok) throw new Error('expected a failure');
  expect([r.token?.reason, r.chat?.reason, r.failing.reason]).toEqual(['InvalidTokenFormat', 'InvalidChatId', 'InvalidTokenFormat']);
});

test('a bad chat id alone fails on the chat side; a missing chat id key is SecretKeyNotFound', async () => {
  const { source } = fakeSecrets({ 'ns/bot': { token: TOKEN }, 'ns/ids': {} });
  const resolver = new ChannelResolver(source);
  const bad = await resolver.resolve('ns', spec({ tokenSecretRef: { name: 'bot' }, chatId: '12345678901234567890' }));
  expect(bad.ok ? undefined : [bad.token, bad.failing.reason]).toEqual([undefined, 'InvalidChatId']);
  const noKey = await resolver.resolve('ns', spec({ tokenSecretRef: { name: 'bot' }, chatIdSecretRef: { name: 'ids', key: 'chat' } }));
  expect(noKey.ok ? undefined : noKey.failing.reason).toBe('SecretKeyNotFound');
});

test('an invalid value is never echoed in a verdict, only described', async () => {
  const secretLooking = 'hunter2-super-secret-db-password';
  const { source } = fakeSecrets({ 'ns/bot': { token: secretLooking }, 'ns/db': { password: secretLooking } });
  const r = await new ChannelResolver(source).resolve(
    'ns',
    spec({ tokenSecretRef: { name: 'bot' }, chatIdSecretRef: { name: 'db', key: 'password' } }),
  );
  expect(r.ok).toBe(false);
  expect(JSON.stringify(r)).not.toContain('hunter2');
});

test('a Secret that cannot be read now throws SecretUnavailable: a retry, not a verdict', async () => {
  const source: SecretSource = {
    read: async () => {
      throw new SecretUnavailable('reading Secret ns/bot: 503 the server is currently unable to handle the request');
    },
  };
  await expect(new ChannelResolver(source).resolve('ns', spec({ tokenSecretRef: { name: 'bot' }, chatId: '-1' }))).rejects.toBeInstanceOf(
    SecretUnavailable,
  );
});

describe('botRef: the token of a ClusterTelegramBot, for the namespaces it allows', () => {
  const readyBot = (extra: Partial<ClusterTelegramBot> = {}): ClusterTelegramBot => ({
    metadata: { name: 'ops-bot', generation: 2 },
    spec: {
      tokenSecretRef: { name: 'tg', namespace: 'telegram-system' },
      allowedNamespaces: { names: ['team-a'], selector: { matchLabels: { alerts: 'on' } } },
    },
    status: {
      bot: { id: 42, username: 'ops_bot' },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Verified', message: 'bot @ops_bot', observedGeneration: 2, lastTransitionTime: '' },
      ],
    },
    ...extra,
  });
  const lookup = (bot: ClusterTelegramBot | undefined, labels: Record<string, Record<string, string>> = {}): BotLookup => ({
    getBot: (name) => (bot && name === bot.metadata.name ? bot : undefined),
    namespaceLabels: (ns) => labels[ns] ?? {},
  });
  const s = () => spec({ botRef: { name: 'ops-bot' }, chatId: '-100123' });

  test('allowed by name or label and Ready: the token from the Secret in the bot namespace, and the verified bot', async () => {
    const { source, reads } = fakeSecrets({ 'telegram-system/tg': { token: TOKEN } });
    const r = new ChannelResolver(source, lookup(readyBot(), { 'team-b': { alerts: 'on' } }));
    for (const ns of ['team-a', 'team-b']) {
      expect(await r.resolve(ns, s())).toEqual({
        ok: true,
        channel: { spec: s(), token: TOKEN, chatId: '-100123', verifiedBot: { id: 42, username: 'ops_bot' } },
      });
    }
    expect(reads).toEqual(['telegram-system/tg:token', 'telegram-system/tg:token']);
  });

  test('BotNotFound, BotNotAllowed: nothing read from any Secret', async () => {
    const { source, reads } = fakeSecrets({ 'telegram-system/tg': { token: TOKEN } });
    const missing = await new ChannelResolver(source, lookup(undefined)).resolve('team-a', s());
    expect(missing).toEqual(
      expect.objectContaining({
        ok: false,
        failing: { status: 'False', reason: 'BotNotFound', message: 'ClusterTelegramBot "ops-bot" not found' },
      }),
    );
    const denied = await new ChannelResolver(source, lookup(readyBot(), { 'team-c': { alerts: 'off' } })).resolve('team-c', s());
    expect(denied).toEqual(
      expect.objectContaining({
        ok: false,
        failing: {
          status: 'False',
          reason: 'BotNotAllowed',
          message:
            'namespace team-c may not use ClusterTelegramBot "ops-bot": it allows namespaces team-a or namespaces labelled alerts=on',
        },
      }),
    );
    const off = await new ChannelResolver(source).resolve('team-a', s());
    expect(off.ok || off.failing.reason).toBe('BotNotFound');
    expect(reads).toEqual([]);
  });

  test("BotNotReady carries the bot's status and reason; waiting (Unknown) until the bot has verified this generation", async () => {
    const { source } = fakeSecrets({ 'telegram-system/tg': { token: TOKEN } });
    const failing = async (bot: ClusterTelegramBot) => {
      const res = await new ChannelResolver(source, lookup(bot)).resolve('team-a', s());
      if (res.ok) throw new Error('resolved');
      return res.failing;
    };
    const revoked = readyBot({
      status: {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'Unauthorized', message: 'getMe: 401', observedGeneration: 2, lastTransitionTime: '' },
        ],
      },
    });
    expect(await failing(revoked)).toEqual({
      status: 'False',
      reason: 'BotNotReady',
      message: 'ClusterTelegramBot "ops-bot" is not ready (Unauthorized): getMe: 401',
    });
    const waiting = { status: 'Unknown', reason: 'BotNotReady', message: 'waiting for ClusterTelegramBot "ops-bot" to verify its token' };
    expect(await failing(readyBot({ status: undefined }))).toEqual(waiting);
    expect(await failing({ ...readyBot(), metadata: { name: 'ops-bot', generation: 3 } })).toEqual(waiting);
  });

  test('a token that is no longer readable or valid although the bot is Ready: BotNotReady Unknown, the value not echoed', async () => {
    const gone = await new ChannelResolver(fakeSecrets({}).source, lookup(readyBot())).resolve('team-a', s());
    expect(gone).toEqual(
      expect.objectContaining({ ok: false, failing: expect.objectContaining({ status: 'Unknown', reason: 'BotNotReady' }) }),
    );
    const bad = await new ChannelResolver(fakeSecrets({ 'telegram-system/tg': { token: 'hunter2' } }).source, lookup(readyBot())).resolve(
      'team-a',
      s(),
    );
    expect(JSON.stringify(bad)).not.toContain('hunter2');
    expect(bad.ok || bad.failing.reason).toBe('BotNotReady');
  });
});
