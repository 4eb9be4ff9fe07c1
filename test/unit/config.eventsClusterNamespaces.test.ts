import { loadConfig } from '../../src/config.js';

test("EVENTS_CLUSTER_NAMESPACES defaults to the operator's own namespace; set, it replaces it; a bad name stops start-up", () => {
  expect(loadConfig({ POD_NAMESPACE: 'telegram-system' }).eventsClusterNamespaces).toEqual(['telegram-system']);
  expect(loadConfig({}).eventsClusterNamespaces).toEqual([]);
  expect(loadConfig({ POD_NAMESPACE: 'telegram-system', EVENTS_CLUSTER_NAMESPACES: 'platform, sre' }).eventsClusterNamespaces).toEqual([
    'platform',
    'sre',
  ]);
  expect(() => loadConfig({ EVENTS_CLUSTER_NAMESPACES: 'Not_A_Namespace' })).toThrow(/EVENTS_CLUSTER_NAMESPACES/);
});
