// Act 5: the life of an alert in the chat. A channel with resolved: Edit and Silence buttons on a bot
// of its own; an Alertmanager notification fires; a chat administrator presses "Silence 1h" (a real
// Alertmanager, when installed, creates the silence); the resolved notification edits the same message.
import { LABEL_EPISODES } from '../../src/lifecycle/records.js';
import { freePort } from '../../test/harness/controlPlane.js';
import { startAlertmanager, ALERTMANAGER_BIN, type AlertmanagerProcess } from '../../test/harness/alertmanager.js';
import { alertmanagerPayload } from '../../test/harness/alertmanagerPayload.js';
import { DEMO } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { channelHead } from '../channelHead.js';
import { printChat } from '../chatView.js';
import { bold, cyan, indent, note, ok, progress, say, section } from '../console.js';
import { kubectlHeredoc } from '../heredoc.js';
import { kubectl } from '../kubectl.js';
import { LIFECYCLE, LIFECYCLE_LABELS, NS, ONCALL_BOT, WITHOUT_ALERTMANAGER } from '../settings.js';
import { postNotification, waitFor } from '../notifications.js';
import { checkInterrupted, onTeardown } from '../teardown.js';
import { waitForChannel } from '../waitForChannel.js';

export async function alertLifecycle(emulator: TelegramEmulator, operatorUrl: string): Promise<void> {
  section('The life of an alert: fire, Silence from the chat, resolve on the same message');
  // The on-call bot joins Ops as an administrator (in Telegram: add it to the group).
  emulator.setBot(ONCALL_BOT);
  emulator.setMembership({ chatId: DEMO.chats.ops, botId: ONCALL_BOT.id, status: 'administrator' });

  const am = await startSilenceTarget();
  const amUrl = am?.url ?? `http://127.0.0.1:${await freePort()}`;
  if (!am) {
    note(
      `prometheus-alertmanager is ${ALERTMANAGER_BIN ? 'turned off (DEMO_WITHOUT_ALERTMANAGER)' : 'not installed'}: nothing listens at ${amUrl}, so the press below is refused`,
    );
    note(`(apt-get install prometheus-alertmanager, then run the demo again, to see the silence made)`);
  }
  checkInterrupted();

  const manifest = lifecycleManifest(amUrl);
  await kubectlHeredoc(['apply', '--server-side'], manifest, manifest.replace(ONCALL_BOT.token, `${ONCALL_BOT.id}:…`));
  await waitForChannel(LIFECYCLE.channel, 'verified', { alsoShown: ['Interactive'] });
  checkInterrupted();

  // 1. Firing: what Alertmanager's webhook_configs POSTs when the group fires.
  say();
  say(`  ${bold('Fire.')} Alertmanager sends the group's first notification (the demo posts it as Alertmanager would):`);
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const before = emulator.chatView(DEMO.chats.ops).length;
  await postNotification(operatorUrl, LIFECYCLE.channel, lifecyclePayload('firing', startsAt), 'firing');
  const firing = await waitFor('the firing message', () =>
    emulator.chatView(DEMO.chats.ops).find((m) => m.botId === ONCALL_BOT.id && m.replyMarkup !== undefined),
  );
  ok(`message #${firing.messageId} in Ops, with buttons:`);
  printChat(emulator, DEMO.chats.ops, 'Ops', firing.messageId);

  // 2. One press: Olga, an administrator of Ops, taps "Silence 1h".
  say();
  say(`  ${bold('Press.')} @olga_oncall, an administrator of Ops, taps ${cyan('[ 🔕 Silence 1h ]')} (the emulator's press hook):`);
  const button = firing.replyMarkup!.inline_keyboard.flat().find((b) => /Silence 1h/.test(b.text));
  if (!button?.callback_data) throw new Error(`the firing message has no "Silence 1h" button: ${JSON.stringify(firing.replyMarkup)}`);
  const press = emulator.pressButton(ONCALL_BOT.token, {
    chatId: DEMO.chats.ops,
    messageId: firing.messageId,
    userId: DEMO.users.olga,
    button: button.callback_data,
  });
  const answer = await waitFor('the answer to the press', () => emulator.callbackQueries.find((q) => q.id === press.id)?.answer);
  ok(`answered in ${answer.time - press.time} ms; Telegram shows Olga: "${answer.text}"`);
  if (am) {
    await showSilence(am, answer.text);
    const pressed = await waitFor('the message showing the silence', () => {
      const m = emulator.chatView(DEMO.chats.ops).find((x) => x.messageId === firing.messageId);
      return m && m.edits > 0 ? m : undefined;
    });
    ok(`message #${pressed.messageId} edited: who silenced it, until when, and an Unsilence button`);
    printChat(emulator, DEMO.chats.ops, 'Ops', firing.messageId);
  } else {
    note(`  nothing was silenced, so the message stays as it was`);
  }

  // 3. Resolved: the group's resolved notification edits the same message.
  say();
  say(`  ${bold('Resolve.')} The alert resolves; Alertmanager sends the resolved notification:`);
  await postNotification(operatorUrl, LIFECYCLE.channel, lifecyclePayload('resolved', startsAt, new Date().toISOString()), 'resolved');
  const resolved = await waitFor('the resolve edit', () => {
    const m = emulator.chatView(DEMO.chats.ops).find((x) => x.messageId === firing.messageId);
    return m && /RESOLVED/.test(m.text) ? m : undefined;
  });
  const after = emulator.chatView(DEMO.chats.ops);
  ok(
    `message #${resolved.messageId} edited in place, buttons gone: the chat holds ${after.length - before} message for this alert, not one per notification`,
  );
  printChat(emulator, DEMO.chats.ops, 'Ops', firing.messageId);
  note(`  Alertmanager's own telegram_configs would have left two messages: the firing one, still firing, and a new resolved one.`);
  say();
  note(`What the operator remembers (group → message, silence) lives in a ConfigMap, so a restarted or new leader edits too:`);
  note(`$ kubectl get configmaps -n ${NS} -l ${LABEL_EPISODES}`);
  say(indent(await kubectl(['get', 'configmaps', '-n', NS, '-l', LABEL_EPISODES])));
}

