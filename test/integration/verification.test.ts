// The controller end to end: real kube-apiserver + etcd, the built operator as a child process, and
// the Telegram emulator. Every reason of the contract is reached from a real manifest.
import { DEMO, makeToken } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { kubectl, kubectlResult } from '../harness/crds.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { G, channelHelpers, cond } from '../harness/channels.js';
import { createNamespace, eventually } from '../harness/kube.js';
import type { OperatorProcess } from '../harness/operator.js';

const TOKEN = DEMO.bot.token;

let ns: string;
let outsideNs: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const { core, custom, secret, channel, get, readyReason } = channelHelpers(() => ns);

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('verify'));
  outsideNs = await createNamespace('outside');
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
});

test('a healthy channel becomes Ready with the bot and chat in status, and kubectl wait sees it', async () => {
  await channel('ops', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  const ch = await readyReason('ops', 'Verified');
  expect(cond(ch, 'Ready')?.status).toBe('True');
  expect(cond(ch, 'TokenValid')?.status).toBe('True');
  expect(cond(ch, 'ChatReachable')?.status).toBe('True');
  expect(ch.status?.bot?.username).toBe(DEMO.bot.username);
  expect(ch.status?.chat).toMatchObject({ title: 'Ops', type: 'supergroup' });
  expect(ch.status?.observedGeneration).toBe(ch.metadata.generation);
  expect(cond(ch, 'Stalled')).toBeUndefined();
  const waited = kubectlResult(['wait', '-n', ns, '--for=condition=Ready', '--timeout=10s', 'tgc/ops']);
  expect(waited.code).toBe(0);
  const table = kubectl(['get', 'tgc', '-n', ns, 'ops']);
  expect(table).toMatch(/NAME\s+READY\s+REASON\s+BOT\s+CHAT\s+AGE/);
  expect(table).toMatch(/ops\s+True\s+Verified\s+ops_alerts_bot\s+Ops\s+/);
});

const chatCases: [string, Record<string, unknown>, string, string, RegExp][] = [
  ['chat-not-found', { chatId: '-1009999999999' }, 'ChatNotFound', 'False', /not found/],
  ['minus-sign', { chatId: String(-DEMO.chats.ops) }, 'ChatIdMissingMinusSign', 'False', new RegExp(`"${DEMO.chats.ops}"`)],
  ['migrated', { chatId: String(DEMO.chats.legacyGroup) }, 'ChatMigrated', 'False', new RegExp(`"${DEMO.chats.upgradedTo}"`)],
  ['deleted-group', { chatId: String(DEMO.chats.deletedGroup) }, 'BotNotMember', 'False', /deleted/],
  ['basic-group', { chatId: String(DEMO.chats.group) }, 'Verified', 'True', /Small Team/],
  ['not-member', { chatId: String(DEMO.chats.leftGroup) }, 'BotNotMember', 'False', /not a member/],
  ['private-not-member', { chatId: String(DEMO.chats.privateNotMember) }, 'BotNotMember', 'False', /not a member/],
  ['kicked', { chatId: String(DEMO.chats.kickedSupergroup) }, 'BotKicked', 'False', /kicked|banned/],
  ['restricted', { chatId: String(DEMO.chats.restrictedSupergroup) }, 'CannotPost', 'False', /restricted/],
  ['channel-no-post', { chatId: String(DEMO.chats.channelNoPost) }, 'CannotPost', 'False', /can_post_messages/],
  ['subscriber', { chatId: String(DEMO.chats.subscriberChannel) }, 'CannotPost', 'False', /subscriber/],
  ['thread-not-forum', { chatId: String(DEMO.chats.ops), messageThreadId: 42 }, 'ThreadNotFound', 'False', /not a forum/],
  ['forum-topic', { chatId: String(DEMO.chats.forum), messageThreadId: 42 }, 'Verified', 'True', /can post/],
  ['by-username', { chatId: '@ops_channel' }, 'Verified', 'True', /Ops Channel/],
];

test.each(chatCases)('chat case %s → %s', async (name, spec, reason, status, message) => {
  await channel(name, { tokenSecretRef: { name: 'bot' }, ...spec });
  const ch = await readyReason(name, reason);
  const ready = cond(ch, 'Ready')!;
  expect(ready.status).toBe(status);
  expect(ready.message).toMatch(message);
  if (status === 'False') {
    expect(cond(ch, 'ChatReachable')).toMatchObject({ status: 'False', reason });
    expect(cond(ch, 'Stalled')).toMatchObject({ status: 'True', reason });
  }
});

test('token problems: missing Secret, missing key, bad shapes, a 1 MB value, an unknown token', async () => {
  await secret('empty-token', { token: '' });
  await secret('space-token', { token: '   \n' });
  await secret('shape-token', { token: 'not-a-token' });
  await secret('huge-token', { token: 'x'.repeat(1024 * 1024 - 100) });
  await secret('unknown-token', { token: DEMO.unknownToken });
  await secret('newline-token', { token: `${TOKEN}\n` });
  const chatId = String(DEMO.chats.ops);
  await channel('no-secret', { tokenSecretRef: { name: 'does-not-exist' }, chatId });
  await channel('no-key', { tokenSecretRef: { name: 'bot', key: 'nope' }, chatId });
  await channel('empty', { tokenSecretRef: { name: 'empty-token' }, chatId });
  await channel('space', { tokenSecretRef: { name: 'space-token' }, chatId });
  await channel('shape', { tokenSecretRef: { name: 'shape-token' }, chatId });
  await channel('huge', { tokenSecretRef: { name: 'huge-token' }, chatId });
  await channel('unknown', { tokenSecretRef: { name: 'unknown-token' }, chatId });
  await channel('newline', { tokenSecretRef: { name: 'newline-token' }, chatId });

  expect(cond(await readyReason('no-secret', 'SecretNotFound'), 'Ready')?.message).toMatch(/does-not-exist/);
  expect(cond(await readyReason('no-key', 'SecretKeyNotFound'), 'Ready')?.message).toMatch(/no key "nope" \(it has 1 other key\)$/);
  expect(cond(await readyReason('empty', 'InvalidTokenFormat'), 'Ready')?.message).toMatch(/empty/);
  expect(cond(await readyReason('space', 'InvalidTokenFormat'), 'Ready')?.message).toMatch(/only whitespace/);
  expect(cond(await readyReason('shape', 'InvalidTokenFormat'), 'Ready')?.message).toMatch(/not a bot token/);
  const huge = cond(await readyReason('huge', 'InvalidTokenFormat'), 'Ready')!;
  expect(huge.message.length).toBeLessThan(300);
  expect(cond(await readyReason('unknown', 'Unauthorized'), 'TokenValid')?.status).toBe('False');
  // A trailing newline (echo without -n) is the most common mistake: it is trimmed, not fatal.
  expect(cond(await readyReason('newline', 'Verified'), 'Ready')?.status).toBe('True');
});

test('chat id problems from a Secret: letters, and a missing key', async () => {
  await secret('chat-letters', { chatId: 'ops-team' });
  await channel('chat-letters', { tokenSecretRef: { name: 'bot' }, chatIdSecretRef: { name: 'chat-letters' } });
  const ch = await readyReason('chat-letters', 'InvalidChatId');
  // Described, never echoed: the value came from a Secret.
  expect(cond(ch, 'ChatReachable')?.message).toMatch(
    /Secret .*chat-letters key "chatId" is not valid \(8 characters, has letters and punctuation\)/,
  );
  expect(JSON.stringify(ch)).not.toContain('ops-team');
  await channel('chat-nokey', { tokenSecretRef: { name: 'bot' }, chatIdSecretRef: { name: 'chat-letters', key: 'id' } });
  await readyReason('chat-nokey', 'SecretKeyNotFound');
});

test("rotating the Secret fixes a broken channel on the Secret's watch event, without a restart", async () => {
  await secret('rotating', { token: DEMO.unknownToken });
  await channel('rotate', { tokenSecretRef: { name: 'rotating' }, chatId: String(DEMO.chats.ops) });
  await readyReason('rotate', 'Unauthorized');
  await secret('rotating', { token: TOKEN });
  // 60 s is far inside the 10-minute resync and the hourly re-verification: only the Secret's
  // watch event can have verified it again, and the operator is the same process.
  await readyReason('rotate', 'Verified', 60_000);
  expect(operator.child.exitCode).toBeNull();
});

test('a transient Telegram outage makes Ready Unknown (not False) and recovers by itself', async () => {
  emulator.setFaults({ status5xx: { count: 1_000, code: 502 } });
  await channel('outage', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) });
  const down = await readyReason('outage', 'TelegramUnavailable');
  expect(cond(down, 'Ready')?.status).toBe('Unknown');
  expect(cond(down, 'Reconciling')?.status).toBe('True');
  emulator.clearFaults();
  const up = await readyReason('outage', 'Verified', 30_000);
  expect(cond(up, 'Reconciling')).toBeUndefined();
});

