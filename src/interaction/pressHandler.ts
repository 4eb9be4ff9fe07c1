// One button press, from callback data to answer. The data only names an episode; the handler checks
// that the press came from that episode's message in that chat, through the bot of that episode's
// channel, and that the presser may press now (authorize.ts). Then Silence creates a silence where the
// episode's source keeps them (Alertmanager, or Grafana's own: api/silenceSources.ts) and records it on
// the episode, Unsilence expires it, Ack records who took the alert. Every
// press is answered (show_alert) with the outcome or the reason nothing changed. Presses on one
// episode run one at a time, and each action is checked against the stored record, so a double press,
// or a press delivered again after a leader handover, creates one silence.
import { splitKey, keyOf, parseSpec, type TelegramChannel } from '../api/types.js';
import { parseSilenceDuration } from '../api/silenceDuration.js';
import { channelSilence, silenceField, type ChannelSilence, type SilenceSourceName } from '../api/silenceSources.js';
import type { Episode, EpisodeRenderer, EpisodeStore } from '../lifecycle/episode.js';
import { KeyedSerializer } from '../lifecycle/serialize.js';
import type { Logger } from '../observability/log.js';
import { AlertmanagerError } from './alertmanagerApi.js';
import type { AlertmanagerFor } from './alertmanagerAccess.js';
import { scopedMatchers } from './silencePolicy.js';
import type { PressAuthorizer } from './authorize.js';
import { PressLimiter } from './pressLimit.js';
import { parseCallbackData, type ButtonPress } from './callbackData.js';
import type { AlertmanagerCheck } from './interactiveCondition.js';
import type { CallbackQuery } from './updateSchemas.js';

/** answerCallbackQuery's text limit (code points). */
const MAX_ANSWER = 200;

export const ANSWERS = {
  unknown: 'Unknown button: nothing was changed.',
  gone: 'This alert is no longer tracked (it is too old, or its channel was changed): nothing was changed.',
  notThisMessage: 'This button does not belong to this alert message: nothing was changed.',
  noButtons: noButtonsFor('spec.alertmanager.silence'),
  resolved: 'This alert has resolved: nothing to silence or take.',
  noLabels: 'This alert has no common labels to silence on: nothing was changed.',
  outdated: 'This button is out of date (the channel changed its durations): nothing was changed.',
  tooMany: 'Too many presses: wait a few seconds and press again. Nothing was changed.',
  // Whoever may press need not see the cluster: which hosts are allowed, which Secret is missing. The
  // channel's Interactive condition, readable by those who may read the channel, says which.
  noAccess: "This channel's buttons cannot use its silences API (its Interactive condition says why). Nothing was changed.",
} as const;

/** The answer on an episode whose source's silence settings are gone: `field` names them. */
export function noButtonsFor(field: string): string {
  return `Buttons are turned off for this channel (${field} was removed): nothing was changed.`;
}

export interface PressBot {
  token: string;
  /** tokenKey of the token: which bot this press came through. */
  key: string;
  authorizer: PressAuthorizer;
}

export interface PressDeps {
  episodes: EpisodeStore;
  renderer: EpisodeRenderer;
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  /** The bot (tokenKey) that polls for this channel, if any. */
  botOf: (channelKey: string) => string | undefined;
  /**
   * Whether an episode id can be one of this bot's (tokenKey) channels' at all, from what is in memory:
   * a forged id is answered without an API read.
   */
  mayHoldEpisode: (botKey: string, episodeId: string) => boolean;
  alertmanagerFor: AlertmanagerFor;
  answer: (token: string, queryId: string, text: string) => Promise<unknown>;
  /** What a press learnt about the channel's silences API (of the episode's source), for the Interactive condition. */
  alertmanagerSeen?: (channelKey: string, source: SilenceSourceName, check: AlertmanagerCheck) => void;
  /** Counts a press by its action (silence, unsilence, ack; unknown for data that names none). */
  pressed?: (action: string) => void;
  /** Counts a call to Alertmanager's silences API: create or expire; ok, failed, or not_found (expired already). */
  silenceCall?: (operation: 'create' | 'expire', result: 'ok' | 'failed' | 'not_found') => void;
  log: Logger;
  now?: () => number;
  /** For tests: the per-user press limit. */
  limiter?: PressLimiter;
}

