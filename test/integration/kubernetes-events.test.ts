// spec.kubernetesEvents with the built operator, the real API server and the Telegram emulator, the
// operator running as deploy/base's ServiceAccount (its RBAC is all it gets): Warning events created
// through events.k8s.io/v1 become one message per (object, reason), a growing series edits it, a Normal
// event or another reason is not relayed, a channel in another namespace sees only its own events, a
// restart sends nothing again, a storm of 1,000 events over 300 objects folds into a few messages with no
// 429, and without the events RBAC the channel says EventsWatching=False/Forbidden and stays Ready.
import * as k8s from '@kubernetes/client-node';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers, cond, type Cond } from '../harness/channels.js';
import { startEmulatedNamespace } from '../harness/emulatedOperator.js';
import { createNamespace, eventually, kubeConfig } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';
import { deployedServiceAccountKubeconfig } from '../harness/serviceAccount.js';
import { recordEvent, repeatEvent } from '../harness/warningEvents.js';

let ns: string;
let other: string;
let emulator: TelegramEmulator;
let telegramUrl: string;
let operator: OperatorProcess | undefined;
let kubeconfig: string;
const { secret, channel, get, readyReason, conditionWhen } = channelHelpers(() => ns);
const events = kubeConfig().makeApiClient(k8s.EventsV1Api);
const MINE = DEMO.chats.ops;
const THEIRS = DEMO.chats.group;
const STORM = DEMO.chats.channel;

const operatorEnv = () => ({
  TELEGRAM_API_URL: telegramUrl,
  WATCH_NAMESPACE: `${ns},${other}`,
  POD_NAMESPACE: ns,
  KUBECONFIG: kubeconfig,
});

function warning(
  namespace: string,
  name: string,
  object: { kind: string; name: string },
  reason: string,
  note: string,
  type = 'Warning',
): Promise<void> {
  return recordEvent(events, { namespace, name, object: { ...object, uid: `uid-${namespace}-${object.name}` }, reason, note, type });
}

const repeat = (namespace: string, name: string, count: number) => repeatEvent(events, namespace, name, count);

const texts = (chat: number) => emulator.messagesTo(chat).map((m) => m.text);
/** Waits until the channel's EventsWatching condition passes `ok`; resolves with it. */
const eventsWatching = (name: string, ok: (c: Cond) => boolean, timeoutMs: number, namespace = ns) =>
  conditionWhen(name, 'EventsWatching', ok, { timeoutMs, namespace });
const watching = (c: Cond) => c.status === 'True';

