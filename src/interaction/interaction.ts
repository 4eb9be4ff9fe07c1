// The buttons' back channel, put together: the reconciler reports each channel here (one call, which
// returns the Interactive condition), the leader starts and stops the pollers, and every update a
// poller receives goes to the press handler (callback_query) or the chats record (my_chat_member).
import type { Verdict } from '../api/contract.js';
import { channelSilences, SILENCE_SOURCES, type ChannelSilence, type SilenceSourceName } from '../api/silenceSources.js';
import { keyOf, parseSpec, splitKey, type TelegramChannel } from '../api/types.js';
import type { ResolvedChannel, SecretSource } from '../credentials/resolver.js';
import type { EpisodeRenderer, EpisodeStore } from '../lifecycle/episode.js';
import { configMapNameFor, configMapNameOfId } from '../lifecycle/records.js';
import type { Logger } from '../observability/log.js';
import type { TelegramClient } from '../telegram/client.js';
import { tokenKey } from '../telegram/tokenKey.js';
import { alertmanagerAccess, type AccessPolicy, type AlertmanagerFor } from './alertmanagerAccess.js';
import { AlertmanagerError } from './alertmanagerApi.js';
import { PressAuthorizer } from './authorize.js';
import type { ChatsRecorder } from './chatsRecord.js';
import { interactiveVerdict, type AlertmanagerCheck } from './interactiveCondition.js';
import { PressHandler, type PressBot, type PressDeps } from './pressHandler.js';
import { UpdatesHub, type Poller } from './updatesHub.js';
import { UpdatesPoller, type ConflictKind, type Update } from './updatesPoller.js';
import { CallbackQuerySchema, MyChatMemberSchema } from './updateSchemas.js';

/** An Alertmanager found unreachable is checked again at the next reconcile after this, not only at the next verification. */
export const UNREACHABLE_RECHECK_MS = 30_000;

export interface InteractionDeps {
  telegram: Pick<TelegramClient, 'getUpdates' | 'answerCallbackQuery' | 'getChatMember'>;
  secrets: SecretSource;
  episodes: EpisodeStore;
  renderer: EpisodeRenderer;
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  /** Wakes a channel's reconcile (its Interactive condition changed). */
  enqueue: (channelKey: string) => void;
  chats?: ChatsRecorder;
  /** Where silence URLs and credentials may go (silencePolicy.ts); default: no allow-list, no opt-in. */
  policy?: AccessPolicy;
  /** Answers a press (show_alert); default: straight to the Bot API, outside the bot's send bucket. For tests. */
  answer?: (token: string, queryId: string, text: string) => Promise<unknown>;
  pressed?: (action: string) => void;
  silenceCall?: PressDeps['silenceCall'];
  log: Logger;
  now?: () => number;
  /** For tests. */
  alertmanagerFor?: AlertmanagerFor;
  makePoller?: (
    token: string,
    handle: (u: Update) => Promise<void>,
    onConflict: (k: ConflictKind | undefined, d: string) => void,
  ) => Poller;
}

interface Checked {
  /** What was checked: the URL and the Secret reference. */
  target: string;
  check: AlertmanagerCheck;
  at: number;
}

export class Interaction {
  private readonly hub: UpdatesHub;
  private readonly press: PressHandler;
  private readonly alertmanagerFor: AlertmanagerFor;
  private readonly checks = new Map<string, Checked>();
  private readonly authorizers = new Map<string, PressAuthorizer>();
  private readonly now: () => number;

  constructor(private readonly deps: InteractionDeps) {
    this.now = deps.now ?? Date.now;
    this.alertmanagerFor = deps.alertmanagerFor ?? alertmanagerAccess(deps.secrets, deps.policy);
    const makePoller =
      deps.makePoller ??
      ((token, handle, onConflict) => new UpdatesPoller({ telegram: deps.telegram, token, handle, onConflict, log: deps.log }));
    this.hub = new UpdatesHub({
      makePoller: (token, onConflict) => makePoller(token, (u) => this.route(token, u), onConflict),
      enqueue: deps.enqueue,
    });
    this.press = new PressHandler({
      episodes: deps.episodes,
      renderer: deps.renderer,
      getChannel: deps.getChannel,
      botOf: (key) => this.hub.botOf(key),
      mayHoldEpisode: (botKey, id) => this.mayHoldEpisode(botKey, id),
      alertmanagerFor: this.alertmanagerFor,
      answer:
        deps.answer ?? ((token, id, text) => deps.telegram.answerCallbackQuery(token, { callback_query_id: id, text, show_alert: true })),
      alertmanagerSeen: (key, source, check) => this.seen(checkKey(key, source), key, check),
      pressed: deps.pressed,
      silenceCall: deps.silenceCall,
      log: deps.log,
      now: this.now,
    });
  }