type Checked =
  { ok: true; episode: Episode; settings: ChannelSilence; channelKey: string; botRef: string | undefined } | { ok: false; answer: string };

export class PressHandler {
  /** Presses on one episode one at a time: a double press makes one silence. */
  private readonly presses = new KeyedSerializer();
  private readonly now: () => number;
  private readonly limiter: PressLimiter;

  constructor(private readonly deps: PressDeps) {
    this.now = deps.now ?? Date.now;
    this.limiter = deps.limiter ?? new PressLimiter(this.now);
  }

  /** Handles and answers one press; never throws. */
  async handle(bot: PressBot, q: CallbackQuery): Promise<void> {
    const press = parseCallbackData(q.data);
    this.deps.pressed?.(press?.action ?? 'unknown');
    let text: string;
    try {
      if (!this.limiter.take(bot.key, q.from.id)) text = ANSWERS.tooMany;
      else text = press ? await this.presses.run(press.episodeId, () => this.act(bot, q, press)) : ANSWERS.unknown;
    } catch (e) {
      this.deps.log.error({ err: e }, 'a button press failed');
      text = 'Something went wrong handling this press; nothing was changed. Try again.';
    }
    try {
      await this.deps.answer(bot.token, q.id, cut(text));
    } catch (e) {
      // Too old (over 15 s, or answered already by a leader before a handover): nothing to do.
      this.deps.log.debug({ err: e }, 'a button press could not be answered');
    }
  }

  private async act(bot: PressBot, q: CallbackQuery, press: ButtonPress): Promise<string> {
    const checked = await this.check(bot, q, press);
    if (!checked.ok) return checked.answer;
    const { episode, settings } = checked;
    const who = presser(q.from);
    const allowed = await bot.authorizer.authorize(settings.silence, episode.chatId, q.from.id);
    if (!allowed.ok) return allowed.reason;
    if (press.action === 'ack') return this.ack(episode, who);
    if (press.action === 'unsilence') return this.unsilence(checked, who);
    return this.silence(checked, press.durationIndex, who, q);
  }

  private async check(bot: PressBot, q: CallbackQuery, press: ButtonPress): Promise<Checked> {
    if (!this.deps.mayHoldEpisode(bot.key, press.episodeId)) return { ok: false, answer: ANSWERS.gone };
    const episode = await this.deps.episodes.get(press.episodeId);
    if (!episode) return { ok: false, answer: ANSWERS.gone };
    // The press must come from the message the episode's buttons hang on, in its chat.
    // A shared message (a storm's) has no buttons: a press naming one of its episodes comes from elsewhere.
    const from = q.message;
    if (!from || String(from.chat.id) !== episode.chatId || from.message_id !== episode.messageIds[0] || episode.shared) {
      return { ok: false, answer: ANSWERS.notThisMessage };
    }
    const ch = this.deps.getChannel(episode.channel.namespace, episode.channel.name);
    if (!ch || (ch.metadata.uid && ch.metadata.uid !== episode.channel.uid)) return { ok: false, answer: ANSWERS.gone };
    const channelKey = keyOf(ch);
    // Only the bot that polls for this channel may act on its episodes.
    if (this.deps.botOf(channelKey) !== bot.key) return { ok: false, answer: ANSWERS.notThisMessage };
    const parsed = parseSpec(ch.spec);
    // The episode's own source's settings: a Grafana alert silences in Grafana, never in the channel's Alertmanager.
    const settings = parsed.ok ? channelSilence(parsed.spec, episode.source) : undefined;
    if (!settings) return { ok: false, answer: noButtonsFor(silenceField(episode.source)) };
    return { ok: true, episode, settings, channelKey, botRef: parsed.ok ? parsed.spec.botRef?.name : undefined };
  }

