// The webhook against the real operator process and control plane, with two teams (namespaces):
// - one team's slow uploads hold only what they sent, within the team's share of the body budget,
//   so another team's notification is still accepted and delivered;
// - refusals are cheap: requests without a bearer cost no API read, and a stream of requests naming
//   a Secret that does not exist costs one GET per few seconds, not one each. The operator talks to the
//   apiserver through a counting proxy, so its Secret GETs are counted exactly.
import http from 'node:http';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { alertmanagerPayload } from '../harness/alertmanagerPayload.js';
import { channelHelpers } from '../harness/channels.js';
import { CountingApiProxy } from '../harness/countingApiProxy.js';
import { installCrds } from '../harness/crds.js';
import { createNamespace, eventually } from '../harness/kube.js';
import { startOperator, type OperatorProcess } from '../harness/operator.js';

let nsA: string;
let nsB: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
const proxy = new CountingApiProxy();
const { secret, channel, readyReason } = channelHelpers(() => nsA);
const TOKEN_A = 'team-a-webhook-bearer';
const TOKEN_B = 'team-b-webhook-bearer';

beforeAll(async () => {
  installCrds();
  nsA = await createNamespace('fair-a');
  nsB = await createNamespace('fair-b');
  emulator = new TelegramEmulator(demoScenario());
  const url = await emulator.start();
  for (const [ns, token] of [
    [nsA, TOKEN_A],
    [nsB, TOKEN_B],
  ] as const) {
    await secret('bot', { token: DEMO.bot.token }, ns);
    await secret('am', { token }, ns);
    const spec = { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.ops), alertmanager: { tokenSecretRef: { name: 'am' } } };
    await channel('alerts', spec, ns);
  }
  // Its webhook Secret was never created.
  await channel('locked', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { tokenSecretRef: { name: 'missing' } },
  });
  operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: `${nsA},${nsB}`, KUBECONFIG: await proxy.start() });
  await readyReason('alerts', 'Verified', 30_000, nsA);
  await readyReason('alerts', 'Verified', 30_000, nsB);
});

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
  await proxy.stop();
});

const post = (ns: string, name: string, body: unknown, bearer?: string) =>
  fetch(`${operator.url}/webhooks/alertmanager/${ns}/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });

test("four trickling chunked uploads with team A's own bearer leave team B's notification accepted and delivered", async () => {
  const { port } = new URL(operator.url);
  const uploads = [1, 2, 3, 4].map(() => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/webhooks/alertmanager/${nsA}/alerts`,
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', Authorization: `Bearer ${TOKEN_A}` },
    });
    req.on('error', () => undefined);
    req.write('{');
    // One byte every 200 ms: far below any size limit, far longer than the test.
    const trickle = setInterval(() => req.write(' '), 200);
    return { req, trickle };
  });
  try {
    // The uploads are authenticated and being read (the operator logs nothing for them yet): give them a moment.
    await new Promise((r) => setTimeout(r, 1_000));
    const r = await post(nsB, 'alerts', alertmanagerPayload([{ name: 'TeamBStillHeard' }]), TOKEN_B);
    expect({ status: r.status, body: await r.text() }).toMatchObject({ status: 200 });
    const sent = await eventually(
      async () => emulator.messagesTo(DEMO.chats.ops).find((m) => m.text.includes('TeamBStillHeard')),
      15_000,
      "team B's message in the chat",
    );
    expect(sent.text).toMatch(/FIRING/);
  } finally {
    for (const u of uploads) {
      clearInterval(u.trickle);
      u.req.destroy();
    }
  }
});

test('300 POSTs without a bearer to a channel whose Secret is missing cost no Secret GET; 300 with a wrong bearer a handful', async () => {
  const secretPath = `/api/v1/namespaces/${nsA}/secrets/missing`;
  const before = proxy.count('GET', secretPath);
  const statuses: number[] = [];
  for (let batch = 0; batch < 6; batch++) {
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(nsA, 'locked', alertmanagerPayload([{ name: 'Anon' }]))));
    statuses.push(...answers.map((r) => r.status));
  }
  expect(new Set(statuses)).toEqual(new Set([401]));
  const anonymous = proxy.count('GET', secretPath) - before;

  const beforeWrong = proxy.count('GET', secretPath);
  for (let batch = 0; batch < 6; batch++) {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(nsA, 'locked', alertmanagerPayload([{ name: 'Guess' }]), 'a-guessed-token')),
    );
    statuses.push(...answers.map((r) => r.status));
  }
  expect(new Set(statuses)).toEqual(new Set([401]));
  const guessed = proxy.count('GET', secretPath) - beforeWrong;
  // A missing Secret is believed missing for 3 s (one GET per 3 s at most), and concurrent reads share one GET.
  expect(anonymous).toBe(0);
  expect(guessed).toBeLessThanOrEqual(5);
  // The proxy really sees the operator's calls: the channels' own Secrets were read through it.
  expect(proxy.count('GET', `/api/v1/namespaces/${nsA}/secrets/bot`)).toBeGreaterThan(0);
});
