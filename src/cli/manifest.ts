// A ready-to-apply Secret + TelegramChannel for one discovered chat. The Secret carries a placeholder,
// never the real token: the output of a command lands in terminals, scrollback, tickets and git.
import { API_VERSION, KIND } from '../api/contract.js';
import type { SeenChat } from './chats.js';
import { yamlDocument, yamlStream } from './output.js';

export const TOKEN_PLACEHOLDER = '<paste your token>';
export const DEFAULT_SECRET_NAME = 'telegram-bot';

export interface ManifestOptions {
  chat: Pick<SeenChat, 'id' | 'type' | 'title' | 'username' | 'isForum'>;
  namespace?: string;
  /** The TelegramChannel's name; derived from the chat title when absent. */
  name?: string;
  /** An existing Secret holding the token (the CLI read it with --secret): referenced, not re-created. */
  existingSecret?: { namespace: string; name: string; key: string };
}

export interface Manifest {
  name: string;
  objects: Record<string, unknown>[];
  yaml: string;
}

export function buildManifest(opts: ManifestOptions): Manifest {
  const name = opts.name ?? nameFromChat(opts.chat);
  const existing =
    opts.existingSecret && (opts.namespace === undefined || opts.namespace === opts.existingSecret.namespace)
      ? opts.existingSecret
      : undefined;
  const namespace = opts.namespace ?? existing?.namespace;
  const meta = (n: string) => ({ name: n, ...(namespace !== undefined ? { namespace } : {}) });
  const secretRef = existing ? { name: existing.name, key: existing.key } : { name: DEFAULT_SECRET_NAME, key: 'token' };

  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(DEFAULT_SECRET_NAME),
    type: 'Opaque',
    stringData: { token: TOKEN_PLACEHOLDER },
  };
  const channel = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: meta(name),
    spec: { tokenSecretRef: secretRef, chatId: opts.chat.id },
  };

  const where = opts.chat.title ? `${opts.chat.type} "${opts.chat.title}"` : `${opts.chat.type} ${opts.chat.id}`;
  const docs: string[] = [];
  if (!existing) {
    docs.push(
      yamlDocument(secret, [
        'The bot token. This placeholder is NOT your token: the CLI never prints it.',
        `Replace it before applying, or create the Secret without a file: kubectl create secret generic ${DEFAULT_SECRET_NAME}${namespace ? ` -n ${namespace}` : ''} --from-file=token=PATH`,
      ]),
    );
  }
  const channelComments = [`Alerts for ${where}.`];
  if (existing)
    channelComments.push(`The token is read from the existing Secret ${existing.namespace}/${existing.name} key "${existing.key}".`);
  let channelYaml = yamlDocument(channel, channelComments);
  if (opts.chat.isForum) channelYaml += '\n  # messageThreadId: 42   # a forum: set a topic id (>= 2) to post into that topic';
  docs.push(channelYaml);
  return { name, objects: existing ? [channel] : [secret, channel], yaml: yamlStream(docs) };
}

/** A valid object name from a chat title: "Ops Alerts (prod)" → "ops-alerts-prod"; else chat-<digits>. */
export function nameFromChat(chat: Pick<SeenChat, 'id' | 'title' | 'username'>): string {
  for (const source of [chat.title, chat.username]) {
    const slug = (source ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/g, '');
    if (slug !== '') return slug;
  }
  return `chat-${chat.id.replace(/^-/, '')}`;
}
