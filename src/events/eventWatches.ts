// The watches of Warning events: exactly the scopes the subscriptions need (namespaces, or the whole
// cluster), started when asked for and stopped when no channel asks any more. Each is the operator's
// list-then-watch loop (runtime/resourceWatcher.ts: 410 relist, backoff); its cache keeps the Events' names and
// versions only. Each scope's state (starting, watching, forbidden) is what EventsWatching reports.
import type * as k8s from '@kubernetes/client-node';
import { toKubeError } from '../kube/errors.js';
import type { ListResult } from '../kube/objects.js';
import { warningEventsPath } from '../kube/warningEvents.js';
import type { Logger } from '../observability/log.js';
import { ResourceWatcher, type WatcherSeams } from '../runtime/resourceWatcher.js';
import { cachedOnly, toWarningEvent, type WarningEvent } from './warningEvent.js';

export type ScopeState = 'starting' | 'watching' | 'forbidden';

export interface EventWatchesDeps extends WatcherSeams {
  kc: k8s.KubeConfig;
  /** Lists a scope's Warning events (kube/warningEvents.ts); "" is cluster-wide. */
  list: (scope: string) => Promise<ListResult<unknown>>;
  onEvent: (e: WarningEvent) => void;
  /** A scope's state changed (the channels it serves have a new EventsWatching). */
  onState: (scope: string, state: ScopeState) => void;
  log: Logger;
}

interface Running {
  watcher: ResourceWatcher<WarningEvent>;
  state: ScopeState;
}

const FORBIDDEN_HINT =
  'grant list and watch on events.k8s.io events (deploy/base/clusterrole.yaml, the chart ClusterRole); docs/kubernetes-events.md';

export class EventWatches {
  private readonly running = new Map<string, Running>();

  constructor(private readonly deps: EventWatchesDeps) {}

  /** The scopes watched now. */
  get scopes(): string[] {
    return [...this.running.keys()];
  }

  state(scope: string): ScopeState | undefined {
    return this.running.get(scope)?.state;
  }

  /** Starts the scopes not running yet and stops the ones no longer wanted. */
  set(wanted: ReadonlySet<string>): void {
    for (const [scope, r] of this.running) {
      if (wanted.has(scope)) continue;
      r.watcher.stop();
      this.running.delete(scope);
      this.deps.log.info({ scope: scope || 'cluster' }, 'stopped watching Warning events: no channel asks for them');
    }
    for (const scope of wanted) if (!this.running.has(scope)) this.startScope(scope);
  }

  stopAll(): void {
    this.set(new Set());
  }

  private startScope(scope: string): void {
    const { deps } = this;
    const entry: Running = { state: 'starting', watcher: undefined as unknown as ResourceWatcher<WarningEvent> };
    const setState = (state: ScopeState) => {
      if (entry.state === state || this.running.get(scope) !== entry) return;
      entry.state = state;
      deps.onState(scope, state);
    };
    entry.watcher = new ResourceWatcher<WarningEvent>(
      deps.kc,
      {
        upsert: (e) => {
          if ((e as WarningEvent & { type?: string }).type === 'Warning') deps.onEvent(e);
        },
        // An Event expiring (--event-ttl) or deleted says nothing new: its message stays as it is.
        deleted: () => undefined,
      },
      {
        path: warningEventsPath(scope),
        list: async () => {
          try {
            const result = await deps.list(scope);
            setState('watching');
            return result;
          } catch (e) {
            if (toKubeError(e).code === 403) setState('forbidden');
            throw e;
          }
        },
        keep: toWarningEvent,
        retain: (e) => cachedOnly(e) as WarningEvent,
        forbiddenHint: FORBIDDEN_HINT,
        log: deps.log,
        ...(deps.watch ? { watch: deps.watch } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.random ? { random: deps.random } : {}),
      },
    );
    this.running.set(scope, entry);
    deps.log.info({ scope: scope || 'cluster' }, 'watching Warning events');
    entry.watcher.start();
  }
}
