// `telegram-channel-operator chats`: which chats has this bot seen, and what is each one's id?
// It reads the bot's pending updates WITHOUT confirming them: no offset at all (an offset above an
// update's id would confirm it, a negative one forgets the rest), no long poll, and no
// allowed_updates (Telegram stores that list as the bot's setting for every later call, so passing
// it would change which updates the user's own bot receives). The user's bot still gets everything.
import { TelegramClient } from '../telegram/client.js';
import { checkChatId } from '../api/values.js';
import type { TelegramUser } from '../telegram/schemas.js';
import { chatLabel, describeSeen, discoverChats, findChat, noteFor, type ChatDiscovery, type SeenChat } from './chats.js';
import type { Command } from './args.js';
import { apiUrl, conflictKind, explainTokenFailure, webhookHost } from './explain.js';
import { CliFailure, EXIT, maskToken, type CliIO, type ExitCode } from './io.js';
import { buildManifest } from './manifest.js';
import { json, table } from './output.js';
import { resolveToken } from './tokenSource.js';

type ChatsCommand = Extract<Command, { kind: 'chats' }>;

/** getUpdates' maximum: one read is all we may do, since reading further would confirm these. */
export const UPDATES_LIMIT = 100;

/** Parameters of the one getUpdates call: deliberately no offset and no allowed_updates. */
export const DISCOVERY_PARAMS = { limit: UPDATES_LIMIT, timeout: 0 } as const;

export const EMPTY_HELP = [
  'No chats found: the bot has no pending updates that name a chat.',
  'To make a chat show up:',
  '  • group or supergroup: remove the bot and add it again (or send a message in the group), then run this again;',
  '  • channel: add the bot as an administrator (or post in the channel), then run this again;',
  '  • private chat: open the bot and press Start (or send it a message).',
  'Privacy mode (on by default) means the bot sees only commands and mentions in groups, but the',
  '"bot was added" update (my_chat_member) always arrives. Telegram keeps updates only 24 hours, and',
  'another program polling this bot (or its own code) may already have consumed them.',
];

/**
 * The operator consumes the updates of a bot that has a channel with spec.alertmanager.silence (for
 * its buttons), so this command may find none, or a 409; the operator records the chats that bot is
 * added to in a ConfigMap in its own namespace instead.
 */
export function operatorChatsHint(botId: number): string[] {
  return [
    "If the operator receives this bot's updates (a TelegramChannel with spec.alertmanager.silence uses it), the operator",
    "consumes them, and records the chats the bot is added to instead. See them with (use the operator's namespace):",
    `  kubectl -n telegram-system get configmap telegram-bot-${botId}-chats -o yaml`,
  ];
}

export async function runChats(cmd: ChatsCommand, io: CliIO, client = new TelegramClient(apiUrl(io.env))): Promise<ExitCode> {
  const { token, secret } = await resolveToken(cmd.token, io, cmd.namespace);

  let bot: TelegramUser;
  try {
    bot = await client.getMe(token);
  } catch (e) {
    throw explainTokenFailure(e, token, io.env);
  }

  let updates: unknown[];
  try {
    updates = await client.getUpdates(token, { ...DISCOVERY_PARAMS });
  } catch (e) {
    const conflict = conflictKind(e);
    if (conflict) {
      const failure = await explainConflict(client, token, bot);
      throw new CliFailure([failure.message, ...operatorChatsHint(bot.id)].join('\n'), failure.exitCode);
    }
    throw explainTokenFailure(e, token, io.env);
  }

  const found = discoverChats(updates);
  const truncated = updates.length >= UPDATES_LIMIT;

  if (cmd.printManifest) return printManifest(cmd, io, found, secret);

  if (cmd.output === 'json') {
    io.out(json({ bot: { id: bot.id, username: bot.username }, updates: found.updates, truncated, chats: found.chats.map(jsonChat) }));
    if (found.chats.length === 0) for (const l of [...EMPTY_HELP, ...operatorChatsHint(bot.id)]) io.err(l);
    return EXIT.ok;
  }

  io.out(`Chats seen by @${bot.username} (${maskToken(token)}) in its ${found.updates} pending update${found.updates === 1 ? '' : 's'}:`);
  if (found.chats.length === 0) {
    io.out('');
    for (const l of [...EMPTY_HELP, ...operatorChatsHint(bot.id)]) io.out(l);
    return EXIT.ok;
  }
  io.out('');
  io.out(
    table(
      ['CHAT ID', 'TYPE', 'TITLE', 'SEEN', 'NOTE'],
      found.chats.map((c) => [c.id, c.type, chatLabel(c), describeSeen(c), noteFor(c)]),
    ),
  );
  io.out('');
  if (truncated)
    io.out(
      `Only the oldest ${UPDATES_LIMIT} pending updates were read (reading further would confirm them); the newest chats may be missing.`,
    );
  io.out('Use the CHAT ID exactly as shown, minus sign included (in YAML, quote it: chatId: "-100…").');
  io.out('Print a manifest for one: telegram-channel-operator chats --chat ID [-n NAMESPACE] [--name NAME] …');
  return EXIT.ok;
}