  /**
   * The reconciler's one call: registers the channel's bot for polling when some source of it has
   * silence (spec.alertmanager.silence, spec.grafana.silence), and returns its Interactive condition
   * (undefined: the channel must not carry one). `verified`: the reconcile verified the channel just
   * now, so each silences API is checked again too.
   */
  async condition(ch: TelegramChannel, resolved: ResolvedChannel | undefined, verified: boolean): Promise<Verdict | undefined> {
    const key = keyOf(ch);
    const parsed = parseSpec(ch.spec);
    const silences = parsed.ok ? channelSilences(parsed.spec) : [];
    if (silences.length === 0 || !resolved || parsed.ok === false || parsed.spec.suspend) {
      this.forget(key);
      return undefined;
    }
    this.hub.register(key, resolved.token);
    for (const source of SILENCE_SOURCES) if (!silences.some((s) => s.source === source)) this.checks.delete(checkKey(key, source));
    const checks = [];
    for (const s of silences) {
      const check = await this.currentCheck(key, ch.metadata.namespace, parsed.spec.botRef?.name, s, verified);
      checks.push({ api: s.displayName, field: s.field, check });
    }
    const bot = ch.status?.bot?.username ? `@${ch.status.bot.username}` : `bot ${resolved.token.split(':')[0]}`;
    return interactiveVerdict(bot, this.hub.conflictOf(key), checks);
  }

  /** The channel is gone (or lost its silence). */
  forget(key: string): void {
    this.hub.unregister(key);
    for (const source of SILENCE_SOURCES) this.checks.delete(checkKey(key, source));
  }

  /** This replica leads. */
  start(): void {
    this.hub.start();
  }

  /** Step-down or shutdown. */
  stop(): Promise<void> {
    return this.hub.stop();
  }

  /**
   * The policy and the Secret are looked at on every reconcile (no request to Alertmanager, and the
   * Secret reads are cached), so an allow-list or a label that changed shows at once; Alertmanager
   * itself is asked again only when what is called changed, at verification, or 30 s after a failure.
   */
  private async currentCheck(
    channelKey: string,
    namespace: string,
    botRef: string | undefined,
    { source, silence, displayName }: ChannelSilence,
    verified: boolean,
  ): Promise<AlertmanagerCheck> {
    const key = checkKey(channelKey, source);
    // SecretUnavailable propagates: the reconcile fails and is retried.
    const access = await this.alertmanagerFor({ namespace, silence, source, ...(botRef !== undefined ? { botRef } : {}) });
    if (!access.ok) {
      this.checks.set(key, { target: '', check: access, at: this.now() });
      return access;
    }
    const ref = silence.authorizationSecretRef;
    const target = `${silence.url}\n${ref?.name ?? ''}\n${ref?.key ?? ''}\n${access.credentials === true}`;
    const last = this.checks.get(key);
    const stale = !last || last.target !== target || verified || (!last.check.ok && this.now() - last.at >= UNREACHABLE_RECHECK_MS);
    if (!stale) return last.check;
    let check: AlertmanagerCheck;
    try {
      await access.api.status();
      check = { ok: true, host: new URL(silence.url).host };
    } catch (e) {
      const message = e instanceof AlertmanagerError ? e.message : `the ${displayName} check failed`;
      // The condition says only what the tenant may read; the log keeps the network's and the endpoint's words.
      const { namespace: ns, name } = splitKey(channelKey);
      this.deps.log.info({ namespace: ns, name, source, err: e }, `the ${displayName} check failed`);
      check = { ok: false, reason: 'AlertmanagerUnreachable', message };
    }
    this.checks.set(key, { target, check, at: this.now() });
    return check;
  }

  /** An episode id lives in its channel's ConfigMap: it must be one of the bot's channels' ConfigMaps. */
  private mayHoldEpisode(botKey: string, episodeId: string): boolean {
    const configMap = configMapNameOfId(episodeId);
    if (!configMap) return false;
    for (const key of this.hub.channelsOf(botKey)) {
      const { namespace, name } = splitKey(key);
      const uid = this.deps.getChannel(namespace, name)?.metadata.uid;
      if (uid && configMapNameFor(uid) === configMap) return true;
    }
    return false;
  }

  /** A press learnt something about a silences API of the channel: if the condition changes, reconcile. */
  private seen(key: string, channelKey: string, check: AlertmanagerCheck): void {
    const last = this.checks.get(key);
    if (!last) return;
    const changed = last.check.ok !== check.ok;
    this.checks.set(key, { ...last, check, at: this.now() });
    if (changed) this.deps.enqueue(channelKey);
  }

  private async route(token: string, u: Update): Promise<void> {
    if (u.callback_query !== undefined) {
      const q = CallbackQuerySchema.safeParse(u.callback_query);
      if (!q.success) return this.deps.log.warn({ updateId: u.update_id }, 'a callback_query update of an unexpected shape was skipped');
      return this.press.handle(this.bot(token), q.data);
    }
    if (u.my_chat_member !== undefined && this.deps.chats) {
      const m = MyChatMemberSchema.safeParse(u.my_chat_member);
      if (!m.success) return this.deps.log.warn({ updateId: u.update_id }, 'a my_chat_member update of an unexpected shape was skipped');
      return this.deps.chats.record(token.split(':')[0]!, m.data);
    }
  }

  private bot(token: string): PressBot {
    const key = tokenKey(token);
    let authorizer = this.authorizers.get(key);
    if (!authorizer) {
      authorizer = new PressAuthorizer((chatId, userId) => this.deps.telegram.getChatMember(token, chatId, userId), this.now);
      this.authorizers.set(key, authorizer);
    }
    return { token, key, authorizer };
  }
}

/** A channel's checks are kept per source: its Alertmanager and its Grafana are asked separately. */
function checkKey(channelKey: string, source: SilenceSourceName): string {
  return `${channelKey}\n${source}`;
}
