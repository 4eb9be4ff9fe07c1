// The watches of Warning events with a scripted list and watch (no API server): each scope's state
// (starting → watching, or forbidden on a 403 list), only Warning events handed on, scopes started and
// stopped as asked. Against the real API server: test/integration/kubernetes-events.test.ts.
import * as k8s from '@kubernetes/client-node';
import { EventWatches, type ScopeState } from '../../../src/events/eventWatches.js';
import type { WarningEvent } from '../../../src/events/warningEvent.js';
import type { ListResult } from '../../../src/kube/objects.js';
import type { WatchSource } from '../../../src/runtime/resourceWatcher.js';
import { createLogger } from '../../../src/observability/log.js';

const raw = (name: string, type: string) => ({
  metadata: { name, namespace: 'team-a', resourceVersion: '5' },
  type,
  reason: 'BackOff',
  note: 'n',
  regarding: { kind: 'Pod', name: 'web-1', namespace: 'team-a', uid: 'u' },
  eventTime: '2026-12-07T06:00:00.000000Z',
});

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

function setup(list: (scope: string) => Promise<ListResult<unknown>>) {
  const paths: string[] = [];
  const aborted: string[] = [];
  const received: WarningEvent[] = [];
  const states: [string, ScopeState][] = [];
  let emit: ((type: string, o: unknown) => void) | undefined;
  const watch: WatchSource = async (path, _params, onEvent) => {
    paths.push(path);
    emit = onEvent;
    return { abort: () => void aborted.push(path) };
  };
  const watches = new EventWatches({
    kc: new k8s.KubeConfig(),
    list,
    onEvent: (e) => received.push(e),
    onState: (scope, state) => states.push([scope, state]),
    log: createLogger('silent'),
    watch,
    sleep: () => new Promise(() => undefined), // a retry after a failure never comes in these tests
    random: () => 0.5,
  });
  return { watches, paths, aborted, received, states, emit: (type: string, o: unknown) => emit!(type, o) };
}

test('a scope lists, is watching, and hands on Warning events only, over the type=Warning field selector', async () => {
  const { watches, paths, received, states, emit } = setup(async () => ({ items: [raw('old', 'Warning')], resourceVersion: '4' }));
  watches.set(new Set(['team-a']));
  expect(watches.state('team-a')).toBe('starting');
  await settle();
  expect(states).toEqual([['team-a', 'watching']]);
  expect(paths).toEqual(['/apis/events.k8s.io/v1/namespaces/team-a/events?fieldSelector=type%3DWarning']);
  emit('ADDED', raw('new', 'Warning'));
  emit('ADDED', raw('normal', 'Normal'));
  expect(received.map((e) => e.metadata.name)).toEqual(['old', 'new']);
});

test('a 403 on the list: the scope is forbidden (and says so once)', async () => {
  const forbidden = Object.assign(new Error('forbidden'), { code: 403 });
  const { watches, states } = setup(async () => {
    throw forbidden;
  });
  watches.set(new Set(['']));
  await settle();
  expect(watches.state('')).toBe('forbidden');
  expect(states).toEqual([['', 'forbidden']]);
});

test('scopes no longer asked for stop; the cluster-wide scope watches every namespace', async () => {
  const { watches, paths, aborted } = setup(async () => ({ items: [], resourceVersion: '1' }));
  watches.set(new Set(['team-a', 'team-b']));
  await settle();
  watches.set(new Set(['']));
  await settle();
  expect(watches.scopes).toEqual(['']);
  expect(aborted.sort()).toEqual(paths.filter((p) => p.includes('/namespaces/')).sort());
  expect(paths).toContain('/apis/events.k8s.io/v1/events?fieldSelector=type%3DWarning');
  watches.stopAll();
  expect(watches.scopes).toEqual([]);
});
