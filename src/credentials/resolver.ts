// A channel's Secrets → the values Telegram needs (bot token, chat id), checked against the contract's
// rules. Any replica can ask: it depends only on the channel's spec and its Secrets, never on what
// this replica reconciled, so a follower that just became leader can deliver before its first reconcile.
// The reconciler asks it (and hands the result to the annotation relay); the webhook asks it before sending.
//
// A channel with spec.botRef takes its token from the ClusterTelegramBot's Secret, in the bot's own
// namespace: the operator reads it, the team that owns the channel never needs to. The bot must exist,
// allow the channel's namespace, and be Ready (its status, written by controller/botReconciler.ts, which
// verifies the token once for all its channels); otherwise BotNotFound / BotNotAllowed / BotNotReady.
//
// It keeps no cache of its own: the Secret reader (secrets.ts) keeps each referenced Secret until its
// resourceVersion changes (or, without a Secret watch, for a few seconds), so resolving again costs no
// API call until a Secret is rotated, and a rotation is seen by the next resolution.
import { ConditionTypes, type Verdict } from '../api/contract.js';
import { parseBotSpec, type BotSpec, type ChannelSpec, type ClusterTelegramBot } from '../api/types.js';
import { checkChatId, checkToken } from '../api/values.js';
import { findCondition } from '../api/conditions.js';
import { chatAllowed, describeAllowed, namespaceVerdict } from '../api/botAllowed.js';
import type { SecretValue } from './secrets.js';

/** What a channel resolved to: the values Telegram needs (the token stays in memory only). */
export interface ResolvedChannel {
  spec: ChannelSpec;
  token: string;
  chatId: string;
  /**
   * Where the chat id was read from, when from a Secret (`Secret ns/name key "k"`): messages name this
   * place instead of the value until Telegram has confirmed the chat.
   */
  chatSource?: string;
  /** botRef: the bot its ClusterTelegramBot verified, so the channel checks its chat without a getMe. */
  verifiedBot?: { id: number; username: string };
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

/** The ClusterTelegramBots and namespace labels as the watches see them (absent: bots are not watched). */
export interface BotLookup {
  getBot(name: string): ClusterTelegramBot | undefined;
  /** The namespace's labels; undefined when the namespace is not known (yet). */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
}

type Part =
  | { ok: true; value: string; verifiedBot?: { id: number; username: string }; bot?: { name: string; spec: BotSpec }; source?: string }
  | { ok: false; verdict: Verdict };

export class ChannelResolver {
  constructor(
    private readonly secrets: SecretSource,
    private readonly bots?: BotLookup,
  ) {}

  /** The values of a channel in `namespace` with this spec. Throws SecretUnavailable when a Secret cannot be read now. */
  async resolve(namespace: string, spec: ChannelSpec): Promise<Resolution> {
    const [tok, resolvedChat] = await Promise.all([this.token(namespace, spec), this.chat(namespace, spec)]);
    const chat = tok.ok && tok.bot && resolvedChat.ok ? botChat(tok.bot, resolvedChat) : resolvedChat;
    if (tok.ok && chat.ok) {
      const channel: ResolvedChannel = { spec, token: tok.value, chatId: chat.value };
      if (tok.verifiedBot) channel.verifiedBot = tok.verifiedBot;
      if (chat.source) channel.chatSource = chat.source;
      return { ok: true, channel };
    }
    const token = tok.ok ? undefined : tok.verdict;
    const chatVerdict = chat.ok ? undefined : chat.verdict;
    return { ok: false, failing: (token ?? chatVerdict)!, token, chat: chatVerdict };
  }

  private async token(namespace: string, spec: ChannelSpec): Promise<Part> {
    if (spec.botRef) return this.botToken(namespace, spec.botRef.name);
    const ref = spec.tokenSecretRef!; // parseSpec: exactly one of the two
    const v = await this.secrets.read(namespace, ref.name, ref.key);
    if (!v.ok) return { ok: false, verdict: { status: 'False', reason: v.reason, message: v.message } };
    const checked = checkToken(v.value, `Secret ${namespace}/${ref.name} key "${ref.key}"`);
    if (!checked.ok) return { ok: false, verdict: { status: 'False', reason: 'InvalidTokenFormat', message: checked.message } };
    return { ok: true, value: checked.value };
  }

