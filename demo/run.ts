// `make demo`: the whole product in one command, on this machine, with nothing to install or sign up for.
// It plays the acts in demo/acts/ in order:
//
//   1. a local kube-apiserver + etcd of its own (.dev/demo-cluster) and the Telegram emulator (demo scenario);
//   2. the CRD and the operator (dist/main.js; its logs go to .dev/demo-operator.log);
//   3. demo/manifests/: a Secret and three TelegramChannels (healthy, missing minus sign, upgraded group);
//   4. an alert relayed through an annotation, and what the chat received;
//   5. the life of an alert: fire, Silence from the chat, resolve on the same message;
//   6. the CLI: `chats` (find the chat id) and `check` (try a token + chat id from the terminal);
//   7. the cluster's own Warning events: a BackOff event of a pod, relayed to the chat;
//   8. your words, your topics: a templated notification split by severity into two forum topics, resolved in place;
//   9. tear-down, or with KEEP=1 everything stays up until Ctrl-C.
//
// Its settings and environment variables: demo/settings.ts.
import { alertLifecycle } from './acts/alertLifecycle.js';
import { applyChannels } from './acts/channels.js';
import { showCli, writeTokenFile } from './acts/cli.js';
import { startCluster } from './acts/controlPlane.js';
import { showDashboardSummary } from './acts/dashboard.js';
import { startTheOperator } from './acts/operator.js';
import { relayClusterEvent } from './acts/clusterEvents.js';
import { relayAlert } from './acts/relay.js';
import { routeIntoTopics } from './acts/topics.js';
import { stayUp } from './acts/stayUp.js';
import { bad, bold, dim, green, note, red, rel, say, secs, section, yellow } from './console.js';
import { CLUSTER_DIR, KEEP, OPERATOR_LOG } from './settings.js';
import { Interrupted, failure, handleSignals, interruptedBy, teardown } from './teardown.js';

async function main(): Promise<number> {
  const started = Date.now();
  handleSignals();
  say(bold('telegram-channel-operator demo'));
  say(
    dim(
      `a local kube-apiserver + etcd, the Telegram Bot API emulator, the operator, three channels, an alert, its life in the chat, the CLI, a Warning event and alerts in forum topics${KEEP ? ' (KEEP=1: stays up at the end)' : ''}`,
    ),
  );

  let failed = false;
  try {
    const { emulator, emulatorUrl } = await startCluster();
    const operator = await startTheOperator(emulatorUrl);
    await applyChannels();
    await relayAlert(emulator);
    await alertLifecycle(emulator, operator.url);
    const tokenFile = writeTokenFile();
    await showCli(emulator, emulatorUrl, tokenFile);
    await relayClusterEvent(emulator);
    await routeIntoTopics(emulator, operator.url);
    await showDashboardSummary(operator.url);

    if (KEEP) await stayUp({ emulator, emulatorUrl, operator, tokenFile });
    else {
      section('Tear-down');
      note('(run `KEEP=1 make demo` to keep everything up and explore it)');
    }
  } catch (e) {
    if (e instanceof Interrupted || interruptedBy()) {
      // The signal handler tears down and exits (an act may also fail because tear-down already began).
      await new Promise(() => undefined);
    }
    failed = true;
    failure.keepClusterDir = true;
    say();
    bad(red(`the demo failed: ${(e as Error).message}`));
    note(`control plane logs: ${rel(CLUSTER_DIR)}/kube-apiserver.log, etcd.log; operator log: ${rel(OPERATOR_LOG)}`);
    say();
    say(yellow('tearing down…'));
  }
  await teardown();
  say();
  if (failed) return 1;
  say(
    `${green('✔')} ${bold('Demo complete')} in ${secs(Date.now() - started)}: everything is stopped. The operator's log is in ${rel(OPERATOR_LOG)}.`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
