// Chat discovery while the operator consumes a bot's updates: each my_chat_member update (the bot was
// added to, promoted in, or removed from a chat) is recorded in the ConfigMap
// telegram-bot-<bot id>-chats in the operator's namespace, one key per chat id, where
// `kubectl get configmap … -o yaml` shows it (`telegram-channel-operator chats` points there). Written
// only when a chat's type, title or the bot's status there changes; at most MAX_CHATS chats, the
// oldest dropped first. Titles are users' text: kept as data, cut short. Each API call has a deadline
// (outbound policy): a hung API server must not hold a bot's chat records forever.
import type * as k8s from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../api/contract.js';
import { toKubeError } from '../kube/errors.js';
import { withSignal } from '../kube/leaseClient.js';
import { OUTBOUND } from '../net/outbound.js';
import type { Logger } from '../observability/log.js';
import type { MyChatMember } from './updateSchemas.js';

export const MAX_CHATS = 200;
const MAX_TITLE = 128;
const ATTEMPTS = 3;

export function chatsConfigMapName(botId: string): string {
  return `telegram-bot-${botId}-chats`;
}

export interface RecordedChat {
  id: string;
  type: string;
  title?: string;
  /** The bot's status there: creator, administrator, member, restricted, left, kicked. */
  status: string;
  /** When Telegram said so (RFC 3339). */
  at: string;
}

type ConfigMapApi = Pick<k8s.CoreV1Api, 'readNamespacedConfigMap' | 'createNamespacedConfigMap' | 'replaceNamespacedConfigMap'>;

export class ChatsRecorder {
  /** Per bot: writes one after another. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly core: ConfigMapApi,
    private readonly namespace: string,
    private readonly log: Logger,
    private readonly deadlineMs: number = OUTBOUND.chatsConfigMap.deadlineMs,
  ) {}

  record(botId: string, u: MyChatMember): Promise<void> {
    const chat: RecordedChat = {
      id: String(u.chat.id),
      type: u.chat.type,
      ...(titleOf(u) ? { title: titleOf(u) } : {}),
      status: u.new_chat_member.status,
      at: new Date(u.date * 1000).toISOString(),
    };
    const next = (this.chains.get(botId) ?? Promise.resolve()).then(() => this.write(botId, chat));
    const tail = next.catch((err: unknown) => this.log.warn({ err, botId }, 'could not record a chat of the bot in its ConfigMap'));
    this.chains.set(botId, tail);
    return tail;
  }

  private deadline(): k8s.ConfigurationOptions {
    return withSignal(AbortSignal.timeout(this.deadlineMs));
  }

  private async write(botId: string, chat: RecordedChat): Promise<void> {
    const name = chatsConfigMapName(botId);
    for (let attempt = 1; ; attempt++) {
      let cm: k8s.V1ConfigMap | undefined;
      try {
        cm = await this.core.readNamespacedConfigMap({ namespace: this.namespace, name }, this.deadline());
      } catch (e) {
        if (toKubeError(e).code !== 404) throw e;
      }
      const data = { ...(cm?.data ?? {}) };
      const before = parse(data[chat.id]);
      if (before && before.type === chat.type && before.title === chat.title && before.status === chat.status) return;
      // An update older than what is recorded (redelivered after a handover) changes nothing.
      if (before && before.at > chat.at) return;
      data[chat.id] = JSON.stringify(chat);
      bound(data);
      const body: k8s.V1ConfigMap = {
        metadata: {
          name,
          namespace: this.namespace,
          labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER, 'telegram.notify.dev/bot-id': botId },
          ...(cm?.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}),
        },
        data,
      };
      try {
        if (cm)
          await this.core.replaceNamespacedConfigMap(
            { namespace: this.namespace, name, body, fieldManager: FIELD_MANAGER },
            this.deadline(),
          );
        else await this.core.createNamespacedConfigMap({ namespace: this.namespace, body, fieldManager: FIELD_MANAGER }, this.deadline());
        return;
      } catch (e) {
        const code = toKubeError(e).code;
        if ((code === 409 || code === 422) && attempt < ATTEMPTS) continue; // changed (or created) meanwhile: read again
        throw e;
      }
    }
  }
}

function titleOf(u: MyChatMember): string | undefined {
  const t = u.chat.title ?? u.chat.first_name;
  if (!t) return undefined;
  const chars = [...t.replace(/\p{Cc}+/gu, ' ')];
  return chars.length > MAX_TITLE ? `${chars.slice(0, MAX_TITLE - 1).join('')}…` : chars.join('');
}

function parse(v: string | undefined): RecordedChat | undefined {
  if (!v) return undefined;
  try {
    return JSON.parse(v) as RecordedChat;
  } catch {
    return undefined;
  }
}

/** Keeps the MAX_CHATS most recent chats. */
function bound(data: Record<string, string>): void {
  const keys = Object.keys(data);
  if (keys.length <= MAX_CHATS) return;
  const byAge = keys.sort((a, b) => (parse(data[a])?.at ?? '').localeCompare(parse(data[b])?.at ?? ''));
  for (const k of byAge.slice(0, keys.length - MAX_CHATS)) delete data[k];
}