/** Stable, readable key order for -o json. */
export function jsonChat(c: SeenChat): Record<string, unknown> {
  return {
    id: c.id,
    type: c.type,
    title: c.title,
    username: c.username,
    isForum: c.isForum,
    seenVia: c.seenVia,
    botStatus: c.botStatus,
    upgradedTo: c.upgradedTo,
    upgradedFrom: c.upgradedFrom,
    lastDate: c.lastDate,
    lastUpdateId: c.lastUpdateId,
  };
}

function printManifest(
  cmd: ChatsCommand,
  io: CliIO,
  found: ChatDiscovery,
  secret: { namespace: string; name: string; key: string } | undefined,
): ExitCode {
  let chat: Pick<SeenChat, 'id' | 'type' | 'title' | 'username' | 'isForum'>;
  if (cmd.chat !== undefined) {
    const hit = findChat(found.chats, cmd.chat);
    if (hit) {
      if (hit.note) io.err(`note: ${hit.note}`);
      chat = hit.chat;
    } else {
      const checked = checkChatId(cmd.chat, '--chat');
      if (!checked.ok) throw new CliFailure(checked.message, EXIT.failed, 'InvalidChatId');
      io.err(
        `note: chat ${checked.value} is not among this bot's pending updates; the manifest uses it as given (verify it with \`telegram-channel-operator check --chat ${checked.value}\`)`,
      );
      chat = { id: checked.value, type: 'chat' };
    }
  } else {
    const usable = found.chats.filter((c) => !c.upgradedTo);
    if (usable.length === 0) {
      for (const l of EMPTY_HELP) io.err(l);
      return EXIT.failed;
    }
    if (usable.length > 1) {
      io.err(`the bot has seen ${usable.length} chats; choose one with --chat ID:`);
      for (const c of usable) io.err(`  ${c.id}  ${c.type}  ${chatLabel(c)}`);
      return EXIT.usage;
    }
    chat = usable[0]!;
  }
  const manifest = buildManifest({
    chat,
    ...(cmd.namespace !== undefined ? { namespace: cmd.namespace } : {}),
    ...(cmd.name !== undefined ? { name: cmd.name } : {}),
    ...(secret ? { existingSecret: secret } : {}),
  });
  io.out(cmd.output === 'json' ? json({ apiVersion: 'v1', kind: 'List', items: manifest.objects }) : manifest.yaml);
  return EXIT.ok;
}

async function explainConflict(client: TelegramClient, token: string, bot: TelegramUser): Promise<CliFailure> {
  let url = '';
  try {
    url = (await client.getWebhookInfo(token)).url;
  } catch {
    // Without the webhook's address the explanation below still holds.
  }
  if (url) {
    return new CliFailure(
      [
        `@${bot.username} has a webhook set (${webhookHost(url)}), and Telegram does not allow getUpdates while a webhook is set (409),`,
        'so this command cannot list the chats. Its pending updates go to that webhook instead.',
        'Find the chat id in what that webhook receives (my_chat_member or message updates), or in the chat link: a',
        'https://t.me/c/1234567890/… link means chat id -1001234567890.',
        'The operator needs getUpdates only for the buttons of spec.alertmanager.silence; alerts work with or without a webhook.',
        'If that webhook is yours and may pause, delete it (deleteWebhook), run this again, then set it back; otherwise',
        'leave it: deleting it stops the program that uses it.',
      ].join('\n'),
      EXIT.failed,
    );
  }
  return new CliFailure(
    [
      `another program is polling @${bot.username} with getUpdates right now (409: terminated by other getUpdates request),`,
      'and Telegram allows only one poller at a time. Stop it briefly and run this again, or read the chat id from',
      "that program's logs. That program may be the operator itself (see below).",
    ].join('\n'),
    EXIT.failed,
  );
}
