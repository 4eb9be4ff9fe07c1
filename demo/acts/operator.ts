// Act 2: the CRD, then the operator as a cluster runs it (dist/main.js through the test kit's launcher),
// its JSON logs in a file the user can tail.
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOperator, type OperatorProcess } from '../../test/harness/operator.js';
import { CHANNEL_CRD } from '../../test/harness/resources.js';
import { REPO_ROOT } from '../../test/harness/controlPlane.js';
import { indent, note, ok, progress, rel, say, section } from '../console.js';
import { cluster, kubectl, sleep, tail } from '../kubectl.js';
import { NS, OPERATOR_LOG, OPERATOR_MAIN } from '../settings.js';
import { checkInterrupted, onTeardown } from '../teardown.js';

/** How long the operator has to finish its in-flight work on SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

export async function startTheOperator(emulatorUrl: string): Promise<OperatorProcess> {
  section('The CRD and the operator');
  const crd = await kubectl(['apply', '--server-side', '-f', path.join(REPO_ROOT, 'crds')]);
  note(`$ kubectl apply --server-side -f crds/`);
  say(indent(crd));
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${CHANNEL_CRD}`]);
  ok(`CRD ${CHANNEL_CRD} established (short name tgc)`);
  checkInterrupted();

  if (!existsSync(OPERATOR_MAIN)) throw new Error(`${rel(OPERATOR_MAIN)} is missing: run \`npm run build\` first (\`make demo\` does)`);
  mkdirSync(path.dirname(OPERATOR_LOG), { recursive: true });
  progress('starting the operator (node dist/main.js) and waiting for /readyz');
  let operator: OperatorProcess;
  try {
    // A clean environment: only what the operator is configured with (no proxies from this shell).
    operator = await startOperator(
      {
        HOME: process.env.HOME ?? os.homedir(),
        KUBECONFIG: cluster.kubeconfig,
        TELEGRAM_API_URL: emulatorUrl,
        WATCH_NAMESPACE: NS,
        // The operator's own namespace (in a cluster, from the downward API): its Lease and what it
        // remembers about alerts (episode ConfigMaps) go there.
        POD_NAMESPACE: NS,
        LOG_LEVEL: 'info',
      },
      { logFile: OPERATOR_LOG, build: false, onSpawn: (op) => onTeardown('stopped the operator', () => stopGracefully(op)) },
    );
  } catch (e) {
    checkInterrupted();
    const why = (e as Error).message.split('\n')[0];
    throw new Error(`${why}; last lines of ${rel(OPERATOR_LOG)}:\n${tail(OPERATOR_LOG)}`, { cause: e });
  }
  ok(`operator running (pid ${operator.child.pid}), watching namespace "${NS}", Telegram API ${emulatorUrl}`);
  note(`its JSON logs go to ${rel(OPERATOR_LOG)}; /metrics and /healthz on ${operator.url}`);
  return operator;
}

async function stopGracefully(operator: OperatorProcess): Promise<void> {
  const stopped = operator.stop('SIGTERM');
  if ((await Promise.race([stopped.then(() => 'exited'), sleep(STOP_GRACE_MS).then(() => 'timeout')])) === 'timeout')
    await operator.stop('SIGKILL');
}