  private async silence(c: Extract<Checked, { ok: true }>, index: number, who: string, q: CallbackQuery): Promise<string> {
    const { episode, settings, channelKey } = c;
    if (episode.state === 'resolved') return ANSWERS.resolved;
    if (active(episode.silence, this.now())) return `Already silenced by ${episode.silence!.by} until ${when(episode.silence!.endsAt)}.`;
    const label = settings.silence.durations[index];
    const ms = label !== undefined ? parseSilenceDuration(label) : undefined;
    if (label === undefined || ms === undefined) return ANSWERS.outdated;
    if (Object.keys(episode.commonLabels).length === 0) return ANSWERS.noLabels;
    const access = await this.access(c);
    if (typeof access === 'string') return access;
    const api = access.api;
    const scoped = scopedMatchers(episode.commonLabels, access.scope);
    if (!scoped.ok) return scoped.answer;

    const startsAt = new Date(this.now());
    const endsAt = new Date(startsAt.getTime() + ms);
    const chatName = q.message?.chat.title ?? q.message?.chat.first_name ?? episode.chatId;
    let id: string;
    try {
      id = await api.createSilence({
        matchers: scoped.matchers,
        startsAt,
        endsAt,
        createdBy: who,
        comment: `Silenced from Telegram chat "${chatName}" (${episode.chatId}) for ${label}, channel ${channelKey}`,
      });
      this.deps.alertmanagerSeen?.(channelKey, settings.source, { ok: true, host: hostOf(settings.silence.url) });
      this.deps.silenceCall?.('create', 'ok');
    } catch (e) {
      this.deps.silenceCall?.('create', 'failed');
      return this.alertmanagerFailed(c, e, 'nothing was silenced');
    }
    const record = { id, endsAt: endsAt.toISOString(), by: who };
    let stored: Episode | undefined;
    try {
      stored = await this.deps.episodes.update(episode.id, (cur) =>
        active(cur.silence, this.now()) ? cur : { ...cur, silence: record, updatedAt: startsAt.toISOString() },
      );
    } catch (e) {
      await this.expireQuietly(api, id);
      throw e;
    }
    if (!stored || stored.silence?.id !== id) {
      // Gone meanwhile, or someone else's silence got there first: ours must not linger.
      await this.expireQuietly(api, id);
      if (!stored) return ANSWERS.gone;
      return `Already silenced by ${stored.silence!.by} until ${when(stored.silence!.endsAt)}.`;
    }
    this.refreshSoon(stored);
    return `Silenced for ${label}, until ${when(record.endsAt)}. ${settings.displayName} holds back this group's notifications until then.`;
  }

  private async unsilence(c: Extract<Checked, { ok: true }>, who: string): Promise<string> {
    const { episode, settings, channelKey } = c;
    const current = episode.silence;
    if (!current) return 'This alert is not silenced: nothing was changed.';
    const access = await this.access(c);
    if (typeof access === 'string') return access;
    const api = access.api;
    try {
      await api.expireSilence(current.id);
      this.deps.alertmanagerSeen?.(channelKey, settings.source, { ok: true, host: hostOf(settings.silence.url) });
      this.deps.silenceCall?.('expire', 'ok');
    } catch (e) {
      this.deps.silenceCall?.('expire', e instanceof AlertmanagerError && e.kind === 'NotFound' ? 'not_found' : 'failed');
      // Gone already (expired, or deleted in Alertmanager's UI): the record follows Alertmanager.
      if (!(e instanceof AlertmanagerError && e.kind === 'NotFound')) return this.alertmanagerFailed(c, e, 'the silence stays');
    }
    const stored = await this.deps.episodes.update(episode.id, (cur) =>
      cur.silence?.id === current.id ? { ...withoutSilence(cur), updatedAt: new Date(this.now()).toISOString() } : cur,
    );
    if (stored) this.refreshSoon(stored);
    this.deps.log.info({ channel: channelKey, episode: episode.id, by: who }, 'silence expired from Telegram');
    return 'Silence expired: this group notifies again.';
  }

