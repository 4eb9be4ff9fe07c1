// What a replica enqueues on taking the lead: every bot, then every channel, so a botRef channel's
// first reconcile reads its bot's fresh status rather than judging it before the bot is looked at.
import type { ClusterTelegramBot, TelegramChannel } from '../../../src/api/types.js';
import { allKeys } from '../../../src/controller/watches.js';

test('every key in the cache, bots first', () => {
  const channel = (namespace: string, name: string): TelegramChannel => ({ metadata: { name, namespace }, spec: {} });
  const bot: ClusterTelegramBot = { metadata: { name: 'ops-bot' }, spec: {} };
  const cache = { listBots: () => [bot], listChannels: () => [channel('ns', 'a'), channel('team', 'b')] };
  expect([...allKeys(cache)]).toEqual(['ClusterTelegramBot:ops-bot', 'ns/a', 'team/b']);
  expect([...allKeys({ listBots: () => [], listChannels: () => [] })]).toEqual([]);
});
