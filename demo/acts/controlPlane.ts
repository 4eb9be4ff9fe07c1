// Act 1: a kube-apiserver + etcd of the demo's own, and the Telegram emulator with the demo scenario.
import { rmSync } from 'node:fs';
import { ensureBinaries, isRunning, readState, startControlPlane, stopControlPlane } from '../../test/harness/controlPlane.js';
import { DEMO, demoScenario } from '../../test/emulator/scenario.js';
import { TelegramEmulator } from '../../test/emulator/server.js';
import { ok, progress, rel, secs, section } from '../console.js';
import { cluster } from '../kubectl.js';
import { CLUSTER_DIR } from '../settings.js';
import { checkInterrupted, failure, onTeardown } from '../teardown.js';

export async function startCluster(): Promise<{ emulator: TelegramEmulator; emulatorUrl: string }> {
  section('A local control plane and the Telegram emulator');
  const previous = readState(CLUSTER_DIR);
  if (previous && isRunning(previous)) {
    throw new Error(
      `a demo control plane is still running in ${rel(CLUSTER_DIR)} (kube-apiserver pid ${previous.apiserverPid}, etcd pid ${previous.etcdPid}).\n` +
        `  If a \`make demo\` with KEEP=1 is still open, press Ctrl-C there. Otherwise stop it with: kill ${previous.apiserverPid} ${previous.etcdPid}`,
    );
  }
  progress('finding kube-apiserver and etcd (built once, several minutes, on a fresh machine)');
  const binDir = ensureBinaries();
  ok(`control plane binaries in ${binDir}`);
  checkInterrupted();

  progress(`starting etcd and kube-apiserver in ${rel(CLUSTER_DIR)} (a few seconds)`);
  const t0 = Date.now();
  onTeardown('stopped kube-apiserver and etcd', async () => {
    const s = readState(CLUSTER_DIR);
    if (s) await stopControlPlane(s);
    if (!failure.keepClusterDir) rmSync(CLUSTER_DIR, { recursive: true, force: true });
  });
  const cp = await startControlPlane(CLUSTER_DIR);
  cluster.kubeconfig = cp.kubeconfig;
  ok(`${cp.version} ready at https://127.0.0.1:${cp.apiserverPort} in ${secs(Date.now() - t0)}`);
  checkInterrupted();

  const emulator = new TelegramEmulator(demoScenario());
  const emulatorUrl = await emulator.start(0, '127.0.0.1');
  onTeardown('stopped the Telegram emulator', () => emulator.stop());
  ok(
    `Telegram Bot API emulator at ${emulatorUrl}: bot @${DEMO.bot.username}, ${demoScenario().chats.length} chats (one of every situation)`,
  );
  return { emulator, emulatorUrl };
}