test('suspend stops verification and says so; resuming verifies again', async () => {
  const before = emulator.requests.length;
  await channel('sleepy', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.group), suspend: true });
  const ch = await readyReason('sleepy', 'Suspended');
  expect(cond(ch, 'Ready')?.status).toBe('False');
  const calls = emulator.requests.slice(before).filter((r) => String(r.params.chat_id) === String(DEMO.chats.group));
  expect(calls).toHaveLength(0);
  await custom.patchNamespacedCustomObject({
    ...G,
    namespace: ns,
    name: 'sleepy',
    body: [{ op: 'replace', path: '/spec/suspend', value: false }],
  });
  await readyReason('sleepy', 'Verified');
});

test('a steady channel makes no status writes and no Telegram calls between intervals', async () => {
  await channel('steady', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.channel) });
  const before = await readyReason('steady', 'Verified');
  const rv = (before.metadata as { resourceVersion?: string }).resourceVersion;
  const calls = emulator.requests.length;
  await new Promise((r) => setTimeout(r, 3_000));
  const after = await get('steady');
  expect((after.metadata as { resourceVersion?: string }).resourceVersion).toBe(rv);
  expect(emulator.requests.filter((r) => String(r.params.chat_id) === String(DEMO.chats.channel)).length).toBeGreaterThan(0);
  expect(emulator.requests.slice(calls).filter((r) => String(r.params.chat_id) === String(DEMO.chats.channel))).toHaveLength(0);
});

