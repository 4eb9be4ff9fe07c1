// Carries out what decide.ts plans for one Alertmanager notification: looks up the group's episode,
// edits or sends, and stores the episode BEFORE returning, so the webhook answers Alertmanager 200
// only once a new leader (after a kill -9 or a handover) would find it. Notifications of the same
// group in the same channel are serialized; other groups go in parallel.
import { DEFAULT_EPISODE_SOURCE } from '../api/silenceSources.js';
import { escapeHtml } from '../format/html.js';
import { kubeErrorForLog, toKubeError } from '../kube/errors.js';
import type { Logger } from '../observability/log.js';
import type { ChatMessages } from './chatMessages.js';
import { partsPlan, planNotification, type GroupStatus, type Plan, type ResolvedMode, resendInstead } from './decide.js';
import { captionParts, photoChat, sendWithImage, type PhotoSupport } from './photoEpisode.js';
import { firstPartShown, keyboardOf, serialKey } from './render.js';
import type { EpisodeRecord } from './records.js';
import type { KeyedSerializer } from './serialize.js';
import { SharedMessages } from './sharedMessages.js';
import type { ChannelRef, ConfigMapEpisodeStore } from './store.js';

export interface EpisodeNotification {
  channel: ChannelRef;
  chatId: string;
  mode: ResolvedMode;
  /** The channel's Silence durations; undefined when it has no buttons. */
  durations?: readonly string[];
  groupKey: string;
  /** The webhook source of the notification ("grafana"): a press silences there. Absent: Alertmanager. */
  source?: string;
  status: GroupStatus;
  commonLabels: Record<string, string>;
  /** The rendered notification, split; the first part leaves FOOTER_RESERVE free when there are buttons. */
  parts: string[];
  /** The notification whole, and its image if it has one: a new message is a photo, a photo's edit its caption. */
  photo?: PhotoSupport;
}

export interface NotifyResult {
  /** The ids of the messages sent or edited, in order. */
  messageIds: number[];
  /** How many messages were new (sent), as opposed to edited in place. */
  sent: number;
  edited: number;
}

/** The API server will not change its mind on a retry: no right to the ConfigMaps, no such namespace, refused object. */
function isPermanentStoreError(e: unknown): boolean {
  const code = toKubeError(e).code;
  return code === 401 || code === 403 || code === 404 || code === 422;
}

/** A resolved group's section in a shared message when its full rendering no longer fits there. */
export function compactResolvedSection(commonLabels: Record<string, string>): string {
  const name = commonLabels['alertname'];
  return `<b>✅ RESOLVED</b> ${name === undefined ? '(alert group)' : `<b>${escapeHtml(name)}</b>`}`;
}

/** How often a channel whose episodes cannot be read says so in the log. */
const UNREMEMBERED_WARN_MS = 10 * 60_000;

export class EpisodeNotifier {
  private readonly shared: SharedMessages;
  private readonly warnedAt = new Map<string, number>();

  constructor(private readonly deps: { store: ConfigMapEpisodeStore; serializer: KeyedSerializer; log: Logger }) {
    this.shared = new SharedMessages(deps.store);
  }

  /** On taking the lead: what this replica remembers of shared messages may be stale. */
  forgetCached(): void {
    this.shared.forgetLatest();
  }

  notify(n: EpisodeNotification, chat: ChatMessages): Promise<NotifyResult> {
    return this.deps.serializer.run(serialKey(n.channel, n.groupKey), () => this.handle(n, chat));
  }

  private async handle(n: EpisodeNotification, chat: ChatMessages): Promise<NotifyResult> {
    const buttons = n.durations !== undefined;
    // Send without buttons remembers nothing: no read, no write.
    let found: EpisodeRecord | undefined;
    let remembering = !(n.mode === 'Send' && !buttons);
    if (remembering) {
      try {
        found = await this.deps.store.findByGroup(n.channel, n.groupKey);
      } catch (e) {
        // A passing failure is retried by Alertmanager (503; nothing was sent). A lasting one (the Role
        // for the operator's ConfigMaps missing, POD_NAMESPACE wrong) must not stop alerts: they go out
        // as with resolved: Send and without buttons, and the log says why.
        if (!isPermanentStoreError(e)) throw e;
        remembering = false;
        this.warnUnremembered(n.channel, e);
      }
    }
    // An episode in another chat (the channel's chatId changed): its message ids mean other messages here.
    const episode = found?.chatId === n.chatId ? found : undefined;
    const plan = remembering
      ? planNotification({ mode: n.mode, status: n.status, episode, buttons })
      : planNotification({ mode: 'Send', status: n.status, episode: undefined, buttons: false });
    // A new episode's id is in its buttons' callback data: chosen before the message goes out.
    const reserved = plan.kind === 'send' && plan.remember === 'newEpisode' ? this.deps.store.reserveId(n.channel) : undefined;
    try {
      return await this.carryOut(n, chat, plan, reserved ?? episode?.id, episode);
    } finally {
      if (reserved) this.deps.store.release(reserved);
    }
  }

