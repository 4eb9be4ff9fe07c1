// Act 4: an alert relayed through the healthy channel's annotation, what the chat received, and the
// delivery the operator recorded in status.
import { ANNOTATION_ALERT } from '../../src/api/contract.js';
import { DEMO, demoScenario } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { dim, indent, note, ok, progress, rel, say, section } from '../console.js';
import { getChannels, kubectl, sleep } from '../kubectl.js';
import { ALERT_TEXT, CHANNELS, NS, OPERATOR_LOG } from '../settings.js';
import { checkInterrupted } from '../teardown.js';

export async function relayAlert(emulator: TelegramEmulator): Promise<void> {
  section('Relaying an alert through the healthy channel');
  const name = CHANNELS.healthy.name;
  note(`$ kubectl annotate tgc ${name} -n ${NS} ${ANNOTATION_ALERT}="${ALERT_TEXT}"`);
  say(indent(await kubectl(['annotate', 'tgc', name, '-n', NS, '--overwrite', `${ANNOTATION_ALERT}=${ALERT_TEXT}`])));
  progress('waiting for the message to reach the chat and the delivery to be recorded in status');
  const deadline = Date.now() + 30_000;
  for (;;) {
    checkInterrupted();
    const received = emulator.messagesTo(DEMO.chats.ops);
    const ch = (await getChannels()).find((c) => c.metadata.name === name);
    const delivery = ch?.status?.delivery;
    if (received.length > 0 && delivery?.lastAlertDigest) {
      const m = received[received.length - 1]!;
      const bot = demoScenario().bots.find((b) => b.id === m.botId);
      ok(`the Ops supergroup (${m.chatId}) received message #${m.messageId} from @${bot?.username ?? m.botId}:`);
      say(indent(m.text, `    ${dim('│')} `));
      say();
      note(`$ kubectl get tgc ${name} -n ${NS} -o jsonpath='{.status.delivery}'`);
      const width = Math.max(...Object.keys(delivery).map((k) => k.length));
      for (const [k, v] of Object.entries(delivery))
        say(`    ${`${k}:`.padEnd(width + 1)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      note(`  lastAlertDigest is what makes a restart, resync or re-apply never send this text again.`);
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the alert was not delivered within 30 s (messages in the chat: ${received.length}; status.delivery: ${JSON.stringify(delivery ?? null)}); see ${rel(OPERATOR_LOG)}`,
      );
    }
    await sleep(250);
  }
}
