// A new webhook source is one file (exampleSource.ts) plus one line in the list of sources: given that
// list, the operator serves its route with the same authentication, body budget, delivery and leader
// forwarding as Alertmanager's, over real HTTP on 127.0.0.1 (fake channels, Secrets and sender). And
// the forwarding protocol keeps sources apart: what a follower forwarded for one source is never
// accepted by the leader as another's.
import { randomBytes } from 'node:crypto';
import type { TelegramChannel } from '../../../src/api/types.js';
import type { SecretReader, SecretValue } from '../../../src/credentials/secrets.js';
import type { OutgoingMessage, Sender } from '../../../src/delivery/sender.js';
import {
  FORWARD_PATH,
  NONCE_HEADER,
  PROOF_HEADER,
  forwardKey,
  forwardSubject,
  proof,
  sha256Hex,
} from '../../../src/http/forwardProtocol.js';
import { UNAUTHORIZED_MESSAGE } from '../../../src/http/webhookAuth.js';
import { SOURCES } from '../../../src/sources/registry.js';
import type { WebhookSource } from '../../../src/sources/source.js';
import { startReplica } from '../http/webhookReplica.js';
import { exampleSource } from './exampleSource.js';

/** The registry with the example's line added: `[alertmanagerSource, exampleSource]`. */
const WITH_EXAMPLE: readonly WebhookSource[] = [...SOURCES, exampleSource];

const TOKEN = 'example-webhook-token';
const NS = 'team';
const channel = (name: string, spec: Record<string, unknown>) =>
  ({
    metadata: { name, namespace: NS, generation: 1 },
    spec: { tokenSecretRef: { name: 'bot' }, chatId: '-100123', ...spec },
    status: {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Verified',
          message: '',
          observedGeneration: 1,
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    },
  }) as unknown as TelegramChannel;
const channels: Record<string, TelegramChannel> = {
  ops: channel('ops', { alertmanager: { tokenSecretRef: { name: 'hook' } } }),
  off: channel('off', {}),
};
const secrets = {
  read: async (_ns: string, name: string): Promise<SecretValue> =>
    name === 'hook' ? { ok: true, value: TOKEN } : { ok: false, reason: 'SecretNotFound', message: 'not found' },
} as unknown as SecretReader;

const sent: OutgoingMessage[] = [];
const sender = {
  send: async (m: OutgoingMessage) => {
    sent.push(m);
    return { messageIds: m.parts.map((_, i) => 100 + i) };
  },
} as unknown as Sender;

const servers: { close: (cb: () => void) => void; closeAllConnections: () => void }[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});
beforeEach(() => (sent.length = 0));

async function replica(opts: { leader: boolean; leaderEndpoint?: string; sources?: readonly WebhookSource[] }): Promise<string> {
  const { url, server } = await startReplica({
    sender,
    secrets,
    getChannel: (ns, name) => (ns === NS ? channels[name] : undefined),
    leader: opts.leader,
    leaderEndpoint: () => opts.leaderEndpoint,
    ...(opts.sources ? { sources: opts.sources } : {}),
  });
  servers.push(server);
  return url;
}

const post = (base: string, source: string, name: string, body: unknown, token = TOKEN) =>
  fetch(`${base}/webhooks/${source}/${NS}/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe('a source added to the list', () => {
  test('is served at /webhooks/{name}/…: parsed and rendered by it, delivered through the service, labelled by its name', async () => {
    const leader = await replica({ leader: true, sources: WITH_EXAMPLE });
    const r = await post(leader, 'example', 'ops', { title: 'Disk <full>' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'delivered', messages: 1, messageIds: [100] });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ parts: ['<b>[example] Disk &lt;full&gt;</b> is firing'], source: 'example' });
    expect(sent[0]!.options.parse_mode).toBe('HTML');
  });

  test('gets the same answers as Alertmanager: its parse error as a 400, the uniform 401 when not opted in or the token is wrong', async () => {
    const leader = await replica({ leader: true, sources: WITH_EXAMPLE });
    const bad = await post(leader, 'example', 'ops', { title: '' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid Example payload: title: a non-empty string is required' });
    const unauthorized = JSON.stringify({ error: UNAUTHORIZED_MESSAGE });
    for (const r of [await post(leader, 'example', 'off', { title: 'A' }), await post(leader, 'example', 'ops', { title: 'A' }, 'wrong')]) {
      expect(r.status).toBe(401);
      expect(await r.text()).toBe(unauthorized);
    }
    expect(sent).toHaveLength(0);
  });

  test('is forwarded by a follower under its own name and delivered once by the leader', async () => {
    const leader = await replica({ leader: true, sources: WITH_EXAMPLE });
    const follower = await replica({ leader: false, leaderEndpoint: leader, sources: WITH_EXAMPLE });
    const r = await post(follower, 'example', 'ops', { title: 'ViaFollower' });
    expect(r.status).toBe(200);
    expect(sent.map((m) => m.parts)).toEqual([['<b>[example] ViaFollower</b> is firing']]);
  });

  test('without its line, its route does not exist', async () => {
    const leader = await replica({ leader: true });
    expect((await post(leader, 'example', 'ops', { title: 'A' })).status).toBe(404);
    expect(sent).toHaveLength(0);
  });
});

test('a body forwarded for one source is refused by the leader as another source: the source is inside the MACs and the nonce', async () => {
  const leader = await replica({ leader: true, sources: WITH_EXAMPLE });
  const origin = new URL(leader).origin;
  // What a follower sends for a notification of the example source (the body is valid Alertmanager JSON too)…
  const body = Buffer.from(
    JSON.stringify({ version: '4', groupKey: 'g', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Replayed' } }] }),
  );
  const key = forwardKey(TOKEN, NS, 'ops');
  const asExample = forwardSubject('example', NS, 'ops');
  const followerNonce = randomBytes(32).toString('hex');
  const challenge = await fetch(`${leader}${FORWARD_PATH}/example/${NS}/ops/challenge`, {
    method: 'POST',
    headers: { [NONCE_HEADER]: followerNonce, [PROOF_HEADER]: proof(key, 'hello', [followerNonce, asExample, origin]) },
  });
  expect(challenge.status).toBe(200);
  const { nonce: leaderNonce } = (await challenge.json()) as { nonce: string };
  const mac = proof(key, 'notification', [followerNonce, leaderNonce, asExample, origin, sha256Hex(body)]);
  // …taken by someone on the path and posted to the Alertmanager source's notification route instead.
  const r = await fetch(`${leader}${FORWARD_PATH}/alertmanager/${NS}/ops/notification`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [NONCE_HEADER]: leaderNonce, [PROOF_HEADER]: mac },
    body,
  });
  expect(r.status).toBe(401);
  expect(sent).toHaveLength(0);
});
