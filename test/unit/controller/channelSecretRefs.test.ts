// The Secrets a channel references, as the Secret index and the Secret cache's pruning read them: every
// webhook source's opt-in field (spec.alertmanager, spec.grafana) is read the same way, so a Secret
// named by any of them wakes the channel and stays cached.
import type { TelegramChannel } from '../../../src/api/types.js';
import { channelSecretRefs } from '../../../src/controller/watches.js';

const channel = (spec: Record<string, unknown>): TelegramChannel => ({
  apiVersion: 'telegram.notify.dev/v1alpha1',
  kind: 'TelegramChannel',
  metadata: { name: 'oncall', namespace: 'team-a' },
  spec,
});

test("every source's tokenSecretRef and silence Secret, each once, in the channel's namespace", () => {
  const refs = channelSecretRefs(
    channel({
      tokenSecretRef: { name: 'bot' },
      chatIdSecretRef: { name: 'chat' },
      alertmanager: {
        tokenSecretRef: { name: 'am-webhook' },
        silence: { url: 'http://am:9093', authorizationSecretRef: { name: 'am-api' } },
      },
      grafana: {
        tokenSecretRef: { name: 'grafana-webhook' },
        silence: { url: 'http://grafana:3000', authorizationSecretRef: { name: 'bot' } },
      },
    }),
  );
  expect(refs.sort()).toEqual(['team-a/am-api', 'team-a/am-webhook', 'team-a/bot', 'team-a/chat', 'team-a/grafana-webhook']);
});

test('an invalid spec still yields the names it has; odd values are ignored', () => {
  expect(
    channelSecretRefs(channel({ grafana: { tokenSecretRef: { name: 'g' } }, routes: [{ tokenSecretRef: { name: 'x' } }], suspend: null })),
  ).toEqual(['team-a/g']);
  expect(channelSecretRefs(channel({ grafana: { tokenSecretRef: { name: 42 } } }))).toEqual([]);
});
