// What every scenario starts (the emulator, watches, Alertmanager, operator replicas) registers its
// stop here, and the run stops all of it in reverse order however the scenario ends: a scenario is
// its measurement, not its clean-up.
import { TelegramEmulator, type EmulatorOptions } from '../../test/emulator/server.js';
import type { Scenario } from '../../test/emulator/scenario.js';
import { startAlertmanager, type AlertmanagerProcess } from '../../test/harness/alertmanager.js';
import { ChannelWatch, clientsFor, type Clients } from './kube.js';
import { EpisodeWriteWatch } from './lifecycle.js';
import { launchOperator, type StartedOperator } from './operator.js';

export class BenchRun {
  readonly c: Clients;
  private readonly stops: (() => unknown)[] = [];

  constructor(
    readonly kubeconfig: string,
    readonly namespace: string,
  ) {
    this.c = clientsFor(kubeconfig);
  }

  /** Runs `fn` last-in first-out when the run ends. */
  onStop(fn: () => unknown): void {
    this.stops.push(fn);
  }

  async emulator(scenario: Scenario, options: EmulatorOptions = {}): Promise<{ emulator: TelegramEmulator; url: string }> {
    const emulator = new TelegramEmulator(scenario, options);
    const url = await emulator.start();
    this.onStop(() => emulator.stop());
    return { emulator, url };
  }

  /** A watch on TelegramChannels, started now: start it once the channels exist. */
  async channelWatch(scope: 'this namespace' | 'all namespaces' = 'this namespace'): Promise<ChannelWatch> {
    const watch =
      scope === 'all namespaces' ? new ChannelWatch(this.c, undefined, this.namespace) : new ChannelWatch(this.c, this.namespace);
    this.onStop(() => watch.stop());
    await watch.start();
    return watch;
  }

  /** Started before the operator, so none of its episode writes is missed. */
  async episodeWrites(): Promise<EpisodeWriteWatch> {
    const writes = new EpisodeWriteWatch(this.c);
    this.onStop(() => writes.stop());
    await writes.start();
    return writes;
  }

  async alertmanager(config: string): Promise<AlertmanagerProcess> {
    const am = await startAlertmanager(config);
    this.onStop(() => am.stop());
    return am;
  }

  async operator(env: Record<string, string>): Promise<StartedOperator> {
    const operator = await launchOperator(this.kubeconfig, env);
    this.onStop(() => operator.op.stop('SIGTERM'));
    return operator;
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}

/** Runs a scenario's body with a fresh BenchRun and stops what it started, whether it returns or throws. */
export async function benchRun<T>(kubeconfig: string, namespace: string, body: (run: BenchRun) => Promise<T>): Promise<T> {
  const run = new BenchRun(kubeconfig, namespace);
  try {
    return await body(run);
  } finally {
    await run.stop();
  }
}

/** An Alertmanager that routes nothing: only its silences API, for the channels' buttons. */
export const SILENCES_ONLY = 'route:\n  receiver: none\nreceivers:\n- name: none\n';
