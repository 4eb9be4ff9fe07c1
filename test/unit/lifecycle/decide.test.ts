// The episode table: firing / resolved / repeat × Edit / Reply / Send × episode unknown / known /
// resolved, and what a failed edit turns into.
import { partsPlan, planNotification, resendInstead, type NotificationFacts } from '../../../src/lifecycle/decide.js';

const firing = { state: 'firing' as const, messageIds: [10, 11] };
const resolved = { state: 'resolved' as const, messageIds: [10] };
const plan = (f: Partial<NotificationFacts>) => planNotification({ mode: 'Edit', status: 'firing', buttons: true, ...f });
/** Edit every part of the firing episode's message in place. */
const editAll = (keyboard: boolean, state: 'firing' | 'resolved') => ({
  kind: 'edit',
  messageIds: [10, 11],
  keyboard,
  state,
  remember: 'episodeMessage',
});

/** Send a new message; `more`: the message it replies to, the one whose buttons it takes away. */
const send = (
  keyboard: boolean,
  state: 'firing' | 'resolved',
  remember: string,
  more: { replyTo?: number; stripKeyboardOf?: number } = {},
) => ({ kind: 'send', keyboard, state, remember, ...more });

describe('Edit', () => {
  test('first firing sends a new message with buttons and starts an episode', () => {
    expect(plan({})).toEqual(send(true, 'firing', 'newEpisode'));
    expect(plan({ buttons: false })).toEqual(send(false, 'firing', 'newEpisode'));
  });
  test('a repeat or a changed group edits every part in place, buttons kept', () => {
    expect(plan({ episode: firing })).toEqual(editAll(true, 'firing'));
  });
  test('resolved edits the firing message and removes the buttons', () => {
    expect(plan({ status: 'resolved', episode: firing })).toEqual(editAll(false, 'resolved'));
  });
  test('a group that fires again after resolving starts a new message', () => {
    expect(plan({ episode: resolved })).toEqual(send(true, 'firing', 'newEpisode'));
  });
  test('a resolved notification for a resolved episode (Alertmanager retrying) edits again instead of sending twice', () => {
    expect(plan({ status: 'resolved', episode: resolved })).toMatchObject({ kind: 'edit', messageIds: [10], state: 'resolved' });
  });
  test('resolved with no episode known is sent, and remembered for its retry', () => {
    expect(plan({ status: 'resolved' })).toEqual(send(false, 'resolved', 'newEpisode'));
  });
  test('an episode without messages is treated as unknown', () => {
    expect(plan({ episode: { state: 'firing', messageIds: [] } })).toMatchObject({ kind: 'send', remember: 'newEpisode' });
  });
});

describe('Reply', () => {
  test('first firing sends with buttons and starts an episode', () => {
    expect(plan({ mode: 'Reply' })).toEqual(send(true, 'firing', 'newEpisode'));
  });
  test('a repeat replies to the first message, without buttons, and writes nothing new', () => {
    expect(plan({ mode: 'Reply', episode: firing })).toEqual(send(false, 'firing', 'episodeState', { replyTo: 10 }));
  });
  test('resolved replies to the first message and takes its buttons away', () => {
    expect(plan({ mode: 'Reply', status: 'resolved', episode: firing })).toEqual(
      send(false, 'resolved', 'episodeState', { replyTo: 10, stripKeyboardOf: 10 }),
    );
  });
  test('resolved without a known episode is a plain new message; nothing remembered', () => {
    expect(plan({ mode: 'Reply', status: 'resolved' })).toEqual(send(false, 'resolved', 'nothing'));
  });
  test('without buttons there is nothing to strip', () => {
    expect(plan({ mode: 'Reply', status: 'resolved', episode: firing, buttons: false })).not.toHaveProperty('stripKeyboardOf');
  });
});

describe('Send', () => {
  test('every notification is a new message; without buttons nothing is remembered', () => {
    expect(plan({ mode: 'Send', buttons: false })).toEqual(send(false, 'firing', 'nothing'));
    expect(plan({ mode: 'Send', buttons: false, status: 'resolved' })).toEqual(send(false, 'resolved', 'nothing'));
  });
  test('with buttons the first firing message is remembered for the presses; a repeat is a new plain message', () => {
    expect(plan({ mode: 'Send' })).toEqual(send(true, 'firing', 'newEpisode'));
    expect(plan({ mode: 'Send', episode: firing })).toEqual(send(false, 'firing', 'episodeState'));
  });
  test('resolved is a new message (no reply) and the first message loses its buttons', () => {
    expect(plan({ mode: 'Send', status: 'resolved', episode: firing })).toEqual(
      send(false, 'resolved', 'episodeState', { stripKeyboardOf: 10 }),
    );
  });
});

describe('an edit that cannot be made (the message is gone or too old)', () => {
  test('a resolved edit becomes a new message of the same episode, without buttons', () => {
    const edit = planNotification({ mode: 'Edit', status: 'resolved', buttons: true, episode: firing });
    if (edit.kind !== 'edit') throw new Error('expected an edit');
    expect(resendInstead(edit)).toEqual(send(false, 'resolved', 'episodeMessage'));
  });
  test('a firing edit keeps its buttons on the new message', () => {
    const firingEdit = planNotification({ mode: 'Edit', status: 'firing', buttons: true, episode: firing });
    if (firingEdit.kind !== 'edit') throw new Error('expected an edit');
    expect(resendInstead(firingEdit)).toMatchObject({ kind: 'send', keyboard: true });
  });
});

test('parts: common ones edited, old extra ones deleted, new extra ones sent', () => {
  expect(partsPlan([1, 2, 3], 1)).toEqual({ edit: [1], remove: [2, 3], sendFrom: 1 });
  expect(partsPlan([1], 3)).toEqual({ edit: [1], remove: [], sendFrom: 1 });
  expect(partsPlan([1, 2], 2)).toEqual({ edit: [1, 2], remove: [], sendFrom: 2 });
});
