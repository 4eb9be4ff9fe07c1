// Act 8: your words, your topics. A channel on the "Incidents" forum (the bot an administrator with
// Manage topics) with a template and two routes by severity, each to a topic by name. One Alertmanager
// notification carrying a critical and a warning alert becomes two messages, in two topics the operator
// creates, both in the channel's own words; the resolved notification edits each in place.
import { LABEL_TOPICS } from '../../src/lifecycle/topics.js';
import { alertmanagerPayload, type TestAlert } from '../../test/harness/alertmanagerPayload.js';
import { DEMO } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { channelHead } from '../channelHead.js';
import { printForum } from '../chatView.js';
import { bold, indent, note, ok, say, section } from '../console.js';
import { kubectlHeredoc } from '../heredoc.js';
import { kubectl } from '../kubectl.js';
import { NS, TOPICS } from '../settings.js';
import { postNotification, waitFor } from '../notifications.js';
import { waitForChannel } from '../waitForChannel.js';

const FORUM = DEMO.chats.managedForum;

export async function routeIntoTopics(emulator: TelegramEmulator, operatorUrl: string): Promise<void> {
  section('Your words, your topics: a template, and critical and warning alerts in two forum topics');
  await kubectlHeredoc(['apply', '--server-side'], topicsManifest());
  // Ready, then TemplateValid and RoutesValid: the template passed the samples, the routes compiled, the forum allows topics.
  await waitForChannel(TOPICS.channel, 'verified and its template and routes checked', { alsoTrue: ['TemplateValid', 'RoutesValid'] });

  say();
  say(`  ${bold('Fire.')} One notification of the group, with a critical and a warning alert (posted as Alertmanager would):`);
  const startsAt = new Date(Date.now() - 120_000).toISOString();
  await post(operatorUrl, 'firing', startsAt);
  const bothSent = await waitFor('a message in each of the two topics', () => {
    const inTopics = emulator.chatView(FORUM).filter((m) => m.threadId !== undefined);
    return inTopics.length >= 2 ? inTopics : undefined;
  });
  const topics = emulator.forumTopics.filter((t) => t.chatId === FORUM && !t.deleted);
  ok(`the operator created ${topics.length} topics with createForumTopic: ${topics.map((t) => `"${t.name}" (${t.threadId})`).join(', ')}`);
  ok(`${bothSent.length} messages, one per route, each in its topic, in the channel's template:`);
  printForum(emulator, FORUM, 'Incidents');
  note(`  The warning arrived without a sound (silent: true); the critical one rang.`);
  note(`  Which topic is which is kept in a ConfigMap, so later notifications, a restart or a new leader reuse them:`);
  note(`$ kubectl get configmaps -n ${NS} -l ${LABEL_TOPICS}`);
  say(indent(await kubectl(['get', 'configmaps', '-n', NS, '-l', LABEL_TOPICS])));

  say();
  say(`  ${bold('Resolve.')} Both alerts resolve; Alertmanager sends the resolved notification:`);
  await post(operatorUrl, 'resolved', startsAt, new Date().toISOString());
  await waitFor('both messages edited to resolved', () => {
    const view = emulator.chatView(FORUM);
    return view.filter((m) => m.text.startsWith('✅')).length >= 2 ? view : undefined;
  });
  ok(`each message edited in place, in its own topic: still ${emulator.chatView(FORUM).length} messages in the forum`);
  printForum(emulator, FORUM, 'Incidents');
  note(`  Preview the same offline, before a merge: telegram-channel-operator render -f channel.yaml (docs/templates-and-routes.md).`);
}

/** Two alerts on the same pod, one per route: a critical and a warning one. */
function alerts(status: 'firing' | 'resolved', startsAt: string, endsAt?: string): TestAlert[] {
  const onCheckout = (name: string, severity: string, summary: string, fingerprint: string): TestAlert => ({
    name,
    status,
    labels: { namespace: 'payments', pod: 'checkout-7d9f8', severity },
    annotations: { summary },
    startsAt,
    endsAt,
    fingerprint,
  });
  return [
    onCheckout('KubePodCrashLooping', 'critical', 'restarted 5 times in 10 minutes', 'c0ffee0000000011'),
    onCheckout('CPUThrottlingHigh', 'warning', 'throttled 42% of the time', 'c0ffee0000000012'),
  ];
}

async function post(operatorUrl: string, status: 'firing' | 'resolved', startsAt: string, endsAt?: string): Promise<void> {
  const payload = alertmanagerPayload(alerts(status, startsAt, endsAt), {
    groupKey: '{}:{namespace="payments"}',
    receiver: 'telegram-incidents',
    groupLabels: { namespace: 'payments' },
    commonLabels: { namespace: 'payments', pod: 'checkout-7d9f8' },
    externalURL: '',
  });
  await postNotification(operatorUrl, TOPICS.channel, payload, status);
}

/** The first ready-to-paste template of docs/templates-and-routes.md, and a route per severity. */
function topicsManifest(): string {
  return `# The "Incidents" forum: Topics turned on, the bot an administrator with Manage topics.
${channelHead(TOPICS.channel)}
spec:
  tokenSecretRef: {name: telegram-bot}
  chatId: ${FORUM}        # a YAML number works as well as a quoted string
  alertmanager:
    tokenSecretRef: {name: alertmanager-webhook}
  template:
    firing: |
      {% for a in firing %}{% if a.labels.severity == "critical" %}🔴{% else %}🟠{% endif %} <b>{{ a.labels.alertname }}</b> {{ a.labels.namespace }}/{{ a.labels.pod }}: {{ a.annotations.summary }}
      {% endfor %}
    resolved: |
      ✅ resolved: {{ resolved | map: "labels" | map: "alertname" | join: ", " }}
  routes:                       # the first route an alert matches decides its topic
  - matchers: ['severity="critical"']
    topic: {name: Critical}     # found, or created on first use
  - matchers: ['severity="warning"']
    topic: {name: Warnings}
    silent: true                # arrives without a sound
`;
}
