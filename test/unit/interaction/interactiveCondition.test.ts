// Interactive: UpdatesConflict wins over AlertmanagerUnreachable; the messages say what to do.
import { interactiveVerdict } from '../../../src/interaction/interactiveCondition.js';

const down = { ok: false as const, reason: 'AlertmanagerUnreachable' as const, message: 'cannot reach Alertmanager at am:9093' };
const up = { ok: true as const, host: 'am:9093' };

test('both wrong: UpdatesConflict wins', () => {
  const v = interactiveVerdict('@ops_bot', { kind: 'webhook', description: "can't use getUpdates method while webhook is active" }, down);
  expect(v.status).toBe('False');
  expect(v.reason).toBe('UpdatesConflict');
  expect(v.message).toMatch(/webhook is set.*delete it yourself \(Bot API deleteWebhook\).*dedicated bot.*never deletes a webhook/);
});

test('another poller: says to stop it or use a dedicated bot', () => {
  const v = interactiveVerdict('@ops_bot', { kind: 'poller', description: 'Conflict: terminated by other getUpdates request' }, up);
  expect(v.reason).toBe('UpdatesConflict');
  expect(v.message).toMatch(/another program is polling @ops_bot.*Stop that program, or use a dedicated bot/);
});

test('no conflict: Alertmanager decides', () => {
  expect(interactiveVerdict('@b', undefined, down)).toEqual({
    status: 'False',
    reason: 'AlertmanagerUnreachable',
    message: expect.stringContaining('cannot reach Alertmanager at am:9093'),
  });
  expect(interactiveVerdict('@b', undefined, up)).toEqual({
    status: 'True',
    reason: 'Verified',
    message: expect.stringContaining('am:9093'),
  });
});