  private async carryOut(
    n: EpisodeNotification,
    chat: ChatMessages,
    planned: Plan,
    id: string | undefined,
    episode: EpisodeRecord | undefined,
  ): Promise<NotifyResult> {
    let plan = planned;
    const result: NotifyResult = { messageIds: [], sent: 0, edited: 0 };
    const shown = { id: id ?? '', state: plan.state, silence: episode?.silence, ack: episode?.ack };
    const fresh = plan.kind === 'send' && plan.remember === 'newEpisode';
    const look = fresh ? { ...shown, silence: undefined, ack: undefined } : shown;
    const keyboard = plan.keyboard && id ? keyboardOf(look, n.durations) : undefined;
    const parts = [firstPartShown(n.parts[0] ?? '', look), ...n.parts.slice(1)];

    // What the episode's record says of a shared message afterwards (undefined: the message is its own).
    let shared: EpisodeRecord['shared'];
    let left = false;
    // Whether the episode's message is a photo afterwards (photoEpisode.ts).
    let photo = false;
    if (plan.kind === 'edit' && episode?.shared) {
      // In a shared message: re-rendered with this section, unless it needs buttons, parts, or more room than is left.
      const alone = plan.keyboard || parts.length > 1;
      let outcome = alone ? 'tooLong' : await this.shared.update(episode, parts[0], chat);
      if (outcome === 'tooLong' && plan.state === 'resolved' && !plan.keyboard) {
        // A resolved section is longer than the firing one (it adds when each alert ended): in a full shared
        // message it would leave and add a message. A one-line section is shorter than any firing one, so a
        // storm that resolves leaves the chat with no more messages than it fired.
        const line = compactResolvedSection(n.commonLabels);
        outcome = await this.shared.update(episode, line, chat);
        if (outcome === 'edited' || outcome === 'notModified') n = { ...n, parts: [line] };
      }
      if (outcome === 'edited' || outcome === 'notModified') {
        result.messageIds = [...plan.messageIds];
        result.edited = outcome === 'edited' ? 1 : 0;
        shared = episode.shared;
      } else {
        left = outcome === 'tooLong';
        plan = resendInstead(plan);
      }
    } else if (plan.kind === 'edit') {
      const asPhoto =
        episode?.photo && n.photo ? { parts: captionParts(n.photo.html), chat: photoChat(chat, plan.messageIds[0]!) } : undefined;
      const edited = await this.editInPlace(plan.messageIds, asPhoto?.parts ?? parts, keyboard, asPhoto?.chat ?? chat);
      if (asPhoto && edited !== 'gone') photo = true;
      if (edited === 'gone') plan = resendInstead(plan);
      else {
        result.messageIds = edited.messageIds;
        result.edited = edited.edited;
        result.sent = edited.sent;
      }
    }
    if (plan.kind === 'send' && n.photo?.image) {
      const image = n.photo.image;
      const sent = await sendWithImage(
        chat,
        { ...n.photo, image },
        { keyboard, ...(plan.replyTo !== undefined ? { replyTo: plan.replyTo } : {}) },
      );
      result.messageIds = sent.messageIds;
      result.sent = sent.messageIds.length;
      photo = sent.photo;
    } else if (plan.kind === 'send' && fresh && id && chat.sendShared && !keyboard && plan.replyTo === undefined && parts.length === 1) {
      // A new episode's first message may ride with other new episodes of the channel waiting for the chat.
      const out = await chat.sendShared(parts[0]!, { group: n.channel.uid, member: id });
      result.messageIds = [out.messageId];
      result.sent = 1;
      if (out.members.length > 1) {
        shared = { members: out.members };
        this.shared.joined({ id, channel: n.channel, chatId: n.chatId, messageIds: result.messageIds, shared }, parts[0]!);
      }
    } else if (plan.kind === 'send') {
      result.messageIds = await chat.send(parts, { keyboard, ...(plan.replyTo !== undefined ? { replyTo: plan.replyTo } : {}) });
      result.sent = result.messageIds.length;
      // Tidying after the send: a failure here must not fail the notification (Alertmanager's retry would
      // send it again); the chat shows the notification either way.
      if (plan.stripKeyboardOf !== undefined)
        await this.tidy('remove the old buttons', () => this.stripKeyboard(chat, plan.stripKeyboardOf!));
      // Out on its own now: the shared message it left is re-rendered without it (after, so it is never lost).
      if (left && episode) await this.tidy('redraw the shared message it left', () => this.shared.update(episode, undefined, chat));
    }
    if (plan.kind === 'send' && plan.remember === 'episodeState') shared = episode?.shared;
    try {
      await this.remember(n, plan, id, episode, result.messageIds, shared, photo);
    } catch (e) {
      // The chat has the notification: failing it now would make Alertmanager's retry send it again.
      // Unremembered, the group's next notification is a new message (never lost, never doubled).
      this.deps.log.error(
        { err: kubeErrorForLog(e), namespace: n.channel.namespace, name: n.channel.name },
        'notification sent, but its episode could not be stored: the next notification of this group will be a new message',
      );
    }
    return result;
  }

