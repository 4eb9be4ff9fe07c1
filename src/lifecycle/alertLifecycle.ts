// The alert's life in the chat, put together for the running operator: the episode store (one
// ConfigMap per channel in the operator's namespace), the notifier that the delivery service calls for
// every webhook notification (its NotificationSender hook), the renderer the press handler calls
// after a press, and the leader's housekeeping (a deleted channel's episodes go with it; a sweep on
// taking the lead and hourly). main.ts builds it; nothing here holds a token beyond one call.
import { channelSilence } from '../api/silenceSources.js';
import { keyOf, parseSpec, splitKey, type TelegramChannel } from '../api/types.js';
import type { ChannelResolver, ResolvedChannel } from '../credentials/resolver.js';
import { splitMessage, TELEGRAM_TEXT_LIMIT } from '../format/split.js';
import type { Delivery } from '../delivery/sender.js';
import { DeliveryError } from '../delivery/deliveryError.js';
import type { ChannelNotification, DeliveryService } from '../delivery/service.js';
import { escapeHtml } from '../format/html.js';
import type { EpisodeConfigMaps } from '../kube/episodeConfigMaps.js';
import { kubeErrorForLog } from '../kube/errors.js';
import type { Logger } from '../observability/log.js';
import type { ComposedMessage, NotificationComposer } from './compose.js';
import { deliveryChat, type ChatOperations } from './deliveryChat.js';
import { ForumTopics } from './topics.js';
import { EpisodeNotifier } from './notifier.js';
import { imageUrlOf, photoSupport } from './photoEpisode.js';
import { keptGroupKey } from './records.js';
import { EpisodeMessageRenderer, FOOTER_RESERVE } from './render.js';
import { KeyedSerializer } from './serialize.js';
import { ConfigMapEpisodeStore, type ChannelRef } from './store.js';

/** Channels deleted while no operator ran, and episodes that all expired, are swept this often by the leader. */
export const SWEEP_EVERY_MS = 3_600_000;
/** Until the watches have listed, every channel would look deleted: the first sweep waits, trying again this often. */
const SWEEP_WAIT_SYNC_MS = 5_000;

export interface AlertLifecycleDeps {
  configMaps: EpisodeConfigMaps;
  /** The channels as the watches see them (deleted ones are absent). */
  getChannel: (namespace: string, name: string) => TelegramChannel | undefined;
  /** Whether the watches have listed once: before that, absent is not deleted. */
  hasSynced: () => boolean;
  /** Whether this operator watches the namespace (WATCH_NAMESPACE): a channel it cannot see is not known to be deleted. */
  watches: (namespace: string) => boolean;
  isLeader: () => boolean;
  /** Notifications of channels that remember nothing (Send without buttons): new messages, coalescible. */
  sendPlain: (n: ChannelNotification) => Promise<Delivery>;
  /** IMAGE_URL_HOSTS: the hosts an alert's image may be fetched from; default none. */
  imageUrlHosts?: readonly string[];
  /** Routes, quiet hours and templates; absent: every notification goes out whole, as its source renders it. */
  composer?: Pick<NotificationComposer, 'compose'>;
  /** Counts each episode write that reached the API server. */
  onWrite?: () => void;
  log: Logger;
}