test('a channel outside WATCH_NAMESPACE is left alone', async () => {
  await secret('bot', { token: TOKEN }, outsideNs);
  await channel('elsewhere', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops) }, outsideNs);
  await new Promise((r) => setTimeout(r, 2_000));
  const ch = await get('elsewhere', outsideNs);
  expect(ch.status?.conditions).toBeUndefined();
});

test('deleting a channel is quiet: no errors, no more calls for it', async () => {
  await channel('short-lived', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.forum) });
  await readyReason('short-lived', 'Verified');
  await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: 'short-lived' });
  await eventually(
    async () =>
      get('short-lived').then(
        () => false,
        () => true,
      ),
    10_000,
    'channel gone',
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const errors = operator.logs().filter((l) => l.name === 'short-lived' && (l.level === 'error' || l.level === 'warn'));
  expect(errors).toEqual([]);
});

test('the token never appears in logs, status, events or metrics', async () => {
  const tokens = [TOKEN, DEMO.unknownToken, DEMO.otherBot.token, makeToken(DEMO.bot.id)];
  const secretPart = (t: string) => t.split(':')[1]!;
  const statuses = JSON.stringify(await custom.listNamespacedCustomObject({ ...G, namespace: ns }));
  const events = JSON.stringify(await core.listNamespacedEvent({ namespace: ns }));
  const metrics = await (await fetch(`${operator.url}/metrics`)).text();
  const logs = operator.output();
  expect(logs.length).toBeGreaterThan(1000);
  expect(events).toContain('Verified');
  for (const t of tokens) {
    for (const [where, text] of [
      ['logs', logs],
      ['status', statuses],
      ['events', events],
      ['metrics', metrics],
    ] as const) {
      expect({ where, leaked: text.includes(secretPart(t)) }).toEqual({ where, leaked: false });
    }
  }
});

