// Leader election driven by a fake clock against an in-memory Lease: a leader whose Lease calls hang
// steps down at the renew deadline on its own timer (and its calls are aborted), a slow renew that
// still lands in time keeps leadership, and a follower judges expiry by when it saw the record change.
import type * as k8s from '@kubernetes/client-node';
import { LeaderElector, type ElectionClock } from '../../../src/runtime/leaderElection.js';
import type { LeaseClient } from '../../../src/kube/leaseClient.js';
import { createLogger } from '../../../src/observability/log.js';

/** Timers on a clock that moves only when the test says so. */
class FakeClock implements ElectionClock {
  private t = 1_700_000_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward to `ms` from now, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

type Behaviour = 'answer' | 'hang' | { delayMs: number };

/** One Lease as the API server keeps it: resourceVersion checks on replace, 404 before it exists. */
class FakeLeaseServer {
  lease: k8s.V1Lease | undefined;
  private rv = 0;
  /** How the next calls behave. */
  behaviour: Behaviour = 'answer';
  readonly signals: AbortSignal[] = [];
  readonly replacedAt: number[] = [];

  constructor(private readonly clock: FakeClock) {}

  client(): LeaseClient {
    return {
      read: (signal) =>
        this.respond(signal, () => {
          if (!this.lease) throw Object.assign(new Error('not found'), { code: 404 });
          return structuredClone(this.lease);
        }),
      create: (body, signal) =>
        this.respond(signal, () => {
          if (this.lease) throw Object.assign(new Error('exists'), { code: 409 });
          return this.store(body);
        }),
      replace: (body, signal) =>
        this.respond(signal, () => {
          const stale = body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion;
          if (stale) throw Object.assign(new Error('conflict'), { code: 409 });
          this.replacedAt.push(this.clock.now());
          return this.store(body);
        }),
    };
  }

  holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }

  /** Another party writes the Lease (a rival replica, or a test taking it by hand). */
  write(spec: k8s.V1LeaseSpec): void {
    this.store({ metadata: { ...this.lease?.metadata }, spec: { ...this.lease?.spec, ...spec } });
  }

  private store(body: k8s.V1Lease): k8s.V1Lease {
    this.lease = structuredClone({ ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } });
    return structuredClone(this.lease);
  }

  private respond<T>(signal: AbortSignal, answer: () => T): Promise<T> {
    this.signals.push(signal);
    const b = this.behaviour;
    // A hanging call ignores its signal on purpose: the elector must not depend on the client honouring it.
    if (b === 'hang') return new Promise<T>(() => undefined);
    if (b === 'answer') return (async () => answer())();
    return new Promise<T>((resolve, reject) => {
      this.clock.setTimeout(() => {
        try {
          resolve(answer());
        } catch (e) {
          reject(e);
        }
      }, b.delayMs);
    });
  }
}

let clock: FakeClock;
let server: FakeLeaseServer;
let events: { what: 'started' | 'stopped'; at: number }[];

function elector(identity = 'replica-a'): LeaderElector {
  return new LeaderElector(server.client(), {
    namespace: 'ns',
    name: 'lease',
    identity,
    clock,
    log: createLogger('silent'),
    onStartedLeading: () => events.push({ what: 'started', at: clock.now() }),
    onStoppedLeading: () => events.push({ what: 'stopped', at: clock.now() }),
  });
}

beforeEach(() => {
  clock = new FakeClock();
  server = new FakeLeaseServer(clock);
  events = [];
});

test('a leader whose Lease calls never answer steps down at the renew deadline, and the calls are aborted', async () => {
  const a = elector();
  a.start();
  await clock.advance(5_000);
  expect(a.isLeader()).toBe(true);
  const lastRenew = server.replacedAt.at(-1)!;
  server.behaviour = 'hang';
  const callsBefore = server.signals.length;

  await clock.advance(lastRenew + 10_000 - clock.now() - 1);
  expect(a.isLeader()).toBe(true);
  expect(events.map((e) => e.what)).toEqual(['started']);
  await clock.advance(1);
  expect(events).toEqual([expect.objectContaining({ what: 'started' }), { what: 'stopped', at: lastRenew + 10_000 }]);
  expect(a.isLeader()).toBe(false);

  const hung = server.signals.slice(callsBefore);
  expect(hung.length).toBeGreaterThan(0);
  expect(hung.every((s) => s.aborted)).toBe(true);
  // Stepped down for good: no more Lease calls, and no second callback.
  await clock.advance(60_000);
  expect(server.signals.length).toBe(callsBefore + hung.length);
  expect(events.filter((e) => e.what === 'stopped')).toHaveLength(1);
});

