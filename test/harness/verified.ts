// What the reconciler's unit tests script their verifier with: a well-formed bot token and a
// verification that passed (token valid, chat reachable), which a test varies per case.
import { ChannelResolver } from '../../src/credentials/resolver.js';
import { Verification } from '../../src/controller/verification.js';
import type { Verifier, VerifyResult } from '../../src/telegram/verifier.js';

export const BOT_TOKEN = '123456789:AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

export const VERIFIED: VerifyResult = {
  token: { status: 'True', reason: 'Verified', message: 'bot @b' },
  chat: { status: 'True', reason: 'Verified', message: 'can post' },
  bot: { id: 1, username: 'b' },
  chatInfo: { id: '-1001', type: 'supergroup', title: 'Ops' },
};

/** The verification contributor of a channel whose token Secret reads BOT_TOKEN and whose chat always verifies. */
export function alwaysVerified(): Verification {
  return new Verification({
    resolver: new ChannelResolver({ read: async () => ({ ok: true, value: BOT_TOKEN }) }),
    verifier: { verify: async () => VERIFIED } as unknown as Verifier,
  });
}
