// `telegram-channel-operator check --chat ID [--thread N]`: the controller's verification from a
// terminal. Same value checks (checkToken/checkChatId), same Verifier chain (getMe → getChat →
// getChatMember, + sendChatAction on basic groups), same reasons — so it answers what `kubectl get tgc`
// would. Exit 0 = Ready True, 1 = False (a human must fix something), 3 = Unknown (try again).
import { TRANSIENT_REASONS, type ConditionStatus, type Reason, type Verdict } from '../api/contract.js';
import { checkChatId } from '../api/values.js';
import { TelegramClient } from '../telegram/client.js';
import { Verifier, readyVerdict } from '../telegram/verifier.js';
import type { Command } from './args.js';
import { apiUrl } from './explain.js';
import { CliFailure, EXIT, type CliIO, type ExitCode } from './io.js';
import { json } from './output.js';
import { resolveToken, type ResolvedToken } from './tokenSource.js';

type CheckCommand = Extract<Command, { kind: 'check' }>;

export interface CheckReport {
  ready: Verdict;
  tokenValid: Verdict;
  chatReachable: Verdict;
  /** What to do about a failing reason, in one sentence (absent when Ready is True). */
  fix?: string;
  bot?: { id: number; username: string };
  chat?: { id: string; type: string; title?: string; isForum?: boolean };
  messageThreadId?: number;
  retryAfterSeconds?: number;
}

/** The next step per reason, beyond the verdict's own message. */
export const FIXES: Partial<Record<Reason, string>> = {
  SecretNotFound: 'create the Secret (or fix --secret / --token-file) so the token can be read',
  SecretKeyNotFound: 'put the token under the expected key, or name the key with --secret ns/name:KEY',
  InvalidTokenFormat: 'store the token exactly as @BotFather gives it: <bot id>:<secret>, nothing around it',
  Unauthorized: 'get the current token from @BotFather (/mybots → your bot → API Token) and update the Secret',
  InvalidChatId: 'use the numeric id with its sign (e.g. -1001234567890) or @channelusername; `telegram-channel-operator chats` lists them',
  ChatNotFound: 'check the id (`telegram-channel-operator chats` lists the chats the bot has seen) and that the bot was added to the chat',
  ChatIdMissingMinusSign: 'use the negative id named above (quote it in YAML: chatId: "-100…")',
  ChatMigrated: 'use the new supergroup id named above (migrate_to_chat_id)',
  BotNotMember: 'add the bot to the chat (a private chat: open the bot and press Start)',
  BotKicked: 'unban the bot in the chat settings and add it again',
  CannotPost: 'allow the bot to send messages (a channel: make it an administrator with "Post messages")',
  ThreadNotFound: 'use an open topic id of this forum (not 1, the General topic), or drop --thread / messageThreadId',
  TelegramUnavailable: 'Telegram could not be reached: check the network, HTTPS_PROXY and TELEGRAM_API_URL, and try again',
  RateLimited: 'Telegram asked to slow down: try again after the wait it named',
};

export async function runCheck(
  cmd: CheckCommand,
  io: CliIO,
  verifier = new Verifier(new TelegramClient(apiUrl(io.env))),
): Promise<ExitCode> {
  const report = await checkChannel(cmd, io, verifier);
  if (cmd.output === 'json') io.out(json(report));
  else for (const line of renderCheck(report)) io.out(line);
  return exitCodeFor(report.ready.status);
}

/** Builds the verdicts the controller would write: the value checks first, then Telegram. */
export async function checkChannel(
  cmd: Pick<CheckCommand, 'token' | 'chat' | 'thread'>,
  io: CliIO,
  verifier: Verifier,
): Promise<CheckReport> {
  let tok: ResolvedToken | undefined;
  let tokenFailure: Verdict | undefined;
  try {
    tok = await resolveToken(cmd.token, io);
  } catch (e) {
    if (!(e instanceof CliFailure) || !e.reason) throw e;
    tokenFailure = { status: 'False', reason: e.reason, message: e.message };
  }
  const chat = checkChatId(cmd.chat, '--chat');
  const chatFailure: Verdict | undefined = chat.ok ? undefined : { status: 'False', reason: 'InvalidChatId', message: chat.message };

  // As the controller: no Telegram call until both values are well-formed; the token's problem first.
  if (tokenFailure || chatFailure || !tok || !chat.ok) {
    const failing = (tokenFailure ?? chatFailure)!;
    return withFix({
      ready: failing,
      tokenValid: tokenFailure ?? { status: 'Unknown', reason: failing.reason, message: 'not checked until the chat id is fixed' },
      chatReachable: chatFailure ?? { status: 'Unknown', reason: failing.reason, message: 'not checked until the token is fixed' },
      ...(cmd.thread !== undefined ? { messageThreadId: cmd.thread } : {}),
    });
  }

  const result = await verifier.verify(tok.token, chat.value, cmd.thread);
  return withFix({
    ready: readyVerdict(result, chat.value),
    tokenValid: result.token,
    chatReachable: result.chat,
    ...(result.bot ? { bot: result.bot } : {}),
    ...(result.chatInfo ? { chat: result.chatInfo } : {}),
    ...(cmd.thread !== undefined ? { messageThreadId: cmd.thread } : {}),
    ...(result.retryAfterMs !== undefined ? { retryAfterSeconds: Math.ceil(result.retryAfterMs / 1000) } : {}),
  });
}

export function exitCodeFor(status: ConditionStatus): ExitCode {
  return status === 'True' ? EXIT.ok : status === 'Unknown' ? EXIT.transient : EXIT.failed;
}

function withFix(r: CheckReport): CheckReport {
  const fix = r.ready.status === 'True' ? undefined : FIXES[r.ready.reason];
  return fix ? { ...r, fix } : r;
}

const MARK: Record<ConditionStatus, string> = { True: '✔', False: '✘', Unknown: '?' };

export function renderCheck(r: CheckReport): string[] {
  const line = (label: string, v: Verdict) => `${MARK[v.status]} ${label.padEnd(6)} ${v.reason}: ${v.message}`;
  // The failing sub-verdict's message was just printed: the overall line names the reason alone.
  const repeated = r.ready.message === r.tokenValid.message || r.ready.message === r.chatReachable.message;
  const why = repeated ? r.ready.reason : `${r.ready.reason}: ${r.ready.message}`;
  const lines = [line('Token', r.tokenValid), line('Chat', r.chatReachable)];
  if (r.messageThreadId !== undefined && r.chatReachable.status === 'True') {
    lines.push(
      `✔ Topic  ${r.messageThreadId}: the chat is a forum ` +
        '(Telegram cannot tell whether a topic is open without posting; the first alert will)',
    );
  }
  if (r.ready.status === 'True') {
    lines.push(`✔ Ready: ${r.ready.message}`);
  } else if (r.ready.status === 'Unknown' || TRANSIENT_REASONS.has(r.ready.reason)) {
    lines.push(`? Not verified (Ready would be Unknown): ${why}`);
    if (r.retryAfterSeconds !== undefined) lines.push(`  retry after ${r.retryAfterSeconds} s`);
    if (r.fix) lines.push(`  fix: ${r.fix}`);
  } else {
    lines.push(`✘ Not ready (Ready would be False): ${why}`);
    if (r.fix) lines.push(`  fix: ${r.fix}`);
  }
  return lines;
}