  /** Edits the parts pairwise, deletes old extra parts, sends new extra ones. 'gone' when the first part is. */
  private async editInPlace(
    oldIds: number[],
    parts: string[],
    keyboard: Parameters<ChatMessages['edit']>[2],
    chat: ChatMessages,
  ): Promise<{ messageIds: number[]; edited: number; sent: number } | 'gone'> {
    const pp = partsPlan(oldIds, parts.length);
    const ids: number[] = [];
    let edited = 0;
    let sent = 0;
    for (const [i, messageId] of pp.edit.entries()) {
      const result = await chat.edit(messageId, parts[i]!, i === 0 ? keyboard : undefined);
      if (result !== 'gone') {
        if (result === 'edited') edited++;
        ids.push(messageId);
        continue;
      }
      if (i === 0) return 'gone';
      // A later part that vanished: this part and the rest go out as new messages.
      const rest = await chat.send(parts.slice(i), {});
      sent += rest.length;
      await this.removeQuietly(chat, oldIds.slice(i + 1));
      return { messageIds: [...ids, ...rest], edited, sent };
    }
    await this.removeQuietly(chat, pp.remove);
    if (pp.sendFrom < parts.length) {
      const more = await chat.send(parts.slice(pp.sendFrom), {});
      sent += more.length;
      ids.push(...more);
    }
    return { messageIds: ids, edited, sent };
  }

  /** Old parts the new text no longer needs. One that cannot be deleted (older than 48 h) is emptied instead. */
  private async removeQuietly(chat: ChatMessages, ids: number[]): Promise<void> {
    for (const messageId of ids) {
      await this.tidy('remove an old part', async () => {
        if ((await chat.remove(messageId)) !== 'kept') return;
        if ((await chat.edit(messageId, '⋯')) === 'gone')
          this.deps.log.info({ messageId }, 'episode: an old part could neither be deleted nor emptied');
      });
    }
  }

  /** A step after the notification reached the chat: logged when it fails, never failing the notification. */
  private async tidy(what: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.deps.log.warn({ err }, `episode: the notification is in the chat, but could not ${what}`);
    }
  }

  private async stripKeyboard(chat: ChatMessages, messageId: number): Promise<void> {
    if ((await chat.setKeyboard(messageId, undefined)) === 'gone') {
      this.deps.log.info({ messageId }, 'episode: the first message of a resolved group is gone; its buttons with it');
    }
  }

  private warnUnremembered(channel: ChannelRef, e: unknown): void {
    const last = this.warnedAt.get(channel.uid);
    if (last !== undefined && Date.now() - last < UNREMEMBERED_WARN_MS) return;
    this.warnedAt.set(channel.uid, Date.now());
    this.deps.log.warn(
      { err: kubeErrorForLog(e), namespace: channel.namespace, name: channel.name },
      "cannot read the channel's remembered alert messages (ConfigMaps in the operator's namespace): notifications go out as new messages, without buttons, until this is fixed",
    );
  }

  private async remember(
    n: EpisodeNotification,
    plan: Plan,
    id: string | undefined,
    episode: EpisodeRecord | undefined,
    ids: number[],
    shared: EpisodeRecord['shared'],
    photo: boolean,
  ) {
    if (plan.kind === 'send' && plan.remember === 'nothing') return;
    if (!id) return;
    const isNew = plan.kind === 'send' && plan.remember === 'newEpisode';
    await this.deps.store.write(n.channel, (records) => {
      // Start from the record as stored now: a press may have changed it meanwhile.
      const base = isNew ? undefined : (records.all.get(id) ?? episode);
      const record: EpisodeRecord = base
        ? { ...base }
        : {
            id,
            channel: n.channel,
            groupKey: n.groupKey,
            chatId: n.chatId,
            messageIds: ids,
            commonLabels: n.commonLabels,
            state: plan.state,
            updatedAt: '',
            text: n.parts[0],
          };
      record.state = plan.state;
      // The latest notification's source is the one whose buttons the message shows. Alertmanager's is
      // left unnamed, so any operator version reads an Alertmanager record the same way.
      if (n.source === undefined || n.source === DEFAULT_EPISODE_SOURCE) delete record.source;
      else record.source = n.source;
      if (shared) record.shared = shared;
      else delete record.shared;
      // Only when the episode's message is this one: a reply (episodeState) leaves it as it was.
      if (isNew || plan.kind === 'edit' || (plan.kind === 'send' && plan.remember === 'episodeMessage')) {
        if (photo) record.photo = true;
        else delete record.photo;
      }
      if (plan.kind === 'edit' || (plan.kind === 'send' && plan.remember === 'episodeMessage')) {
        record.messageIds = ids;
        record.chatId = n.chatId;
        record.commonLabels = n.commonLabels;
        record.text = n.parts[0];
      }
      return records.put(record);
    });
  }
}
