// Probe behind the scale finding: @kubernetes/client-node 2.x builds a new undici Agent (and so a
// new TLS connection, with a client-certificate handshake) for every API call, in
// KubeConfig.applySecurityAuthentication → createDispatcher. This compares N API calls with the
// stock KubeConfig against the same KubeConfig whose dispatcher is created once and reused.
//
//   tsx bench/probes/kube-client-dispatcher.ts <kubeconfig> [calls=500] [concurrency=16]
import * as k8s from '@kubernetes/client-node';
import { reuseDispatcher } from '../lib/kube.js';
import { snapshot } from '../lib/proc.js';

const [file, callsArg, concArg] = process.argv.slice(2);
if (!file) throw new Error('usage: kube-client-dispatcher.ts <kubeconfig> [calls] [concurrency]');
const calls = Number(callsArg ?? 500);
const concurrency = Number(concArg ?? 16);

async function run(label: string, kc: k8s.KubeConfig): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.listNamespace({ limit: 1 }); // warm up
  global.gc?.();
  const before = snapshot(process.pid)!;
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next++;
        await core.readNamespace({ name: 'default' });
      }
    }),
  );
  const ms = Date.now() - t0;
  const after = snapshot(process.pid)!;
  console.log(
    `${label.padEnd(22)} ${calls} GETs, ${concurrency} in flight: ${ms} ms (${Math.round((calls / ms) * 1000)}/s), CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s (${(((after.cpuSeconds - before.cpuSeconds) * 1000) / calls).toFixed(2)} ms/call), RSS ${before.rssMB.toFixed(0)} → ${after.rssMB.toFixed(0)} MB`,
  );
}

const load = () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  return kc;
};
await run('reused dispatcher', reuseDispatcher(load()));
await run('stock client-node', load());
