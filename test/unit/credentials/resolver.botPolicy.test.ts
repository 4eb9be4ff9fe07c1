// What a ClusterTelegramBot confines, as the resolver applies it: a namespace the operator has not
// seen yet is neither allowed nor refused (Ready Unknown, judged when the namespace watch brings it),
// and spec.allowedChats keeps the bot's channels to the chats it lists (pure logic, fake Secrets).
import type { ClusterTelegramBot } from '../../../src/api/types.js';
import { parseSpec } from '../../../src/api/types.js';
import { ChannelResolver, type BotLookup } from '../../../src/credentials/resolver.js';

const TOKEN = '123456789:AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function bot(spec: Record<string, unknown>): ClusterTelegramBot {
  return {
    metadata: { name: 'ops-bot', generation: 1 },
    spec: { tokenSecretRef: { name: 'tg', namespace: 'telegram-system' }, ...spec },
    status: {
      bot: { id: 42, username: 'ops_bot' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'Verified', message: '', observedGeneration: 1, lastTransitionTime: '' }],
    },
  };
}

function resolver(b: ClusterTelegramBot, known: Record<string, Record<string, string>>) {
  const reads: string[] = [];
  const lookup: BotLookup = { getBot: () => b, namespaceLabels: (ns) => known[ns] };
  const r = new ChannelResolver(
    {
      read: async (ns, name, key) => {
        reads.push(`${ns}/${name}:${key}`);
        return { ok: true, value: TOKEN };
      },
    },
    lookup,
  );
  return { r, reads };
}

const channelSpec = (chatId = '-100123') => {
  const p = parseSpec({ botRef: { name: 'ops-bot' }, chatId });
  if (!p.ok) throw new Error(p.message);
  return p.spec;
};

test('an unknown namespace under a NotIn or DoesNotExist selector: Ready Unknown (waiting), no token read, nothing allowed', async () => {
  for (const matchExpressions of [
    [{ key: 'tier', operator: 'NotIn', values: ['restricted'] }],
    [{ key: 'restricted', operator: 'DoesNotExist' }],
  ]) {
    const { r, reads } = resolver(bot({ allowedNamespaces: { selector: { matchExpressions } } }), {});
    const res = await r.resolve('payments', channelSpec());
    expect(res).toEqual(
      expect.objectContaining({
        ok: false,
        failing: {
          status: 'Unknown',
          reason: 'BotNotAllowed',
          message: 'namespace payments is not known to the operator yet; ClusterTelegramBot "ops-bot" is checked again when it is',
        },
      }),
    );
    expect(reads).toEqual([]);
  }
});

test('once the namespace is known, it is judged on its labels', async () => {
  const b = bot({ allowedNamespaces: { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['restricted'] }] } } });
  expect((await resolver(b, { payments: {} }).r.resolve('payments', channelSpec())).ok).toBe(true);
  const refused = await resolver(b, { payments: { tier: 'restricted' } }).r.resolve('payments', channelSpec());
  expect(refused.ok || refused.failing).toEqual(expect.objectContaining({ status: 'False', reason: 'BotNotAllowed' }));
});

test('allowedChats: a chat the bot lists resolves; another is ChatNotAllowed on the chat side, so Ready is False', async () => {
  const b = bot({ allowedNamespaces: { names: ['payments'] }, allowedChats: ['-100123'] });
  const { r } = resolver(b, { payments: {} });
  expect((await r.resolve('payments', channelSpec('-100123'))).ok).toBe(true);
  const refused = await r.resolve('payments', channelSpec('-100999'));
  const chat = {
    status: 'False',
    reason: 'ChatNotAllowed',
    message:
      'chat -100999 is not in the spec.allowedChats of ClusterTelegramBot "ops-bot": use a chat it lists, or ask the platform team to add this one',
  };
  expect(refused).toEqual({ ok: false, failing: chat, token: undefined, chat });
});

test('allowedChats with a chat id from a Secret: the refusal names the Secret, never the value; an allowed one keeps its source', async () => {
  const b = bot({ allowedNamespaces: { names: ['payments'] }, allowedChats: ['-100123'] });
  const secretChat = (value: string) => {
    const lookup: BotLookup = { getBot: () => b, namespaceLabels: () => ({}) };
    return new ChannelResolver({ read: async (_ns, _name, key) => ({ ok: true, value: key === 'chatId' ? value : TOKEN }) }, lookup);
  };
  const p = parseSpec({ botRef: { name: 'ops-bot' }, chatIdSecretRef: { name: 'team-chat' } });
  if (!p.ok) throw new Error(p.message);

  const refused = await secretChat('4921').resolve('payments', p.spec);
  expect(refused.ok).toBe(false);
  expect(JSON.stringify(refused)).not.toContain('4921');
  expect(refused.ok || refused.failing.message).toMatch(
    /^the chat id in Secret payments\/team-chat key "chatId" is not in the spec.allowedChats/,
  );

  const allowed = await secretChat('-100123').resolve('payments', p.spec);
  expect(allowed.ok && allowed.channel.chatSource).toBe('Secret payments/team-chat key "chatId"');
});