  private async ack(episode: Episode, who: string): Promise<string> {
    if (episode.state === 'resolved') return ANSWERS.resolved;
    if (episode.ack) return `Already taken by ${episode.ack.by}.`;
    const at = new Date(this.now()).toISOString();
    const stored = await this.deps.episodes.update(episode.id, (cur) => (cur.ack ? cur : { ...cur, ack: { by: who, at }, updatedAt: at }));
    if (!stored) return ANSWERS.gone;
    if (stored.ack?.by !== who || stored.ack.at !== at) return `Already taken by ${stored.ack?.by ?? 'someone'}.`;
    this.refreshSoon(stored);
    return 'You took this alert.';
  }

  /** The silences API of the episode's source (client, silence scope), or the answer to give when there is none. */
  private async access({ channelKey, settings, botRef }: Extract<Checked, { ok: true }>) {
    const { namespace } = splitKey(channelKey);
    const access = await this.deps.alertmanagerFor({
      namespace,
      silence: settings.silence,
      source: settings.source,
      ...(botRef !== undefined ? { botRef } : {}),
    });
    if (access.ok) return access;
    this.deps.alertmanagerSeen?.(channelKey, settings.source, access);
    return ANSWERS.noAccess;
  }

  private alertmanagerFailed({ channelKey, settings }: Extract<Checked, { ok: true }>, e: unknown, what: string): string {
    const message = e instanceof AlertmanagerError ? e.message : 'unexpected error';
    if (e instanceof AlertmanagerError && e.kind !== 'Rejected') {
      this.deps.alertmanagerSeen?.(channelKey, settings.source, { ok: false, reason: 'AlertmanagerUnreachable', message });
    }
    const api = settings.displayName;
    this.deps.log.warn({ channel: channelKey, source: settings.source, err: e }, `a press could not reach ${api}: ${what}`);
    return e instanceof AlertmanagerError && e.kind === 'Rejected'
      ? `${api} refused: ${message}; ${what}.`
      : `${api} unreachable: ${message}; ${what}.`;
  }

  private async expireQuietly(api: { expireSilence(id: string): Promise<void> }, id: string): Promise<void> {
    try {
      await api.expireSilence(id);
    } catch (e) {
      this.deps.log.warn({ err: e, silence: id }, 'a duplicate silence could not be expired; it ends on its own');
    }
  }

  /**
   * Redraws the message without holding up the answer: the edit waits its turn in the chat's queue (20
   * messages a minute in a group), and a busy chat would push the answer past Telegram's 15 s for
   * answering a press (measured: bench press-latency-busy-chat). The press is stored before this.
   */
  private refreshSoon(e: Episode): void {
    void this.deps.renderer.refresh(e).catch((err: unknown) => {
      // The press is done and recorded; the message shows it at the next notification or press.
      this.deps.log.warn({ err, episode: e.id }, 'the alert message could not be updated after a press');
    });
  }
}

/** createdBy and the "by" of the record: telegram:@username, or telegram:<id> without one. */
export function presser(from: { id: number; username?: string }): string {
  return from.username && /^[A-Za-z0-9_]{1,64}$/.test(from.username) ? `telegram:@${from.username}` : `telegram:${from.id}`;
}

function active(s: Episode['silence'], now: number): boolean {
  return !!s && Date.parse(s.endsAt) > now;
}

function withoutSilence(e: Episode): Episode {
  const { silence: _gone, ...rest } = e;
  return rest;
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function hostOf(url: string): string {
  return new URL(url).host;
}

function cut(text: string): string {
  const chars = [...text];
  return chars.length > MAX_ANSWER ? `${chars.slice(0, MAX_ANSWER - 1).join('')}…` : text;
}
