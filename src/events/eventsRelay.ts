// The cluster's Warning events, relayed to the channels that ask (spec.kubernetesEvents). Leader work:
// the reconciler's one call per channel (`condition`) keeps the subscriptions and answers EventsWatching;
// the watches run only while this replica leads and some channel asks (a follower watches no events:
// sending is the leader's). Each event goes to the channels whose filters and tenancy let it through,
// becomes an aggregate per (channel, object, reason), and the channel's outbox shows it in the chat.
import type { Verdict } from '../api/contract.js';
import { parseSpec, type TelegramChannel } from '../api/types.js';
import type { ChannelResolver } from '../credentials/resolver.js';
import type { Target } from '../delivery/messageOperations.js';
import { readiness } from '../delivery/readiness.js';
import type { Logger } from '../observability/log.js';
import { Aggregates, DEFAULT_AGGREGATE_LIMITS, type AggregateLimits } from './aggregation.js';
import type { EventWatches, ScopeState } from './eventWatches.js';
import { ChannelOutbox, type ChatOperations } from './outbox.js';
import { decodeRecord, encodeRecord, type SentRecords } from './sentRecords.js';
import { relays, scopeOf, subscriptionOf, watchScopes, type Subscription } from './subscriptions.js';
import type { WarningEvent } from './warningEvent.js';

export interface EventsRelayDeps {
  /** Builds the watches with the relay's handlers (eventWatches.ts). */
  watches: (handlers: { onEvent: (e: WarningEvent) => void; onState: (scope: string, state: ScopeState) => void }) => EventWatches;
  records: Pick<SentRecords, 'load' | 'save' | 'delete'>;
  service: ChatOperations;
  resolver: Pick<ChannelResolver, 'resolve'>;
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  /** A namespace's labels, when the operator watches namespaces (namespaceSelector). */
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>> | undefined;
  /** EVENTS_CLUSTER_NAMESPACES: channels there may use namespaceSelector and see cluster-scoped objects. */
  clusterNamespaces: readonly string[];
  /** Asks for a channel's reconcile (its EventsWatching changed). */
  wake: (key: string) => void;
  log: Logger;
  now?: () => number;
  limits?: AggregateLimits;
}

export class EventsRelay {
  private readonly subs = new Map<string, Subscription>();
  private readonly outboxes = new Map<string, ChannelOutbox>();
  /** Per channel: its remembered record read into memory (once per leadership). */
  private readonly loads = new Map<string, Promise<void>>();
  private readonly aggregates: Aggregates;
  private readonly watches: EventWatches;
  private readonly now: () => number;
  private leading = false;

  constructor(private readonly deps: EventsRelayDeps) {
    this.now = deps.now ?? Date.now;
    this.aggregates = new Aggregates(deps.limits ?? DEFAULT_AGGREGATE_LIMITS);
    this.watches = deps.watches({ onEvent: (e) => this.onEvent(e), onState: (scope) => this.onState(scope) });
  }

  /** Aggregates held now (for tests and the bounded-memory check). */
  get held(): { entries: number; bytes: number } {
    return { entries: this.aggregates.size, bytes: this.aggregates.byteSize };
  }

  /** This replica leads: watch what the subscriptions need. */
  start(): void {
    this.leading = true;
    this.refreshWatches();
  }

  /** Leadership ends (or the process stops): no watch, nothing more sent. */
  stop(): Promise<void> {
    this.leading = false;
    this.watches.stopAll();
    for (const o of this.outboxes.values()) o.stop();
    this.outboxes.clear();
    this.subs.clear();
    this.loads.clear();
    this.aggregates.clear();
    return Promise.resolve();
  }

  /** The reconciler's call: keeps the channel's subscription, and its EventsWatching (undefined: it asks for none). */
  condition(ch: TelegramChannel): Verdict | undefined {
    const key = `${ch.metadata.namespace}/${ch.metadata.name}`;
    const parsed = parseSpec(ch.spec);
    const spec = parsed.ok ? parsed.spec.kubernetesEvents : undefined;
    if (!spec) {
      this.unsubscribe(key);
      return undefined;
    }
    const sub = subscriptionOf(key, ch.metadata.namespace, spec, this.deps.clusterNamespaces);
    this.subs.set(key, sub);
    this.refreshWatches();
    this.outboxes.get(key)?.kick(); // a channel Ready again sends what waited
    return this.verdict(sub);
  }

