// Forum topics by name (a route's topic.name): the thread id each name got, remembered in one ConfigMap
// per channel in the operator's namespace, so a restart or a new leader finds the topic instead of
// creating a second one. Creation is serialized per (channel, chat, name): two notifications naming a
// new topic at once create it once. A channel creates at most MAX_TOPICS_PER_CHANNEL topics; past that,
// and where Telegram refuses (no forum, no can_manage_topics), its alerts go to the channel's own thread.
import { createHash } from 'node:crypto';
import type { EpisodeConfigMaps, StoredConfigMap } from '../kube/episodeConfigMaps.js';
import { isConflict, isNotFound, toKubeError } from '../kube/errors.js';
import { channelPrefix, LABEL_CHANNEL_NAME, LABEL_CHANNEL_NAMESPACE, LABEL_CHANNEL_UID } from './records.js';
import { KeyedSerializer } from './serialize.js';
import type { ChannelRef } from './store.js';

/** Topics one channel may create: a forum of hundreds of auto-created topics helps nobody, and the ConfigMap stays small. */
export const MAX_TOPICS_PER_CHANNEL = 50;
/** After Telegram refused to create a topic in a chat (no forum, no right), the channel's alerts go to its own thread this long before it is asked again. */
export const TOPIC_REFUSED_RETRY_MS = 10 * 60_000;
export const LABEL_TOPICS = 'telegram.notify.dev/topics';
const CONFIGMAP_PREFIX = 'telegram-topics-';
const WRITE_ATTEMPTS = 5;

export type CreateTopic = (name: string) => Promise<{ kind: 'created'; threadId: number } | { kind: 'refused'; why: string }>;

export type TopicThread =
  | { kind: 'topic'; threadId: number }
  /** Not in a topic of its own: `note` says why, for the message (the cap), or undefined (refused: RoutesValid says it). */
  | { kind: 'ownThread'; note?: string };

interface TopicEntry {
  chatId: string;
  name: string;
  threadId: number;
}

export function topicsConfigMapName(channelUid: string): string {
  return CONFIGMAP_PREFIX + channelPrefix(channelUid);
}

export class ForumTopics {
  private readonly serializer = new KeyedSerializer();
  private readonly refusedAt = new Map<string, number>();

  constructor(private readonly deps: { configMaps: EpisodeConfigMaps; now?: () => number }) {}

  /** The thread of the topic `name` in `chatId`, created if the channel has none of that name yet. */
  threadFor(channel: ChannelRef, chatId: string, name: string, create: CreateTopic): Promise<TopicThread> {
    return this.serializer.run(`${channel.uid}\n${chatId}\n${name}`, async () => {
      const cm = await this.deps.configMaps.get(topicsConfigMapName(channel.uid));
      const known = entriesOf(cm).find((e) => e.chatId === chatId && e.name === name);
      if (known) return { kind: 'topic', threadId: known.threadId };
      const refused = this.refusedAt.get(`${channel.uid}\n${chatId}`);
      if (refused !== undefined && this.now() - refused < TOPIC_REFUSED_RETRY_MS) return { kind: 'ownThread' };
      if (entriesOf(cm).length >= MAX_TOPICS_PER_CHANNEL) {
        return {
          kind: 'ownThread',
          note: `topic "${name}" not created: this channel already created its ${MAX_TOPICS_PER_CHANNEL} topics`,
        };
      }
      const created = await create(name);
      if (created.kind === 'refused') {
        this.refusedAt.set(`${channel.uid}\n${chatId}`, this.now());
        return { kind: 'ownThread' };
      }
      await this.write(channel, (data) => ({
        ...data,
        [keyOf(chatId, name)]: JSON.stringify({ chatId, name, threadId: created.threadId }),
      }));
      return { kind: 'topic', threadId: created.threadId };
    });
  }

  /** The topic was deleted in Telegram: the next threadFor creates it again. */
  forget(channel: ChannelRef, chatId: string, name: string): Promise<void> {
    return this.serializer.run(`${channel.uid}\n${chatId}\n${name}`, () =>
      this.write(channel, (data) => {
        const { [keyOf(chatId, name)]: _gone, ...rest } = data;
        return rest;
      }),
    );
  }

  /** A deleted channel's topic names are forgotten with it (the topics stay in the chat); `mayExist` keeps a channel of that name that lives again. */
  forgetChannel(namespace: string, name: string, mayExist: (ref: ChannelRef) => boolean): Promise<number> {
    // A label value holds 63 characters: a longer name is no label, and its topic names stay (at most 50 small entries).
    if (name.length > 63) return Promise.resolve(0);
    return this.sweep(mayExist, `${LABEL_TOPICS},${LABEL_CHANNEL_NAMESPACE}=${namespace},${LABEL_CHANNEL_NAME}=${name}`);
  }

  /** The topic names of every channel that no longer exists (deleted while no operator ran), as the leader's episode sweep does. */
  async sweep(mayExist: (ref: ChannelRef) => boolean, selector = LABEL_TOPICS): Promise<number> {
    let deleted = 0;
    for (const cm of await this.deps.configMaps.list(selector)) {
      const name = cm.labels[LABEL_CHANNEL_NAME];
      // Without the name label (a name over 63 characters) the owner cannot be told apart: kept.
      if (name === undefined) continue;
      const ref = { namespace: cm.labels[LABEL_CHANNEL_NAMESPACE] ?? '', name, uid: cm.labels[LABEL_CHANNEL_UID] ?? '' };
      if (mayExist(ref)) continue;
      await this.deps.configMaps.delete(cm.name);
      deleted++;
    }
    return deleted;
  }

  private async write(channel: ChannelRef, change: (data: Record<string, string>) => Record<string, string>): Promise<void> {
    const name = topicsConfigMapName(channel.uid);
    for (let attempt = 1; ; attempt++) {
      try {
        const cm = await this.deps.configMaps.get(name);
        if (!cm) {
          const labels: Record<string, string> = {
            [LABEL_TOPICS]: 'true',
            [LABEL_CHANNEL_UID]: channel.uid,
            [LABEL_CHANNEL_NAMESPACE]: channel.namespace,
          };
          if (channel.name.length <= 63) labels[LABEL_CHANNEL_NAME] = channel.name;
          await this.deps.configMaps.create(name, labels, change({}));
          return;
        }
        const next = change(cm.data);
        const removed = Object.fromEntries(
          Object.keys(cm.data)
            .filter((k) => !(k in next))
            .map((k) => [k, null]),
        );
        await this.deps.configMaps.patch(name, cm.resourceVersion, { ...next, ...removed });
        return;
      } catch (e) {
        const raced = isConflict(e) || isNotFound(e) || toKubeError(e).reason === 'AlreadyExists';
        if (!raced || attempt >= WRITE_ATTEMPTS) throw e;
      }
    }
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

function entriesOf(cm: StoredConfigMap | undefined): TopicEntry[] {
  const out: TopicEntry[] = [];
  for (const value of Object.values(cm?.data ?? {})) {
    try {
      const e = JSON.parse(value) as Partial<TopicEntry>;
      if (typeof e.chatId === 'string' && typeof e.name === 'string' && typeof e.threadId === 'number') out.push(e as TopicEntry);
    } catch {
      // A value someone edited by hand: not one of ours, ignored.
    }
  }
  return out;
}

/** A ConfigMap key (letters, digits, `-`, `_`, `.`) for a name of any characters. */
function keyOf(chatId: string, name: string): string {
  return createHash('sha256').update(`${chatId}\n${name}`).digest('hex').slice(0, 32);
}
