// The last act with KEEP=1: everything stays up, the commands to explore it are printed, and what the
// emulated chats receive is shown as it arrives, until Ctrl-C.
import { ANNOTATION_ALERT, ANNOTATION_TEST } from '../../src/api/contract.js';
import { DEMO, demoScenario } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import type { OperatorProcess } from '../../test/harness/operator.js';
import { bold, dim, green, indent, red, rel, say, section, yellow } from '../console.js';
import { cluster } from '../kubectl.js';
import { CHANNELS, LIFECYCLE, NS, OPERATOR_LOG } from '../settings.js';
import { interruptedBy, untilInterrupted } from '../teardown.js';

export async function stayUp(ctx: { emulator: TelegramEmulator; emulatorUrl: string; operator: OperatorProcess; tokenFile: string }) {
  section('Everything stays up (KEEP=1): explore');
  say(`  In another terminal:`);
  say();
  say(`    ${bold(`export KUBECONFIG=${cluster.kubeconfig}`)}`);
  say(`    kubectl get tgc -n ${NS} -o wide`);
  say(`    kubectl describe tgc ${CHANNELS.noMinus.name} -n ${NS}`);
  say(`    kubectl describe tgc ${LIFECYCLE.channel} -n ${NS}          # the Interactive condition: presses, Alertmanager`);
  say(`    kubectl edit tgc ${CHANNELS.noMinus.name} -n ${NS}        # add the minus sign and watch it turn Ready`);
  say(`    kubectl annotate tgc ${CHANNELS.healthy.name} -n ${NS} --overwrite ${ANNOTATION_ALERT}="hello from my shell"`);
  say(`    kubectl annotate tgc ${CHANNELS.healthy.name} -n ${NS} --overwrite ${ANNOTATION_TEST}="$(date +%s)"`);
  say();
  say(`    export TELEGRAM_API_URL=${ctx.emulatorUrl}     # the Telegram emulator`);
  say(`    node dist/cli/index.js chats --token-file ${ctx.tokenFile}`);
  say(`    node dist/cli/index.js check --token-file ${ctx.tokenFile} --chat ${DEMO.chats.legacyGroup}`);
  say();
  say(`    curl -s ${ctx.operator.url}/metrics | grep ^telegram      # the operator's metrics`);
  say(`    tail -f ${rel(OPERATOR_LOG)}                        # its logs`);
  say();
  say(`  Messages the emulated chats receive are shown here as they arrive.`);
  say(`  ${bold('Press Ctrl-C to tear everything down.')}`);
  say();
  let shown = ctx.emulator.messages.length;
  const names = new Map(demoScenario().chats.map((c) => [c.id, c.title ?? String(c.id)]));
  const timer = setInterval(() => {
    const all = ctx.emulator.messages;
    for (; shown < all.length; shown++) {
      const m = all[shown]!;
      say(
        `  ${green('✉')} ${new Date().toTimeString().slice(0, 8)}  to ${names.get(m.chatId) ?? m.chatId} (${m.chatId}), message #${m.messageId}:`,
      );
      say(indent(m.text, `    ${dim('│')} `));
    }
  }, 500);
  ctx.operator.child.once('exit', (code, signal) => {
    if (interruptedBy()) return;
    say(red(`  ✘ the operator exited (${code ?? signal}); see ${rel(OPERATOR_LOG)}. The rest stays up; press Ctrl-C to stop.`));
  });
  await untilInterrupted();
  clearInterval(timer);
  say();
  say(yellow(`${interruptedBy() ?? 'stop'}: tearing everything down…`));
}
