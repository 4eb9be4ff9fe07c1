// The generated AlertmanagerConfig, field by field, and spec.alertmanager.config's validation.
import { desiredAlertmanagerConfig, isOwnedBy, webhookUrl } from '../../../src/alertmanagerConfig/desired.js';
import { parseSpec, type ChannelSpec, type TelegramChannel } from '../../../src/api/types.js';

const ch: TelegramChannel = {
  metadata: { name: 'oncall', namespace: 'team-a', uid: 'uid-1', generation: 1 },
  spec: {},
};
const base = { tokenSecretRef: { name: 'bot' }, chatId: '-1001' };

function spec(alertmanager: unknown): ChannelSpec {
  const r = parseSpec({ ...base, alertmanager });
  if (!r.ok) throw new Error(r.message);
  return r.spec;
}

test('one webhook receiver to the channel URL, the token Secret by reference, sendResolved, owned by the channel', () => {
  const am = spec({
    tokenSecretRef: { name: 'am-webhook' },
    config: {
      labels: { alertmanagerConfig: 'main' },
      route: {
        groupBy: ['alertname'],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '4h',
        matchers: [{ name: 'severity', value: 'critical' }],
      },
    },
  }).alertmanager!;
  const obj = desiredAlertmanagerConfig(ch, { ...am, config: am.config! }, 'http://tgc.telegram-system.svc:8080/');
  expect(obj).toEqual({
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: {
      name: 'oncall',
      namespace: 'team-a',
      labels: {
        alertmanagerConfig: 'main',
        'app.kubernetes.io/managed-by': 'telegram-channel-operator',
        'telegram.notify.dev/channel': 'oncall',
      },
      ownerReferences: [
        { apiVersion: 'telegram.notify.dev/v1alpha1', kind: 'TelegramChannel', name: 'oncall', uid: 'uid-1', controller: true },
      ],
    },
    spec: {
      route: {
        receiver: 'telegram',
        groupBy: ['alertname'],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '4h',
        matchers: [{ name: 'severity', value: 'critical', matchType: '=' }],
      },
      receivers: [
        {
          name: 'telegram',
          webhookConfigs: [
            {
              url: 'http://tgc.telegram-system.svc:8080/webhooks/alertmanager/team-a/oncall',
              sendResolved: true,
              httpConfig: { authorization: { type: 'Bearer', credentials: { name: 'am-webhook', key: 'token' } } },
            },
          ],
        },
      ],
    },
  });
});

test('an empty config routes everything of the namespace; unset route fields are left to Alertmanager', () => {
  const am = spec({ tokenSecretRef: { name: 'am-webhook', key: 'bearer' }, config: {} }).alertmanager!;
  const obj = desiredAlertmanagerConfig(ch, { ...am, config: am.config! }, 'https://x.example');
  expect(obj.spec.route).toEqual({ receiver: 'telegram' });
  expect(obj.metadata.labels).toEqual({
    'app.kubernetes.io/managed-by': 'telegram-channel-operator',
    'telegram.notify.dev/channel': 'oncall',
  });
  expect(JSON.stringify(obj)).toContain('"credentials":{"name":"am-webhook","key":"bearer"}');
});

test("the user's labels cannot take the operator's own two (the watch selects by them)", () => {
  const am = spec({
    tokenSecretRef: { name: 's' },
    config: { labels: { 'app.kubernetes.io/managed-by': 'argocd', 'telegram.notify.dev/channel': 'other', team: 'a' } },
  }).alertmanager!;
  const obj = desiredAlertmanagerConfig(ch, { ...am, config: am.config! }, 'http://x');
  expect(obj.metadata.labels).toEqual({
    team: 'a',
    'app.kubernetes.io/managed-by': 'telegram-channel-operator',
    'telegram.notify.dev/channel': 'oncall',
  });
});

test('webhookUrl joins with exactly one slash', () => {
  expect(webhookUrl('http://a:8080', 'ns', 'n')).toBe('http://a:8080/webhooks/alertmanager/ns/n');
  expect(webhookUrl('http://a:8080/p//', 'ns', 'n')).toBe('http://a:8080/p/webhooks/alertmanager/ns/n');
});

test('isOwnedBy: only a controller reference with the channel uid counts', () => {
  expect(isOwnedBy({ metadata: { ownerReferences: [{ uid: 'uid-1', controller: true }] } }, 'uid-1')).toBe(true);
  expect(isOwnedBy({ metadata: { ownerReferences: [{ uid: 'uid-1' }] } }, 'uid-1')).toBe(false);
  expect(isOwnedBy({ metadata: { ownerReferences: [{ uid: 'uid-2', controller: true }] } }, 'uid-1')).toBe(false);
  expect(isOwnedBy({ metadata: {} }, 'uid-1')).toBe(false);
});

test.each([
  [{ tokenSecretRef: { name: 's' }, config: { route: { matchers: [{ name: 'severity', value: 'x', matchType: '==' }] } } }, /matchType/],
  [
    { tokenSecretRef: { name: 's' }, config: { route: { matchers: [{ name: '', value: 'x' }] } } },
    /matchers\.0\.name: must be a label name/,
  ],
  [{ tokenSecretRef: { name: 's' }, config: { route: { matchers: [{ name: '1abc' }] } } }, /must be a label name/],
  [{ tokenSecretRef: { name: 's' }, config: { route: { groupWait: '5x' } } }, /groupWait: must be a duration such as 30s/],
  [{ tokenSecretRef: { name: 's' }, config: { route: { repeatInterval: '' } } }, /repeatInterval: must be a duration/],
  [{ tokenSecretRef: { name: 's' }, config: { route: { groupBy: ['a-b'] } } }, /groupBy\.0: must be a label name or "\.\.\."/],
  [{ config: {} }, /spec\.alertmanager\.tokenSecretRef/],
])('bad config %j is refused: %s', (alertmanager, message) => {
  const r = parseSpec({ ...base, alertmanager });
  expect(r.ok).toBe(false);
  expect(!r.ok && r.message).toMatch(message);
});

test('a channel name longer than a label value may be (63) is not put in a label: the object would be refused', () => {
  const long = 'a'.repeat(64);
  const am = spec({ tokenSecretRef: { name: 's' }, config: {} }).alertmanager!;
  const obj = desiredAlertmanagerConfig({ ...ch, metadata: { ...ch.metadata, name: long } }, { ...am, config: am.config! }, 'http://x');
  expect(obj.metadata.name).toBe(long);
  expect(obj.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'telegram-channel-operator' });
});
