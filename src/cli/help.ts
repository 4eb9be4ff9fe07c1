// Usage texts. Kept apart so `--help` and usage errors show the same words.
import { templateSampleNames } from '../template/samples.js';
import type { CommandName } from './args.js';

export const MAIN_USAGE = `telegram-channel-operator — find and check Telegram chat ids for TelegramChannel resources, preview what a channel sends

Usage:
  telegram-channel-operator chats [TOKEN SOURCE] [-o table|json] [--chat ID | --print-manifest] [-n NAMESPACE] [--name NAME]
  telegram-channel-operator check [TOKEN SOURCE] --chat ID [--thread N] [-o table|json]
  telegram-channel-operator render -f channel.yaml [--payload notification.json | --sample NAME] [--at TIME] [-o text|html]
  telegram-channel-operator help [chats|check|render]

Token source (exactly one; the token is never accepted as an argument):
  --token-file PATH                  a file holding the token (surrounding whitespace is ignored)
  -                                  standard input (also used when stdin is not a terminal)
  --secret [NAMESPACE/]NAME[:KEY]    a cluster Secret (KEY defaults to "token"), read with KUBECONFIG

Environment:
  TELEGRAM_API_URL   Bot API base URL (default https://api.telegram.org)
  HTTPS_PROXY, NO_PROXY   honoured for Telegram
  KUBECONFIG         for --secret (in a Pod: the ServiceAccount)

Exit codes: 0 ok / Ready, 1 failed (a human must fix it), 2 usage error, 3 transient (Telegram unavailable or rate limited: retry)`;

const CHATS_USAGE = `telegram-channel-operator chats — list the chats the bot has seen, with ids to paste

Usage:
  telegram-channel-operator chats [TOKEN SOURCE] [-o table|json]
  telegram-channel-operator chats [TOKEN SOURCE] --chat ID [-n NAMESPACE] [--name NAME] [-o json]
  telegram-channel-operator chats [TOKEN SOURCE] --print-manifest [-n NAMESPACE] [--name NAME]

Reads the bot's pending updates (getUpdates) without confirming them, so the bot's own program still
receives every one. Add the bot to the group or channel first (or send it a message), then run this.

Options:
  -o, --output table|json   output format (default table)
  --chat ID                 print a Secret + TelegramChannel manifest for this chat
  --print-manifest          the same, for the only chat seen
  -n, --namespace NS        namespace of the manifest
  --name NAME               name of the TelegramChannel (default: from the chat title)
  --token-file PATH | - | --secret [NS/]NAME[:KEY]   where the token comes from`;

const CHECK_USAGE = `telegram-channel-operator check — verify a token and chat id as the operator does

Usage:
  telegram-channel-operator check [TOKEN SOURCE] --chat ID [--thread N] [-o table|json]

Runs the operator's own verification (getMe → getChat → getChatMember) and prints TokenValid,
ChatReachable and Ready with the same reasons \`kubectl get tgc\` would show.

Options:
  --chat ID                 chat id (e.g. -1001234567890) or @channelusername
  --thread N                forum topic id (messageThreadId, >= 2)
  -o, --output table|json   output format (default table)
  --token-file PATH | - | --secret [NS/]NAME[:KEY]   where the token comes from

Exit codes: 0 Ready would be True, 1 False (fix needed), 3 Unknown (Telegram unavailable or rate limited), 2 usage`;

const RENDER_USAGE = `telegram-channel-operator render — preview, offline, what a channel would send

Usage:
  telegram-channel-operator render -f channel.yaml [--payload notification.json | --sample NAME] [--at TIME] [-o text|html]

Checks the channel's spec.template against the built-in samples as the operator does when it is applied
(condition TemplateValid), compiles spec.routes and spec.quietHours (RoutesValid), then prints every
message one notification becomes: its route, its thread or topic, silent or not, and its text as
Telegram shows it. No cluster and no Telegram are contacted. Run it in CI before a GitOps merge.

Options:
  -f, --file PATH        the TelegramChannel manifest (- for standard input); a ConfigMap named by
                         template.configMapRef, or the ClusterTelegramBot of botRef, may be in the same file
  --payload PATH         a webhook body, Alertmanager's (JSON, version 4) or Grafana's contact point's
  --sample NAME          a built-in sample (default one-alert): ${sampleList()}
  --at TIME              judge quiet hours at this instant (RFC 3339; default: now)
  -o, --output text|html text as Telegram shows it (default), or the Telegram HTML sent

Exit codes: 0 rendered, 1 a template, route or input is broken (the message says where: line and column), 2 usage`;

export function usage(command?: CommandName): string {
  if (command === 'render') return RENDER_USAGE;
  return command === 'chats' ? CHATS_USAGE : command === 'check' ? CHECK_USAGE : MAIN_USAGE;
}

function sampleList(): string {
  return templateSampleNames().join(', ') + ' (each also as NAME-resolved)';
}