export class AlertLifecycle {
  readonly store: ConfigMapEpisodeStore;
  private readonly topics: ForumTopics;
  private readonly serializer = new KeyedSerializer();
  private readonly notifier: EpisodeNotifier;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AlertLifecycleDeps) {
    this.store = new ConfigMapEpisodeStore(deps.configMaps, { log: deps.log, ...(deps.onWrite ? { onWrite: deps.onWrite } : {}) });
    this.topics = new ForumTopics({ configMaps: deps.configMaps });
    this.notifier = new EpisodeNotifier({ store: this.store, serializer: this.serializer, log: deps.log });
  }

  /**
   * The delivery service's NotificationSender: the notification edits, replies or sends per the
   * source's `resolved` setting (spec.<source>.resolved), with buttons when its `silence` is set, and
   * resolves once the episode is stored (so the webhook's 200 comes after it).
   */
  readonly sendNotification = async (n: ChannelNotification, service: NotificationOperations): Promise<Delivery> => {
    const messages = this.deps.composer
      ? await this.deps.composer.compose({
          channel: n.channel,
          spec: n.resolved.spec,
          notification: n.notification,
          html: n.html,
          render: n.render,
        })
      : undefined;
    if (!messages) return this.sendMessage(n, undefined, service);
    // One route's message after the other: a failure stops the rest, and the sender's retry finds the
    // ones already sent by their episodes (edited in place, not sent again).
    const messageIds: number[] = [];
    for (const message of messages) messageIds.push(...(await this.sendToTopic(n, message, service)).messageIds);
    return { messageIds };
  };

  /**
   * A message of a topic route goes to its topic, found or created by name; a topic deleted in Telegram
   * is created again once, and if that one is gone too the message goes to the channel's own thread.
   */
  private async sendToTopic(n: ChannelNotification, message: ComposedMessage, service: NotificationOperations): Promise<Delivery> {
    const name = message.topicName;
    if (name === undefined) return this.sendMessage(n, message, service);
    const channel = channelRef(n.channel);
    const create = async (topic: string) => {
      try {
        return { kind: 'created' as const, threadId: await service.createForumTopic(n.resolved, topic, n.notification.source) };
      } catch (e) {
        const err = DeliveryError.of(e, 'createForumTopic');
        if (err.transient) throw err;
        this.deps.log.warn(
          { namespace: channel.namespace, name: channel.name, err: err.message },
          'forum topic not created: alerts go to the channel thread',
        );
        return { kind: 'refused' as const, why: err.message };
      }
    };
    for (let attempt = 1; attempt <= 2; attempt++) {
      const thread = await this.topics.threadFor(channel, n.resolved.chatId, name, create);
      if (thread.kind === 'ownThread') {
        const html = thread.note ? `${message.html}\n\nℹ️ ${escapeHtml(thread.note)}` : message.html;
        return this.sendMessage(n, { ...message, html }, service);
      }
      try {
        return await this.sendMessage(n, { ...message, messageThreadId: thread.threadId }, service);
      } catch (e) {
        if (!(e instanceof DeliveryError && e.telegram.kind === 'ThreadNotFound')) throw e;
        // Deleted in Telegram: forgotten, so the next round creates it again.
        await this.topics.forget(channel, n.resolved.chatId, name);
      }
    }
    return this.sendMessage(n, message, service);
  }

  /** One message of a notification (undefined: the notification as the source rendered it, whole). */
  private async sendMessage(n: ChannelNotification, message: ComposedMessage | undefined, service: ChatOperations): Promise<Delivery> {
    const mode = n.settings?.resolved ?? 'Edit';
    const durations = n.settings?.silence?.durations;
    const resolved = message ? addressed(n.resolved, message) : n.resolved;
    const html = message?.html ?? n.html;
    // An alert with an image goes as a photo (photoEpisode.ts), which plain sends do not do.
    if (mode === 'Send' && !durations && imageUrlOf(message?.part ?? n.notification) === undefined) {
      return this.deps.sendPlain(message ? { ...n, resolved, html, parts: splitMessage(html, 'HTML') } : n);
    }
    // The first part of a message with buttons may grow a footer (who silenced, who acked): room is kept for it.
    const split = (text: string) =>
      durations ? splitMessage(text, 'HTML', TELEGRAM_TEXT_LIMIT - FOOTER_RESERVE) : splitMessage(text, 'HTML');
    const parts = durations || message ? split(html) : n.parts;
    const photo = photoSupport(message?.part ?? n.notification, html, split, {
      imageUrlHosts: this.deps.imageUrlHosts ?? [],
      abandon: n.abandon,
    });
    const result = await this.notifier.notify(
      {
        channel: channelRef(n.channel),
        chatId: n.resolved.chatId,
        mode,
        ...(durations ? { durations } : {}),
        // Long keys as their digest here already: the serializer and the store then agree on the group.
        groupKey: keptGroupKey(n.notification.groupKey + (message?.episodeSuffix ?? '')),
        source: n.notification.source,
        status: message?.status ?? n.notification.status,
        commonLabels: message?.commonLabels ?? n.notification.commonLabels,
        parts,
        photo,
      },
      deliveryChat(service, resolved, { abandon: n.abandon, source: n.notification.source }),
    );
    return { messageIds: result.messageIds };
  }

  /** The renderer the press handler calls after a press: it edits through `service`, under the bot's limits. */
  renderer(service: ChatOperations, resolver: Pick<ChannelResolver, 'resolve'>): EpisodeMessageRenderer {
    return new EpisodeMessageRenderer({
      store: this.store,
      serializer: this.serializer,
      log: this.deps.log,
      chatFor: async (ref, chatId, source) => {
        const ch = this.live(ref);
        const parsed = ch && parseSpec(ch.spec);
        if (!parsed || !parsed.ok) return undefined;
        const resolution = await resolver.resolve(ref.namespace, parsed.spec);
        if (!resolution.ok) return undefined;
        // The buttons of the episode's own source: a Grafana alert's follow spec.grafana.silence.
        const durations = channelSilence(parsed.spec, source)?.silence.durations;
        // The message lives in the episode's chat, whatever the channel's chatId says now.
        const chat = deliveryChat(service, { ...resolution.channel, chatId }, source !== undefined ? { source } : {});
        return { chat, ...(durations ? { durations } : {}) };
      },
    });
  }

  /** A channel was deleted (its key): the leader deletes its episodes, unless a channel of that name lives again. */
  forgetChannel(key: string): void {
    if (!this.deps.isLeader()) return;
    const { namespace, name } = splitKey(key);
    void this.topics
      .forgetChannel(namespace, name, (ref) => this.mayExist(ref))
      .catch((e: unknown) =>
        this.deps.log.warn({ namespace, name, err: kubeErrorForLog(e) }, 'forum topic names of a deleted channel not deleted'),
      );
    void this.store
      .forgetChannel(namespace, name, (ref) => this.mayExist(ref))
      .then(
        (deleted) => deleted > 0 && this.deps.log.info({ namespace, name, configMaps: deleted }, 'episodes of a deleted channel deleted'),
        (e: unknown) =>
          this.deps.log.warn(
            { namespace, name, err: kubeErrorForLog(e) },
            'episodes of a deleted channel not deleted; the hourly sweep retries',
          ),
      );
  }

  /** Leader work: nothing read while not leading is trusted; a sweep now (once the watches have listed) and hourly. */
  start(): void {
    this.store.forgetCached();
    this.notifier.forgetCached();
    this.schedule(0);
  }

  stop(): Promise<void> {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    return this.sweeping;
  }

  private schedule(ms: number): void {
    this.sweepTimer = setTimeout(() => {
      if (!this.deps.hasSynced()) return this.schedule(SWEEP_WAIT_SYNC_MS);
      this.sweeping = this.sweep().finally(() => {
        if (this.sweepTimer) this.schedule(SWEEP_EVERY_MS);
      });
    }, ms);
    this.sweepTimer.unref();
  }

  private async sweep(): Promise<void> {
    try {
      const deleted = await this.store.sweep((ref) => this.mayExist(ref));
      const topics = await this.topics.sweep((ref) => this.mayExist(ref));
      this.deps.log.info({ configMaps: deleted, topicConfigMaps: topics }, 'episodes swept');
    } catch (e) {
      this.deps.log.warn({ err: kubeErrorForLog(e) }, 'episode sweep failed; retrying in an hour');
    }
  }

  /** False only for a channel this operator watches and knows to be gone: its episodes may go. */
  private mayExist(ref: ChannelRef): boolean {
    return !this.deps.watches(ref.namespace) || this.live(ref) !== undefined;
  }

  /** The channel an episode belongs to, if it still exists (the same object: same uid). */
  private live(ref: ChannelRef): TelegramChannel | undefined {
    const ch = this.deps.getChannel(ref.namespace, ref.name);
    return ch && (!ch.metadata.uid || ch.metadata.uid === ref.uid) ? ch : undefined;
  }
}

/** The channel's bot and chat, sent to the message's thread and with its sound. */
function addressed(resolved: ResolvedChannel, message: ComposedMessage): ResolvedChannel {
  const spec = { ...resolved.spec, disableNotification: message.silent };
  if (message.messageThreadId === undefined) delete spec.messageThreadId;
  else spec.messageThreadId = message.messageThreadId;
  return { ...resolved, spec };
}

/** What a notification needs of the delivery service: the chat's message operations, and creating forum topics. */
export type NotificationOperations = ChatOperations & Pick<DeliveryService, 'createForumTopic'>;

function channelRef(ch: TelegramChannel): ChannelRef {
  // The uid is what separates a channel from a later one of the same name; the API server always sets it.
  return { namespace: ch.metadata.namespace ?? '', name: ch.metadata.name, uid: ch.metadata.uid ?? keyOf(ch) };
}