beforeAll(async () => {
  ({ ns, emulator, url: telegramUrl } = await startEmulatedNamespace('events'));
  other = await createNamespace('events-other');
  await secret('bot', { token: DEMO.bot.token }, other);
  kubeconfig = await deployedServiceAccountKubeconfig(ns);
  operator = await startOperator(operatorEnv());
  await channel('mine', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(MINE),
    kubernetesEvents: { reasons: ['BackOff', 'FailedMount'], kinds: ['Pod'] },
  });
  await channel('theirs', { tokenSecretRef: { name: 'bot' }, chatId: String(THEIRS), kubernetesEvents: {} }, other);
  await readyReason('mine', 'Verified', 30_000);
  await eventsWatching('mine', watching, 30_000);
  await eventsWatching('theirs', watching, 30_000, other);
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

test('a Warning event is one message; its series growing edits that message; Normal events and other reasons are not relayed', async () => {
  await warning(ns, 'web-1.backoff', { kind: 'Pod', name: 'web-1' }, 'BackOff', 'Back-off restarting failed container app in pod web-1');
  await warning(ns, 'web-1.normal', { kind: 'Pod', name: 'web-1' }, 'Pulled', 'Successfully pulled image', 'Normal');
  await warning(ns, 'web-1.unhealthy', { kind: 'Pod', name: 'web-1' }, 'Unhealthy', 'Readiness probe failed');
  await eventually(
    async () => texts(MINE).some((t) => t.includes('BackOff') && t.includes(`Pod ${ns}/web-1`)),
    20_000,
    'the BackOff message',
  );

  await repeat(ns, 'web-1.backoff', 7);
  await eventually(async () => texts(MINE).some((t) => t.includes('×7')), 20_000, 'the message edited to ×7');
  // A FailedMount of the same pod is another reason: a message of its own; the Unhealthy and Normal ones never come.
  await warning(ns, 'web-1.mount', { kind: 'Pod', name: 'web-1' }, 'FailedMount', 'MountVolume.SetUp failed for volume "data"');
  await eventually(async () => texts(MINE).some((t) => t.includes('FailedMount')), 20_000, 'the FailedMount message');

  const mine = texts(MINE);
  expect(mine).toHaveLength(2);
  expect(mine.join('\n')).not.toMatch(/Unhealthy|Pulled/);
  expect(mine.find((t) => t.includes('BackOff'))).toContain('Back-off restarting failed container');
}, 60_000);

test("a channel sees its own namespace's events only", async () => {
  await warning(other, 'db-0.backoff', { kind: 'Pod', name: 'db-0' }, 'BackOff', 'Back-off restarting failed container db');
  await eventually(async () => texts(THEIRS).some((t) => t.includes(`Pod ${other}/db-0`)), 20_000, "the other namespace's message");
  // The first namespace's events (already relayed to `mine`) never reached the other namespace's channel, and back.
  expect(texts(THEIRS).join('\n')).not.toContain(ns + '/');
  expect(texts(MINE).join('\n')).not.toContain('db-0');
  // A channel outside EVENTS_CLUSTER_NAMESPACES asking for other namespaces: refused in status, its own still relayed.
  await channel(
    'selector',
    { tokenSecretRef: { name: 'bot' }, chatId: String(THEIRS), kubernetesEvents: { namespaceSelector: {} } },
    other,
  );
  const refused = await eventsWatching('selector', (c) => c.reason === 'NamespaceSelectorNotAllowed', 30_000, other);
  expect(refused.status).toBe('False');
  expect(refused.message).toContain(ns); // the trusted namespace, the operator's own by default
}, 60_000);

test('a restart of the operator sends nothing again; a repeat after it edits the same message', async () => {
  const before = emulator.messagesTo(MINE).map((m) => ({ id: m.messageId, text: m.text }));
  await operator!.stop();
  operator = await startOperator(operatorEnv());
  await eventsWatching('mine', watching, 30_000);
  // A signal that the new process relays: a new object's event arrives after the relist of the old ones.
  await warning(ns, 'web-2.backoff', { kind: 'Pod', name: 'web-2' }, 'BackOff', 'Back-off restarting failed container app in pod web-2');
  await eventually(async () => texts(MINE).some((t) => t.includes(`Pod ${ns}/web-2`)), 30_000, 'the web-2 message');
  expect(emulator.messagesTo(MINE)).toHaveLength(before.length + 1);

  await repeat(ns, 'web-1.backoff', 9);
  await eventually(async () => texts(MINE).some((t) => t.includes('×9')), 20_000, 'the first message edited to ×9');
  const edited = emulator.messagesTo(MINE).find((m) => m.text.includes('×9'))!;
  expect(edited.messageId).toBe(before.find((m) => m.text.includes('BackOff') && m.text.includes('web-1'))!.id);
  expect(emulator.messagesTo(MINE)).toHaveLength(before.length + 1);
}, 90_000);

test('an event storm: 1,000 events over 300 objects in one chat, every object shown, no 429, fewer messages than objects', async () => {
  const since = emulator.requests.length;
  await channel('storm', { tokenSecretRef: { name: 'bot' }, chatId: String(STORM), kubernetesEvents: { reasons: ['OOMKilling'] } });
  await readyReason('storm', 'Verified', 30_000);
  await eventsWatching('storm', watching, 30_000);
  const OBJECTS = 300;
  const work: (() => Promise<void>)[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    work.push(() =>
      warning(ns, `storm-${i}.oom`, { kind: 'Pod', name: `storm-${i}` }, 'OOMKilling', `Memory cgroup out of memory: pod storm-${i}`),
    );
  }
  for (let i = 0; i < 1000 - OBJECTS; i++) work.push(() => repeat(ns, `storm-${i % OBJECTS}.oom`, 2 + Math.floor(i / OBJECTS)));
  // Creates first, then the repeats, ten API calls at a time.
  let next = 0;
  const worker = async () => {
    while (next < work.length) await work[next++]!();
  };
  await Promise.all(Array.from({ length: 10 }, worker));

  // Every object is in the chat: in a message of its own, or counted in the one "and N more" message.
  const shown = () => {
    const own = texts(STORM).filter((t) => t.includes('OOMKilling ·')).length;
    const more = texts(STORM)
      .map((t) => /and (\d+) more/.exec(t))
      .find((m) => m);
    return own + Number(more?.[1] ?? 0);
  };
  await eventually(async () => shown() === OBJECTS, 180_000, `all ${OBJECTS} objects shown (now ${shown()})`);
  const calls = emulator.requests.slice(since).filter((r) => String(r.params['chat_id']) === String(STORM));
  expect(calls.filter((r) => r.status === 429)).toHaveLength(0);
  expect(emulator.messagesTo(STORM).length).toBeLessThan(OBJECTS);
  expect(calls.every((r) => r.status === 200)).toBe(true);
}, 300_000);

test('without list/watch of events.k8s.io events: EventsWatching=False, Forbidden, and the channel is still Ready', async () => {
  await operator!.stop();
  operator = undefined;
  const denied = await createNamespace('events-denied');
  await secret('bot', { token: DEMO.bot.token }, denied);
  const restricted = await deployedServiceAccountKubeconfig(denied, 'deploy/base', (r) => r.apiGroups?.includes('events.k8s.io') ?? false);
  operator = await startOperator({ TELEGRAM_API_URL: telegramUrl, WATCH_NAMESPACE: denied, POD_NAMESPACE: denied, KUBECONFIG: restricted });
  await channel('denied', { tokenSecretRef: { name: 'bot' }, chatId: String(THEIRS), kubernetesEvents: {} }, denied);
  const c = await eventsWatching('denied', (w) => w.reason === 'Forbidden', 60_000, denied);
  expect(c.status).toBe('False');
  expect(c.message).toContain('docs/kubernetes-events.md');
  expect(cond(await get('denied', denied), 'Ready')?.status).toBe('True');
}, 120_000);