/** A real Alertmanager for the silences the buttons create, when one is installed and not turned off. */
async function startSilenceTarget(): Promise<AlertmanagerProcess | undefined> {
  if (!ALERTMANAGER_BIN || WITHOUT_ALERTMANAGER) return undefined;
  progress(`starting Alertmanager (${ALERTMANAGER_BIN}) for the silences the buttons create`);
  const am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n- name: none\n');
  onTeardown('stopped Alertmanager', () => am.stop());
  ok(`Alertmanager API at ${am.url}`);
  return am;
}

async function showSilence(am: AlertmanagerProcess, answer: string): Promise<void> {
  const silences = await am.silences();
  const made = silences.find((x) => x.status.state === 'active');
  if (!made) throw new Error(`no active silence in Alertmanager after the press (answer: "${answer}")`);
  note(`$ curl ${am.url}/api/v2/silences`);
  say(
    `    silence ${made.id.slice(0, 8)}…  ${made.status.state}, until ${made.endsAt.slice(0, 16).replace('T', ' ')} UTC, createdBy ${made.createdBy}`,
  );
  say(`      matchers: ${made.matchers.map((x) => `${x.name}="${x.value}"`).join(', ')}`);
  note(`  Alertmanager itself now holds back this group's notifications until the silence ends.`);
}

function lifecyclePayload(status: 'firing' | 'resolved', startsAt: string, endsAt?: string) {
  const annotations = { summary: 'Pod payments/checkout-7d9f8 restarted 5 times in 10 minutes' };
  return alertmanagerPayload([{ status, labels: LIFECYCLE_LABELS, annotations, startsAt, endsAt, fingerprint: 'c0ffee0000000001' }], {
    groupKey: `{}:{alertname="${LIFECYCLE_LABELS.alertname}"}`,
    receiver: 'telegram-ops',
    groupLabels: { alertname: LIFECYCLE_LABELS.alertname },
    commonLabels: LIFECYCLE_LABELS,
    commonAnnotations: annotations,
    externalURL: '',
  });
}

/** The oncall channel's manifest: its Alertmanager URL is only known once Alertmanager has started. */
function lifecycleManifest(alertmanagerUrl: string): string {
  return `# A bot of its own: with Silence buttons the operator consumes this bot's updates (getUpdates).
apiVersion: v1
kind: Secret
metadata: {name: oncall-bot, namespace: ${NS}}
stringData: {token: '${ONCALL_BOT.token}'}   # the emulator's fake @${ONCALL_BOT.username}
---
# What Alertmanager's webhook_configs sends as its Bearer token.
apiVersion: v1
kind: Secret
metadata: {name: alertmanager-webhook, namespace: ${NS}}
stringData: {token: ${LIFECYCLE.webhookToken}}
---
${channelHead(LIFECYCLE.channel)}
spec:
  tokenSecretRef: {name: oncall-bot}
  chatId: '${DEMO.chats.ops}'
  alertmanager:
    tokenSecretRef: {name: alertmanager-webhook}
    resolved: Edit                  # later notifications of the group edit its message
    silence:                        # buttons under every firing notification
      url: ${alertmanagerUrl}
      durations: ['1h', '24h']
      allowed: Administrators       # chat admins, checked with getChatMember at press time
`;
}
