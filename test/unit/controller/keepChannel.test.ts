// What the watch cache keeps of a channel: what the operator reads, nothing that only costs memory.
import { keepChannel } from '../../../src/controller/watches.js';

const applied = {
  apiVersion: 'telegram.notify.dev/v1alpha1',
  kind: 'TelegramChannel',
  metadata: {
    name: 'ops',
    namespace: 'monitoring',
    uid: 'u-1',
    generation: 3,
    resourceVersion: '42',
    creationTimestamp: '2026-11-26T10:00:00Z',
    labels: { team: 'sre' },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec: { chatId: '-100123' } }),
      'argocd.argoproj.io/tracking-id': 'app:telegram.notify.dev/TelegramChannel:monitoring/ops',
      'telegram.notify.dev/alert': 'disk full',
      'telegram.notify.dev/alert-id': '7',
    },
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  spec: { tokenSecretRef: { name: 'bot' }, chatId: '-100123' },
  status: { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'True' }] },
};

test("keeps identity, version, the operator's annotations, spec and status", () => {
  const kept = keepChannel(structuredClone(applied));
  const { name, namespace, uid, generation, resourceVersion } = applied.metadata;
  expect(kept).toEqual({
    apiVersion: applied.apiVersion,
    kind: applied.kind,
    metadata: {
      ...{ name, namespace, uid, generation, resourceVersion },
      annotations: { 'telegram.notify.dev/alert': 'disk full', 'telegram.notify.dev/alert-id': '7' },
    },
    spec: applied.spec,
    status: applied.status,
  });
});

test('a channel being deleted keeps its deletionTimestamp; one without our annotations has none', () => {
  const deleting = structuredClone(applied) as typeof applied & { metadata: { deletionTimestamp?: string } };
  deleting.metadata.deletionTimestamp = '2026-11-26T11:00:00Z';
  deleting.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } as typeof applied.metadata.annotations;
  const kept = keepChannel(deleting);
  expect(kept.metadata.deletionTimestamp).toBe('2026-11-26T11:00:00Z');
  expect(kept.metadata.annotations).toBeUndefined();
});
