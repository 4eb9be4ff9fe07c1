// The relay's leader work with scripted watches: nothing is watched until this replica leads and a
// channel asks; the watches follow the subscriptions; EventsWatching says what the watch's state is.
import pino from 'pino';
import type { TelegramChannel } from '../../../src/api/types.js';
import type { EventWatches, ScopeState } from '../../../src/events/eventWatches.js';
import { EventsRelay } from '../../../src/events/eventsRelay.js';
import { withEventsWatching } from '../../../src/events/eventsCondition.js';

class ScriptedWatches {
  wanted = new Set<string>();
  states = new Map<string, ScopeState>();
  set(wanted: ReadonlySet<string>) {
    this.wanted = new Set(wanted);
  }
  state(scope: string) {
    return this.wanted.has(scope) ? (this.states.get(scope) ?? 'starting') : undefined;
  }
  stopAll() {
    this.wanted.clear();
  }
}

const channel = (namespace: string, spec: Record<string, unknown>): TelegramChannel => ({
  metadata: { namespace, name: 'ch', generation: 1 },
  spec: { chatId: '-100123', tokenSecretRef: { name: 't' }, ...spec },
});

function setup() {
  const watches = new ScriptedWatches();
  let handlers!: { onState: (scope: string, state: ScopeState) => void };
  const woken: string[] = [];
  const relay = new EventsRelay({
    watches: (h) => {
      handlers = h;
      return watches as unknown as EventWatches;
    },
    records: { load: async () => ({}), save: async () => undefined, delete: async () => undefined },
    service: { send: async () => ({ kind: 'sent', messageIds: [1] }), editText: async () => ({ kind: 'edited' }) },
    resolver: { resolve: async () => ({ ok: false, failing: { status: 'False', reason: 'SecretNotFound', message: '' } }) },
    getChannel: () => undefined,
    namespaceLabels: () => undefined,
    clusterNamespaces: ['telegram-system'],
    wake: (key) => woken.push(key),
    log: pino({ level: 'silent' }),
  });
  return { relay, watches, woken, state: (scope: string, s: ScopeState) => (watches.states.set(scope, s), handlers.onState(scope, s)) };
}

test('a follower watches nothing; the leader watches the namespaces asked for, and stops when none asks', () => {
  const { relay, watches } = setup();
  relay.condition(channel('team-a', { kubernetesEvents: {} }));
  expect(watches.wanted).toEqual(new Set());
  relay.start();
  expect(watches.wanted).toEqual(new Set(['team-a']));
  expect(relay.condition(channel('team-a', {}))).toBeUndefined();
  expect(watches.wanted).toEqual(new Set());
  relay.condition(channel('telegram-system', { kubernetesEvents: { namespaceSelector: {} } }));
  expect(watches.wanted).toEqual(new Set([''])); // cluster-wide
  relay.forget('telegram-system/ch');
  expect(watches.wanted).toEqual(new Set());
});

test('EventsWatching: Starting, then Watching; Forbidden when the list is refused; the channels of that scope are woken', () => {
  const { relay, state, woken } = setup();
  relay.start();
  const ch = channel('team-a', { kubernetesEvents: {} });
  expect(relay.condition(ch)).toMatchObject({ status: 'Unknown', reason: 'Starting' });
  state('team-a', 'watching');
  expect(woken).toEqual(['team-a/ch']);
  expect(relay.condition(ch)).toMatchObject({ status: 'True', reason: 'Watching' });
  state('team-a', 'forbidden');
  const forbidden = relay.condition(ch)!;
  expect(forbidden).toMatchObject({ status: 'False', reason: 'Forbidden' });
  expect(forbidden.message).toContain('docs/kubernetes-events.md');
});

test('a namespaceSelector outside EVENTS_CLUSTER_NAMESPACES: False NamespaceSelectorNotAllowed, its own namespace watched', () => {
  const { relay, watches } = setup();
  relay.start();
  const v = relay.condition(channel('team-a', { kubernetesEvents: { namespaceSelector: {} } }))!;
  expect(v).toMatchObject({ status: 'False', reason: 'NamespaceSelectorNotAllowed' });
  expect(v.message).toContain('telegram-system');
  expect(watches.wanted).toEqual(new Set(['team-a']));
});

test('the condition is set on channels that ask and removed from the others', () => {
  const set = withEventsWatching([], { status: 'True', reason: 'Watching', message: 'm' }, 3, '2026-12-07T06:00:00Z');
  expect(set).toEqual([
    {
      type: 'EventsWatching',
      status: 'True',
      reason: 'Watching',
      message: 'm',
      observedGeneration: 3,
      lastTransitionTime: '2026-12-07T06:00:00Z',
    },
  ]);
  expect(withEventsWatching(set, undefined, 4, '2026-12-07T06:00:01Z')).toEqual([]);
});
