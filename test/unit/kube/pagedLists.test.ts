// The lists behind the channel and bot watches: every page is shaped into what the watch cache keeps
// as it arrives, so a list of 10,000 channels never holds 10,000 raw objects (managedFields, other
// tools' annotations) until its last page. A follower listing channels that all carry a status would
// pay for that the most: the raw list would be its start-up peak.
import type * as k8s from '@kubernetes/client-node';
import { listBots } from '../../../src/kube/bots.js';
import { LIST_PAGE_SIZE, listChannels } from '../../../src/kube/channels.js';
import { keepChannel } from '../../../src/controller/watches.js';

const raw = (name: string) => ({
  apiVersion: 'telegram.notify.dev/v1alpha1',
  kind: 'TelegramChannel',
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    generation: 1,
    resourceVersion: '5',
    managedFields: [{ manager: 'telegram-channel-operator', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': {} } }],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}' },
  },
  spec: { tokenSecretRef: { name: 'bot' }, chatId: '-1001' },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

/** A CustomObjectsApi that serves `pages` in order, recording what each call asked for and what the caller had shaped by then. */
function pagedApi(pages: unknown[][], shapedSoFar: () => number) {
  const calls: { limit?: number; continueToken?: string; shapedBefore: number }[] = [];
  const list = (params: { limit?: number; _continue?: string }) => {
    const i = calls.length;
    calls.push({ limit: params.limit, continueToken: params._continue, shapedBefore: shapedSoFar() });
    return Promise.resolve({
      items: pages[i],
      metadata: { resourceVersion: `rv-${i}`, continue: i + 1 < pages.length ? `page-${i + 1}` : '' },
    });
  };
  const api = { listNamespacedCustomObject: list, listClusterCustomObject: list } as unknown as k8s.CustomObjectsApi;
  return { api, calls };
}

test('channels: each page is shaped by keep before the next page is asked for; only kept objects are returned', async () => {
  let shaped = 0;
  const keep = (o: unknown) => {
    shaped++;
    return keepChannel(o);
  };
  const { api, calls } = pagedApi([[raw('a'), raw('b')], [raw('c')]], () => shaped);
  const result = await listChannels(api, 'ns', keep);
  expect(calls).toEqual([
    { limit: LIST_PAGE_SIZE, continueToken: undefined, shapedBefore: 0 },
    { limit: LIST_PAGE_SIZE, continueToken: 'page-1', shapedBefore: 2 },
  ]);
  expect(result.resourceVersion).toBe('rv-1');
  expect(result.items).toEqual(['a', 'b', 'c'].map((n) => keepChannel(raw(n))));
  expect(JSON.stringify(result.items)).not.toContain('managedFields');
  expect(JSON.stringify(result.items)).not.toContain('last-applied-configuration');
});

test('channels of every namespace: the cluster-wide list is paged and shaped the same way', async () => {
  const { api, calls } = pagedApi([[raw('a')], [raw('b')]], () => 0);
  const result = await listChannels(api, undefined, keepChannel);
  expect(calls.map((c) => c.continueToken)).toEqual([undefined, 'page-1']);
  expect(result.items).toEqual([keepChannel(raw('a')), keepChannel(raw('b'))]);
});

test('bots: each page is shaped by keep as it arrives', async () => {
  let shaped = 0;
  const keep = (o: unknown) => {
    shaped++;
    const m = (o as { metadata: { name: string } }).metadata;
    return { metadata: { name: m.name } };
  };
  const { api, calls } = pagedApi([[raw('bot-a')], [raw('bot-b')]], () => shaped);
  const result = await listBots(api, keep);
  expect(calls.map((c) => c.shapedBefore)).toEqual([0, 1]);
  expect(result.items).toEqual([{ metadata: { name: 'bot-a' } }, { metadata: { name: 'bot-b' } }]);
});