  /** A deleted channel: its subscription, its aggregates and its remembered record go. */
  forget(key: string): void {
    this.unsubscribe(key);
    if (this.leading) {
      this.deps.records
        .delete(key)
        .catch((e: unknown) => this.deps.log.warn({ channel: key, err: e }, 'could not delete the events record'));
    }
  }

  private verdict(sub: Subscription): Verdict {
    const scope = scopeOf(sub);
    const where = scope ? `namespace ${scope}` : 'all namespaces';
    const state = this.watches.state(scope);
    if (state === 'forbidden') {
      return {
        status: 'False',
        reason: 'Forbidden',
        message: `the operator may not list events.k8s.io events in ${where}: grant it list and watch (docs/kubernetes-events.md, "RBAC")`,
      };
    }
    if (sub.selectorRefused) {
      const trusted = this.deps.clusterNamespaces.join(', ') || 'none';
      return {
        status: 'False',
        reason: 'NamespaceSelectorNotAllowed',
        message: `namespaceSelector is honoured only for channels in EVENTS_CLUSTER_NAMESPACES (${trusted}); events of namespace ${sub.namespace} are relayed`,
      };
    }
    if (state === 'watching') return { status: 'True', reason: 'Watching', message: `watching Warning events in ${where}` };
    return { status: 'Unknown', reason: 'Starting', message: `listing Warning events in ${where}` };
  }

  private unsubscribe(key: string): void {
    if (!this.subs.delete(key)) return;
    this.outboxes.get(key)?.stop();
    this.outboxes.delete(key);
    this.loads.delete(key);
    this.aggregates.forgetChannel(key);
    this.refreshWatches();
  }

  private refreshWatches(): void {
    this.watches.set(this.leading ? watchScopes(this.subs.values()) : new Set());
  }

  private onState(scope: string): void {
    for (const sub of this.subs.values()) if (scopeOf(sub) === scope) this.deps.wake(sub.key);
  }

  private onEvent(e: WarningEvent): void {
    for (const sub of this.subs.values()) {
      if (!relays(sub, e, this.deps.namespaceLabels)) continue;
      const key = sub.key;
      // In arrival order per channel: each waits for the channel's record, read once.
      void this.loaded(sub).then(() => {
        const current = this.subs.get(key);
        if (!current) return; // unsubscribed meanwhile
        const a = this.aggregates.observe(key, current.windowMs, e, this.now());
        if (a) this.outbox(current).mark(a.key);
      });
    }
  }

  private loaded(sub: Subscription): Promise<void> {
    let load = this.loads.get(sub.key);
    if (!load) {
      load = this.deps.records.load(sub.key).then(
        (data) => {
          const record = decodeRecord(sub.key, data, sub.windowMs, this.now());
          for (const a of record.aggregates) this.aggregates.restore(a);
          const folded = record.aggregates.filter((a) => a.folded);
          if (record.overflow) this.outbox(sub).restoreOverflow(record.overflow, folded);
        },
        (e: unknown) =>
          this.deps.log.warn({ channel: sub.key, err: e }, 'could not read the events already sent; relaying as if none were'),
      );
      this.loads.set(sub.key, load);
    }
    return load;
  }

  private outbox(sub: Subscription): ChannelOutbox {
    const key = sub.key;
    let o = this.outboxes.get(key);
    if (!o) {
      const windowMs = () => this.subs.get(key)?.windowMs ?? sub.windowMs;
      const outbox: ChannelOutbox = new ChannelOutbox({
        channelKey: key,
        aggregates: this.aggregates,
        service: this.deps.service,
        target: () => this.target(key),
        windowMs,
        changed: () => {
          const record = () =>
            encodeRecord({ aggregates: this.aggregates.ofChannel(key), overflow: outbox.overflowRecord }, windowMs(), this.now());
          void this.deps.records.save(key, record);
        },
        now: this.now,
        log: this.deps.log,
      });
      o = outbox;
      this.outboxes.set(key, o);
    }
    return o;
  }

  /** The channel's chat, if it is Ready for its current spec and its Secrets resolve. */
  private async target(key: string): Promise<Target | undefined> {
    const [namespace = '', name = ''] = key.split('/');
    const ch = this.deps.getChannel(namespace, name);
    if (!ch || !readiness(ch).ready) return undefined;
    const parsed = parseSpec(ch.spec);
    if (!parsed.ok) return undefined;
    const resolution = await this.deps.resolver.resolve(namespace, parsed.spec);
    return resolution.ok ? resolution.channel : undefined;
  }
}
