// The relay's leader work with scripted watches: nothing is watched until this replica leads and a
// channel asks; the watches follow the subscriptions; EventsWatching says what the watch's state is.
import pino from 'pino';
import type { TelegramChannel } from '../../../src/api/types.js';
import type { EventWatches, ScopeState } from '../../../src/events/eventWatches.js';
import { EventsRelay } from '../../../src/events/eventsRelay.js';
import type { ChannelStatus } from '../../../src/api/types.js';
import { eventsStatus } from '../../../src/controller/eventsStatus.js';
import type { Contribution, StatusContext } from '../../../src/controller/statusContributor.js';
import type { WarningEvent } from '../../../src/events/warningEvent.js';
import { T0, warningEvent } from './fixtures.js';

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
  let handlers!: { onState: (scope: string, state: ScopeState) => void; onEvent: (e: WarningEvent) => void };
  const sent: string[] = [];
  const ready = channel('team-a', { kubernetesEvents: {} });
  ready.status = {
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Verified', message: '', observedGeneration: 1, lastTransitionTime: '2026-12-07T06:00:00Z' },
    ],
  };
  const woken: string[] = [];
  const relay = new EventsRelay({
    watches: (h) => {
      handlers = h;
      return watches as unknown as EventWatches;
    },
    records: { load: async () => ({}), save: async () => undefined, delete: async () => undefined },
    service: {
      send: async (_to, req) => (sent.push(req.parts[0]!), { messageIds: [sent.length] }),
      editText: async () => 'edited' as const,
    },
    resolver: { resolve: async () => ({ ok: true, channel: {} as never }) },
    getChannel: (ns) => (ns === 'team-a' ? ready : undefined),
    namespaceLabels: () => undefined,
    clusterNamespaces: ['telegram-system'],
    wake: (key) => woken.push(key),
    log: pino({ level: 'silent' }),
    now: () => T0,
  });
  return {
    relay,
    watches,
    woken,
    sent,
    event: (e: WarningEvent) => handlers.onEvent(e),
    state: (scope: string, s: ScopeState) => (watches.states.set(scope, s), handlers.onState(scope, s)),
  };
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
  const ctx = (status: ChannelStatus, generation: number, now: string): StatusContext => ({
    key: 'team-a/c',
    channel: channel('team-a', {}),
    generation,
    now,
    status,
    verified: false,
  });
  const asking = eventsStatus({ condition: () => ({ status: 'True', reason: 'Watching', message: 'm' }), forget: () => {} });
  const set = (asking.contribute(ctx({}, 3, '2026-12-07T06:00:00Z')) as Contribution).status;
  expect(set.conditions).toEqual([
    {
      type: 'EventsWatching',
      status: 'True',
      reason: 'Watching',
      message: 'm',
      observedGeneration: 3,
      lastTransitionTime: '2026-12-07T06:00:00Z',
    },
  ]);
  const notAsking = eventsStatus({ condition: () => undefined, forget: () => {} });
  expect((notAsking.contribute(ctx(set, 4, '2026-12-07T06:00:01Z')) as Contribution).status.conditions).toEqual([]);
});

/** Lets every promise chain and scheduled callback of the relay run (no clock involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

test('a channel that unsubscribes mid-storm gets nothing more; what waited is dropped', async () => {
  const { relay, sent, event } = setup();
  relay.start();
  relay.condition(channel('team-a', { kubernetesEvents: {} }));
  for (let i = 0; i < 3; i++) event(warningEvent({ object: `pod-${i}` }));
  await settle();
  expect(sent).toHaveLength(3);
  for (let i = 3; i < 50; i++) event(warningEvent({ object: `pod-${i}` }));
  relay.condition(channel('team-a', {}));
  for (let i = 50; i < 60; i++) event(warningEvent({ object: `pod-${i}` }));
  await settle();
  expect(sent).toHaveLength(3);
  expect(relay.held.entries).toBe(0);
});
