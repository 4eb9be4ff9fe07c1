// Interactive: UpdatesConflict wins over AlertmanagerUnreachable; the messages say what to do, and
// with buttons on both sources, which source's silences API is at fault.
import { interactiveVerdict, type SourceCheck } from '../../../src/interaction/interactiveCondition.js';

const down = { ok: false as const, reason: 'AlertmanagerUnreachable' as const, message: 'cannot reach Alertmanager at am:9093' };
const up = { ok: true as const, host: 'am:9093' };
const am = (check: SourceCheck['check']): SourceCheck[] => [{ api: 'Alertmanager', field: 'spec.alertmanager.silence', check }];

test('both wrong: UpdatesConflict wins', () => {
  const v = interactiveVerdict(
    '@ops_bot',
    { kind: 'webhook', description: "can't use getUpdates method while webhook is active" },
    am(down),
  );
  expect(v.status).toBe('False');
  expect(v.reason).toBe('UpdatesConflict');
  expect(v.message).toMatch(/webhook is set.*delete it yourself \(Bot API deleteWebhook\).*dedicated bot.*never deletes a webhook/);
});

test('another poller: says to stop it or use a dedicated bot', () => {
  const v = interactiveVerdict('@ops_bot', { kind: 'poller', description: 'Conflict: terminated by other getUpdates request' }, am(up));
  expect(v.reason).toBe('UpdatesConflict');
  expect(v.message).toMatch(/another program is polling @ops_bot.*Stop that program, or use a dedicated bot/);
});

test('no conflict: Alertmanager decides', () => {
  expect(interactiveVerdict('@b', undefined, am(down))).toEqual({
    status: 'False',
    reason: 'AlertmanagerUnreachable',
    message: 'cannot reach Alertmanager at am:9093; presses are answered with this reason',
  });
  expect(interactiveVerdict('@b', undefined, am(up))).toEqual({
    status: 'True',
    reason: 'Verified',
    message: 'button presses are received (getUpdates) and Alertmanager at am:9093 answers its silences API',
  });
});

test('both sources with buttons: True only when both answer; a failing one is named by its field', () => {
  const grafanaUp: SourceCheck = { api: 'Grafana', field: 'spec.grafana.silence', check: { ok: true, host: 'grafana:3000' } };
  const grafanaDown: SourceCheck = {
    api: 'Grafana',
    field: 'spec.grafana.silence',
    check: { ok: false, reason: 'AlertmanagerUnreachable', message: 'cannot reach Alertmanager at grafana:3000 to read its status' },
  };
  expect(interactiveVerdict('@b', undefined, [...am(up), grafanaUp]).message).toBe(
    'button presses are received (getUpdates) and Alertmanager at am:9093 and Grafana at grafana:3000 answer their silences API',
  );
  const v = interactiveVerdict('@b', undefined, [...am(up), grafanaDown]);
  expect(v).toMatchObject({ status: 'False', reason: 'AlertmanagerUnreachable' });
  expect(v.message).toMatch(/^spec\.grafana\.silence\.url: cannot reach Alertmanager at grafana:3000/);
  // A policy refusal names its field already: not twice.
  const refused: SourceCheck = {
    ...grafanaDown,
    check: { ok: false, reason: 'URLNotAllowed', message: 'spec.grafana.silence.url names grafana:3000, which …' },
  };
  expect(interactiveVerdict('@b', undefined, [...am(up), refused]).message).toMatch(/^spec\.grafana\.silence\.url names grafana:3000/);
});
