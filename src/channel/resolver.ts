// A channel's Secrets → the values Telegram needs (bot token, chat id), checked against the contract's
// rules. Any replica can ask: it depends only on the channel's spec and its Secrets, never on what
// this replica reconciled, so a follower that just became leader can deliver before its first reconcile.
// The reconciler asks it (and hands the result to the annotation relay); the webhook asks it before sending.
//
// It keeps no cache of its own: the Secret reader (secrets.ts) keeps each referenced Secret until its
// resourceVersion changes (or, without a Secret watch, for a few seconds), so resolving again costs no
// API call until a Secret is rotated, and a rotation is seen by the next resolution.
import type { Verdict } from '../api/contract.js';
import type { ChannelSpec } from '../api/types.js';
import { checkChatId, checkToken } from '../api/values.js';
import type { SecretValue } from './secrets.js';

/** What a channel resolved to: the values Telegram needs (the token stays in memory only). */
export interface ResolvedChannel {
  spec: ChannelSpec;
  token: string;
  chatId: string;
}

/**
 * Either the resolved channel, or the verdicts of the values that failed. `failing` is the one Ready
 * carries: the token's problem first. A Secret that cannot be read now throws SecretUnavailable instead.
 */
export type Resolution = { ok: true; channel: ResolvedChannel } | { ok: false; failing: Verdict; token?: Verdict; chat?: Verdict };

/** Reads one key of one Secret (SecretReader in production, a fake in tests). */
export interface SecretSource {
  read(namespace: string, name: string, key: string): Promise<SecretValue>;
}

type Part = { ok: true; value: string } | { ok: false; verdict: Verdict };

export class ChannelResolver {
  constructor(private readonly secrets: SecretSource) {}

  /** The values of a channel in `namespace` with this spec. Throws SecretUnavailable when a Secret cannot be read now. */
  async resolve(namespace: string, spec: ChannelSpec): Promise<Resolution> {
    const [tok, chat] = await Promise.all([this.token(namespace, spec), this.chat(namespace, spec)]);
    if (tok.ok && chat.ok) return { ok: true, channel: { spec, token: tok.value, chatId: chat.value } };
    const token = tok.ok ? undefined : tok.verdict;
    const chatVerdict = chat.ok ? undefined : chat.verdict;
    return { ok: false, failing: (token ?? chatVerdict)!, token, chat: chatVerdict };
  }

  private async token(namespace: string, spec: ChannelSpec): Promise<Part> {
    const ref = spec.tokenSecretRef;
    const v = await this.secrets.read(namespace, ref.name, ref.key);
    if (!v.ok) return { ok: false, verdict: { status: 'False', reason: v.reason, message: v.message } };
    const checked = checkToken(v.value, `Secret ${namespace}/${ref.name} key "${ref.key}"`);
    if (!checked.ok) return { ok: false, verdict: { status: 'False', reason: 'InvalidTokenFormat', message: checked.message } };
    return { ok: true, value: checked.value };
  }

  private async chat(namespace: string, spec: ChannelSpec): Promise<Part> {
    let raw: string;
    let where: string;
    if (spec.chatIdSecretRef) {
      const ref = spec.chatIdSecretRef;
      const v = await this.secrets.read(namespace, ref.name, ref.key);
      if (!v.ok) return { ok: false, verdict: { status: 'False', reason: v.reason, message: v.message } };
      raw = v.value;
      where = `Secret ${namespace}/${ref.name} key "${ref.key}"`;
    } else {
      raw = spec.chatId ?? '';
      where = 'spec.chatId';
    }
    const checked = checkChatId(raw, where);
    if (!checked.ok) return { ok: false, verdict: { status: 'False', reason: 'InvalidChatId', message: checked.message } };
    return { ok: true, value: checked.value };
  }
}
