// The chats record against an API server that never answers: each call gives up at its deadline and
// the bot's next record is not held behind it.
import * as k8s from '@kubernetes/client-node';
import { ChatsRecorder } from '../../../src/interaction/chatsRecord.js';
import { createLogger } from '../../../src/observability/log.js';
import { startHangingApiServer, type HangingApiServer } from '../kube/hangingApiServer.js';

let hanging: HangingApiServer;
beforeEach(async () => {
  hanging = await startHangingApiServer();
});
afterEach(() => hanging.close());

const update = (chatId: number) => ({
  chat: { id: chatId, type: 'supergroup', title: 'Ops' },
  from: { id: 1 },
  date: 1_700_000_000,
  old_chat_member: { status: 'left', user: { id: 9 } },
  new_chat_member: { status: 'member', user: { id: 9 } },
});

test('a hung API server: each ConfigMap call is abandoned at its deadline, and the next record goes ahead', async () => {
  const recorder = new ChatsRecorder(hanging.kc.makeApiClient(k8s.CoreV1Api), 'ops', createLogger('silent'), 300);
  await recorder.record('42', update(-1001));
  await recorder.record('42', update(-1002));
  // Both records settled (without a deadline the first would hold the bot's chain forever); every read
  // that reached the server was closed by the client, not left open.
  expect(hanging.seen.length).toBeGreaterThanOrEqual(1);
  expect(hanging.seen.every((r) => r.method === 'GET' && r.url.endsWith('/configmaps/telegram-bot-42-chats'))).toBe(true);
  await Promise.all(hanging.seen.map((r) => r.closed));
});