test('a slow renew that succeeds before the renew deadline keeps leadership', async () => {
  const a = elector();
  a.start();
  await clock.advance(3_000);
  expect(a.isLeader()).toBe(true);
  const renewsBefore = server.replacedAt.length;
  // The next renew's read and replace take 3.5 s each: done 7 s after it started, within 10 s of the last renew.
  server.behaviour = { delayMs: 3_500 };
  await clock.advance(9_000);
  expect(server.replacedAt.length).toBe(renewsBefore + 1);
  server.behaviour = 'answer';
  await clock.advance(60_000);
  expect(a.isLeader()).toBe(true);
  expect(events.map((e) => e.what)).toEqual(['started']);
});

test('a renew that answers only after the renew deadline does not keep leadership', async () => {
  const a = elector();
  a.start();
  await clock.advance(3_000);
  const lastRenew = server.replacedAt.at(-1)!;
  server.behaviour = { delayMs: 6_000 }; // read + replace: 12 s
  await clock.advance(20_000);
  expect(events.map((e) => e.what)).toEqual(['started', 'stopped']);
  expect(events[1]!.at).toBe(lastRenew + 10_000);
  expect(a.isLeader()).toBe(false);
});

test('a leader that finds another holder in the Lease steps down at once, not at the renew deadline', async () => {
  const a = elector();
  a.start();
  await clock.advance(3_000);
  server.write({ holderIdentity: 'intruder', renewTime: new Date(clock.now()) });
  const takenAt = clock.now();
  await clock.advance(2_500);
  expect(events.map((e) => e.what)).toEqual(['started', 'stopped']);
  expect(events[1]!.at - takenAt).toBeLessThanOrEqual(2_000); // the next renew, one retry period later
});

test('a Lease deleted by hand: the leader creates it again and keeps leading; if another replica was first, it steps down', async () => {
  const a = elector();
  a.start();
  await clock.advance(3_000);
  server.lease = undefined;
  await clock.advance(20_000);
  expect(a.isLeader()).toBe(true);
  expect(server.holder()).toBe('replica-a');

  server.lease = undefined;
  server.write({ holderIdentity: 'replica-b', leaseDurationSeconds: 15, renewTime: new Date(clock.now()) });
  await clock.advance(2_500);
  expect(events.map((e) => e.what)).toEqual(['started', 'stopped']);
});

test('a follower judges expiry by when it saw the record change, not by the renewTime written in it', async () => {
  // The holder's clock is an hour behind: by its renewTime the lease expired long ago.
  server.write({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: new Date(clock.now() - 3_600_000) });
  const b = elector('replica-b');
  b.start();
  await clock.advance(14_000);
  expect(b.isLeader()).toBe(false);
  // The holder renews (renewTime moves): B starts counting again from then.
  server.write({ renewTime: new Date(clock.now() - 3_600_000 + 14_000) });
  await clock.advance(14_000);
  expect(b.isLeader()).toBe(false);
  // The holder stops renewing: B takes over once 15 s have passed since it saw the last change.
  await clock.advance(4_000);
  expect(b.isLeader()).toBe(true);
  expect(server.holder()).toBe('replica-b');
});

test('a follower whose read hangs gives up at the renew deadline and tries again', async () => {
  server.write({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: new Date(clock.now()) });
  server.behaviour = 'hang';
  const b = elector('replica-b');
  b.start();
  await clock.advance(10_000);
  expect(server.signals).toHaveLength(1);
  expect(server.signals[0]!.aborted).toBe(true);
  await clock.advance(3_000);
  expect(server.signals.length).toBeGreaterThan(1);
  expect(b.isLeader()).toBe(false);
});

test('the renew deadline must be shorter than the lease', () => {
  expect(
    () =>
      new LeaderElector(server.client(), {
        namespace: 'ns',
        name: 'lease',
        identity: 'x',
        leaseDurationMs: 10_000,
        renewDeadlineMs: 10_000,
        log: createLogger('silent'),
        onStartedLeading: () => undefined,
        onStoppedLeading: () => undefined,
      }),
  ).toThrow(/renew deadline must be shorter/);
});
