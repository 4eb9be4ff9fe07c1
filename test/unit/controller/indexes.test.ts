// The watches' indexes (pure): which keys a Secret wakes, which channels a bot has, and that a key's
// old references are dropped when it changes or goes, so nothing stale is ever woken or kept.
import { BotRefIndex, ReferenceIndex } from '../../../src/controller/indexes.js';

test('a Secret wakes the keys that reference it; changing or dropping a key updates the reverse side', () => {
  const index = new ReferenceIndex();
  index.set('ns/a', ['ns/token', 'ns/chat']);
  index.set('ns/b', ['ns/token']);
  index.set('ClusterTelegramBot:ops', ['platform/tg']);
  expect([...index.keysOf('ns/token')].sort()).toEqual(['ns/a', 'ns/b']);
  expect(index.refs()).toEqual(new Set(['ns/token', 'ns/chat', 'platform/tg']));

  index.set('ns/a', ['ns/other']);
  expect([...index.keysOf('ns/token')]).toEqual(['ns/b']);
  expect([...index.keysOf('ns/chat')]).toEqual([]);
  index.set('ns/b', []);
  expect(index.refs()).toEqual(new Set(['ns/other', 'platform/tg']));
});

test('a bot knows its botRef channels; a channel moving to another bot, or going, leaves the old one', () => {
  const index = new BotRefIndex();
  expect(index.set('team/a', 'ops')).toBeUndefined();
  index.set('team/b', 'ops');
  expect([...index.channelsOf('ops')]).toEqual(['team/a', 'team/b']);

  expect(index.set('team/a', 'dev')).toBe('ops');
  expect([...index.channelsOf('ops')]).toEqual(['team/b']);
  expect([...index.entries()]).toEqual([
    ['team/b', 'ops'],
    ['team/a', 'dev'],
  ]);
  expect(index.set('team/b', undefined)).toBe('ops');
  expect([...index.channelsOf('ops')]).toEqual([]);
});
