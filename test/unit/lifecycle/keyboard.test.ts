// The buttons under a firing notification and their callback data (Telegram's 64-byte limit).
import { CALLBACK_DATA_MAX_BYTES, callbackData, episodeKeyboard, parseCallbackData } from '../../../src/lifecycle/keyboard.js';

const id = 'abcdefghijkl2345';
const labels = (k: ReturnType<typeof episodeKeyboard>) => k?.inline_keyboard.map((row) => row.map((b) => b.text));
const datas = (k: ReturnType<typeof episodeKeyboard>) => k?.inline_keyboard.flat().map((b) => b.callback_data);

test('a firing episode: one Silence button per duration, then Ack', () => {
  const k = episodeKeyboard({ id, state: 'firing' }, ['1h', '24h', '7d', '30d']);
  expect(labels(k)).toEqual([['🔕 Silence 1h', '🔕 Silence 24h', '🔕 Silence 7d', '🔕 Silence 30d'], ['✋ Ack']]);
  expect(datas(k)).toEqual([`s:${id}:0`, `s:${id}:1`, `s:${id}:2`, `s:${id}:3`, `a:${id}`]);
});

test('silenced: Unsilence instead of the Silence buttons; acked: no Ack', () => {
  const silenced = episodeKeyboard({ id, state: 'firing', silence: { id: 's1', endsAt: 'x', by: 'telegram:@olga' } }, ['1h']);
  expect(labels(silenced)).toEqual([['🔔 Unsilence'], ['✋ Ack']]);
  expect(datas(silenced)).toEqual([`u:${id}`, `a:${id}`]);
  const acked = episodeKeyboard({ id, state: 'firing', ack: { by: 'telegram:1', at: 'x' } }, ['1h']);
  expect(labels(acked)).toEqual([['🔕 Silence 1h']]);
});

test('a resolved episode has no buttons', () => {
  expect(episodeKeyboard({ id, state: 'resolved' }, ['1h'])).toBeUndefined();
});

test('callback data stays within 64 bytes and round-trips', () => {
  for (const action of [
    { kind: 'silence' as const, episodeId: id, durationIndex: 3 },
    { kind: 'unsilence' as const, episodeId: id },
    { kind: 'ack' as const, episodeId: id },
  ]) {
    const data = callbackData(action);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(parseCallbackData(data)).toEqual(action);
  }
});

test('an id that is not URL-safe or longer than 16 characters is refused, never sent', () => {
  expect(() => callbackData({ kind: 'ack', episodeId: 'x'.repeat(17) })).toThrow(/invalid episode id/);
  expect(() => callbackData({ kind: 'ack', episodeId: 'a:b' })).toThrow(/invalid episode id/);
  expect(() => callbackData({ kind: 'silence', episodeId: id, durationIndex: 10 })).toThrow(/invalid duration index/);
});

test('forged or foreign callback data names nothing', () => {
  for (const data of ['', 's:', `s:${id}`, `a:${id}:1`, `x:${id}`, `s:${id}:a`, `a:${'x'.repeat(17)}`, 'ä'.repeat(40), `u:${id} `]) {
    expect(parseCallbackData(data)).toBeUndefined();
  }
});
