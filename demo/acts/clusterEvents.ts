// Act 7: the cluster's own Warning events, with no Prometheus in between. A channel with
// spec.kubernetesEvents on the Ops supergroup; a BackOff event (events.k8s.io/v1, as the kubelet
// records a crash-looping container) is created with kubectl, and the chat shows its message.
import { DEMO } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { channelHead } from '../channelHead.js';
import { printChat } from '../chatView.js';
import { bold, note, ok, progress, rel, say, section } from '../console.js';
import { kubectlHeredoc } from '../heredoc.js';
import { sleep } from '../kubectl.js';
import { CLUSTER_EVENTS, NS, OPERATOR_LOG } from '../settings.js';
import { checkInterrupted } from '../teardown.js';
import { waitForChannel } from '../waitForChannel.js';

export async function relayClusterEvent(emulator: TelegramEmulator): Promise<void> {
  section("The cluster's own Warning events: a crash-looping pod, straight to the chat");
  await kubectlHeredoc(['apply', '--server-side'], channelManifest());
  // Ready (the bot and chat verified), then EventsWatching (the operator's watch has listed the namespace's events).
  await waitForChannel(CLUSTER_EVENTS.channel, 'verified and its events watched', { alsoTrue: ['EventsWatching'] });

  say();
  say(`  ${bold('BackOff.')} The kubelet records a Warning event: a container of ${CLUSTER_EVENTS.pod} keeps crashing.`);
  await kubectlHeredoc(['create'], eventManifest());
  progress('waiting for the event to reach the Ops chat');
  const deadline = Date.now() + 30_000;
  for (;;) {
    checkInterrupted();
    const m = emulator
      .chatView(DEMO.chats.ops)
      .find((x) => x.botId === DEMO.bot.id && x.text.includes('BackOff') && x.text.includes(CLUSTER_EVENTS.pod));
    if (m) {
      ok(`message #${m.messageId} in Ops: the reason, the object, when, and the event's note`);
      printChat(emulator, DEMO.chats.ops, 'Ops', m.messageId);
      note(`  The same BackOff again within the window (10m) edits this message (×2, ×3, …) instead of adding one.`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`the BackOff event did not reach the chat within 30 s; see ${rel(OPERATOR_LOG)}`);
    await sleep(250);
  }
}

function channelManifest(): string {
  return `# The same bot and Ops supergroup, for the namespace's Warning events.
${channelHead(CLUSTER_EVENTS.channel)}
spec:
  tokenSecretRef: {name: telegram-bot}
  chatId: '${DEMO.chats.ops}'
  kubernetesEvents:
    reasons: [BackOff, OOMKilling, FailedMount, FailedScheduling]
    kinds: [Pod]
    window: 10m                     # one message per pod and reason per 10 minutes, edited as it repeats
`;
}

/** What the kubelet records for a crash-looping container (events.k8s.io/v1; eventTime in microseconds). */
function eventManifest(): string {
  const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return `apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: ${CLUSTER_EVENTS.pod}.backoff, namespace: ${NS}}
type: Warning
reason: BackOff
note: Back-off restarting failed container checkout in pod ${CLUSTER_EVENTS.pod}_${NS}
action: Restarting
eventTime: '${now}'
reportingController: kubelet
reportingInstance: node-3
regarding: {apiVersion: v1, kind: Pod, namespace: ${NS}, name: ${CLUSTER_EVENTS.pod}}
`;
}
