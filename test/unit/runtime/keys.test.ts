// One queue, two kinds: bot keys carry a prefix no channel key can have, and byKind routes them.
import { botKey, botNameOf, byKind } from '../../../src/runtime/keys.js';

test('a bot key is told from any channel key, including a namespace that looks like a kind', () => {
  expect(botKey('ops-bot')).toBe('ClusterTelegramBot:ops-bot');
  expect(botNameOf('ClusterTelegramBot:ops-bot')).toBe('ops-bot');
  expect(botNameOf('monitoring/ops')).toBeUndefined();
  expect(botNameOf('clustertelegrambot/ops-bot')).toBeUndefined(); // a namespace named so: a channel
});

test('byKind sends reconcile and forget to the reconciler of the key kind', async () => {
  const calls: string[] = [];
  const r = (kind: string) => ({
    reconcile: async (key: string) => (calls.push(`${kind} reconcile ${key}`), {}),
    forget: (key: string) => void calls.push(`${kind} forget ${key}`),
  });
  const routed = byKind({ channels: r('channel'), bots: r('bot') });
  await routed.reconcile('ns/a');
  await routed.reconcile(botKey('b'));
  routed.forget(botKey('b'));
  routed.forget('ns/a');
  expect(calls).toEqual([
    'channel reconcile ns/a',
    'bot reconcile ClusterTelegramBot:b',
    'bot forget ClusterTelegramBot:b',
    'channel forget ns/a',
  ]);
});