  /** The token of the ClusterTelegramBot `name`, if the channel's namespace may use it and it is Ready. */
  private async botToken(namespace: string, name: string): Promise<Part> {
    const fail = (status: Verdict['status'], reason: Verdict['reason'], message: string): Part => ({
      ok: false,
      verdict: { status, reason, message },
    });
    const bot = this.bots?.getBot(name);
    if (!this.bots) {
      return fail(
        'False',
        'BotNotFound',
        'this operator does not serve ClusterTelegramBots (WATCH_CLUSTER_BOTS is off): use tokenSecretRef',
      );
    }
    if (!bot) return fail('False', 'BotNotFound', `ClusterTelegramBot "${name}" not found`);
    const parsed = parseBotSpec(bot.spec);
    if (!parsed.ok) return fail('False', 'BotNotReady', `ClusterTelegramBot "${name}" is not ready (InvalidSpec): ${parsed.message}`);
    const allowed = namespaceVerdict(parsed.spec, namespace, this.bots.namespaceLabels(namespace));
    if (allowed === 'unknown') {
      // Woken again when the namespace watch brings it; judged then, on its real labels.
      return fail(
        'Unknown',
        'BotNotAllowed',
        `namespace ${namespace} is not known to the operator yet; ClusterTelegramBot "${name}" is checked again when it is`,
      );
    }
    if (allowed === 'notAllowed') {
      return fail(
        'False',
        'BotNotAllowed',
        `namespace ${namespace} may not use ClusterTelegramBot "${name}": it allows ${describeAllowed(parsed.spec)}`,
      );
    }
    const ready = findCondition(bot.status?.conditions, ConditionTypes.Ready);
    const current = ready !== undefined && ready.observedGeneration === (bot.metadata.generation ?? 0);
    if (current && ready.status !== 'True') {
      return fail(ready.status, 'BotNotReady', `ClusterTelegramBot "${name}" is not ready (${ready.reason}): ${ready.message}`);
    }
    if (!current || !bot.status?.bot) {
      return fail('Unknown', 'BotNotReady', `waiting for ClusterTelegramBot "${name}" to verify its token`);
    }
    // Ready, yet its Secret cannot be used now: it changed since the bot's last check, which runs again.
    const ref = parsed.spec.tokenSecretRef;
    const v = await this.secrets.read(ref.namespace, ref.name, ref.key);
    if (!v.ok) return fail('Unknown', 'BotNotReady', `ClusterTelegramBot "${name}": ${v.reason}, the bot is checked again`);
    const checked = checkToken(v.value, `the Secret of ClusterTelegramBot "${name}"`);
    if (!checked.ok) return fail('Unknown', 'BotNotReady', `ClusterTelegramBot "${name}": ${checked.message}`);
    return { ok: true, value: checked.value, verifiedBot: bot.status.bot, bot: { name, spec: parsed.spec } };
  }

  private async chat(namespace: string, spec: ChannelSpec): Promise<Part> {
    let raw: string;
    let where: string;
    let source: string | undefined;
    if (spec.chatIdSecretRef) {
      const ref = spec.chatIdSecretRef;
      const v = await this.secrets.read(namespace, ref.name, ref.key);
      if (!v.ok) return { ok: false, verdict: { status: 'False', reason: v.reason, message: v.message } };
      raw = v.value;
      where = source = `Secret ${namespace}/${ref.name} key "${ref.key}"`;
    } else {
      raw = spec.chatId ?? '';
      where = 'spec.chatId';
    }
    const checked = checkChatId(raw, where);
    if (!checked.ok) return { ok: false, verdict: { status: 'False', reason: 'InvalidChatId', message: checked.message } };
    return source ? { ok: true, value: checked.value, source } : { ok: true, value: checked.value };
  }
}

/**
 * A botRef channel's chat, if its bot's spec.allowedChats lets it post there. A chat id read from a Secret
 * is named by its Secret, not shown: it is not confirmed by Telegram yet.
 */
function botChat(bot: { name: string; spec: BotSpec }, chat: Extract<Part, { ok: true }>): Part {
  if (chatAllowed(bot.spec, chat.value)) return chat;
  const which = chat.source ? `the chat id in ${chat.source}` : `chat ${chat.value}`;
  return {
    ok: false,
    verdict: {
      status: 'False',
      reason: 'ChatNotAllowed',
      message: `${which} is not in the spec.allowedChats of ClusterTelegramBot "${bot.name}": use a chat it lists, or ask the platform team to add this one`,
    },
  };
}
