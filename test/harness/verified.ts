// What the reconciler's unit tests script their verifier with: a well-formed bot token and a
// verification that passed (token valid, chat reachable), which a test varies per case.
import type { VerifyResult } from '../../src/telegram/verifier.js';

export const BOT_TOKEN = '123456789:AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

export const VERIFIED: VerifyResult = {
  token: { status: 'True', reason: 'Verified', message: 'bot @b' },
  chat: { status: 'True', reason: 'Verified', message: 'can post' },
  bot: { id: 1, username: 'b' },
  chatInfo: { id: '-1001', type: 'supergroup', title: 'Ops' },
};