describe('the CRD rejects broken manifests at apply time with a clear message', () => {
  const manifest = (spec: string) => `apiVersion: telegram.notify.dev/v1alpha1
kind: TelegramChannel
metadata: {name: broken, namespace: ${ns}}
spec:
${spec}
`;
  test.each([
    [
      'both chat sources',
      '  tokenSecretRef: {name: bot}\n  chatId: "-100123"\n  chatIdSecretRef: {name: bot}',
      /exactly one of chatId and chatIdSecretRef/,
    ],
    ['no chat source', '  tokenSecretRef: {name: bot}', /exactly one of chatId and chatIdSecretRef/],
    ['thread id 1', '  tokenSecretRef: {name: bot}\n  chatId: "-100123"\n  messageThreadId: 1', /messageThreadId must be 2 or more/],
    [
      'interval under a minute',
      '  tokenSecretRef: {name: bot}\n  chatId: "-100123"\n  verifyInterval: 30s',
      /verifyInterval must be at least 1m/,
    ],
    [
      'unknown parseMode',
      '  tokenSecretRef: {name: bot}\n  chatId: "-100123"\n  parseMode: Markdown',
      /parseMode.*Unsupported value: "Markdown"/,
    ],
    ['letters in chatId', '  tokenSecretRef: {name: bot}\n  chatId: "ops-team"', /chatId must be a number/],
    ['chat id 0 as a number', '  tokenSecretRef: {name: bot}\n  chatId: 0', /chatId must be a number/],
    ['a number past 52 bits', '  tokenSecretRef: {name: bot}\n  chatId: -4503599627370496', /chatId must be a number/],
    ['a fraction', '  tokenSecretRef: {name: bot}\n  chatId: -100123.5', /chatId/],
  ])('%s', (_what, spec, message) => {
    const r = kubectlResult(['apply', '--server-side', '-f', '-'], manifest(spec));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});

test('chatId as a YAML number, as Prometheus Operator users write it, is stored exactly and verifies', async () => {
  const manifest = (name: string, chatId: string) => `apiVersion: telegram.notify.dev/v1alpha1
kind: TelegramChannel
metadata: {name: ${name}, namespace: ${ns}}
spec:
  tokenSecretRef: {name: bot}
  chatId: ${chatId}
`;
  expect(kubectlResult(['apply', '-f', '-'], manifest('numeric', String(DEMO.chats.ops))).code).toBe(0);
  const ch = await readyReason('numeric', 'Verified');
  expect(ch.status?.chat).toMatchObject({ id: String(DEMO.chats.ops), title: 'Ops' });
  // The largest ids Telegram promises (52 bits) round-trip through the API server without losing a digit.
  // The operator reads them as the same digits (its ChatNotFound message names the id it asked for).
  for (const [i, id] of ['-4503599627370495', '4503599627370495', '-1009999999999999'].entries()) {
    expect(kubectlResult(['apply', '-f', '-'], manifest(`big-${i}`, id)).code).toBe(0);
    expect(kubectl(['get', 'tgc', '-n', ns, `big-${i}`, '-o', 'json'])).toMatch(new RegExp(`"chatId": ${id}\\b`));
    const read = await readyReason(`big-${i}`, 'ChatNotFound');
    expect(cond(read, 'ChatReachable')?.message).toContain(id);
  }
});

test('a 429 during verification makes Ready Unknown with RateLimited, obeys retry_after, then verifies', async () => {
  emulator.setFaults({ flood: { count: 1, retryAfter: 3, methods: ['getChat'] } });
  await channel('flooded', { tokenSecretRef: { name: 'bot' }, chatId: '@ops_channel' });
  const limited = await readyReason('flooded', 'RateLimited');
  expect(cond(limited, 'Ready')?.status).toBe('Unknown');
  expect(cond(limited, 'ChatReachable')?.message).toMatch(/retry after 3s/);
  await readyReason('flooded', 'Verified', 15_000);
  // The emulator's arrival times: the next getChat waited out retry_after after the refused one.
  const getChats = emulator.requests.filter((r) => r.method === 'getChat' && r.params.chat_id === '@ops_channel');
  const refused = getChats.findIndex((r) => r.status === 429);
  expect(refused).toBeGreaterThanOrEqual(0);
  expect(getChats[refused + 1]!.time - getChats[refused]!.time).toBeGreaterThanOrEqual(3_000);
});
