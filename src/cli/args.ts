// Command-line parsing with node:util parseArgs. Turns argv into one typed command, or a UsageError
// whose message says what is wrong. The token is never accepted as an argument: it would end up in
// shell history and in `ps` output for every user of the machine.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { redact } from '../observability/redact.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose usage to show with the error. */
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

export type CommandName = 'chats' | 'check' | 'render';
export type OutputFormat = 'table' | 'json';

export interface TokenOptions {
  tokenFile?: string;
  /** `-` was given (or `--token-file -`): read the token from standard input. */
  stdin: boolean;
  /** `[namespace/]name[:key]` */
  secret?: { namespace?: string; name: string; key: string };
}

export interface CommonOptions {
  token: TokenOptions;
  output: OutputFormat;
}

export type Command =
  | { kind: 'help'; command?: CommandName }
  | { kind: 'version' }
  | ({ kind: 'chats'; chat?: string; printManifest: boolean; namespace?: string; name?: string } & CommonOptions)
  | ({ kind: 'check'; chat: string; thread?: number } & CommonOptions)
  | RenderCommand;

/** `render`: what a channel manifest would send, offline (src/cli/render.ts). */
export interface RenderCommand {
  kind: 'render';
  /** The manifest: the TelegramChannel, and any ConfigMap or ClusterTelegramBot it refers to. */
  file: string;
  payload?: string;
  sample?: string;
  /** The instant quiet hours are judged at (default: now). */
  at?: Date;
  output: 'text' | 'html';
}

const RENDER_OPTIONS = {
  file: { type: 'string', short: 'f' },
  payload: { type: 'string' },
  sample: { type: 'string' },
  at: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const TOKEN_OPTIONS = {
  'token-file': { type: 'string' },
  secret: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const CHATS_OPTIONS = {
  ...TOKEN_OPTIONS,
  chat: { type: 'string' },
  'print-manifest': { type: 'boolean' },
  namespace: { type: 'string', short: 'n' },
  name: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const CHECK_OPTIONS = {
  ...TOKEN_OPTIONS,
  chat: { type: 'string' },
  thread: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const TOKEN_LIKE = /^\d{1,20}:[A-Za-z0-9_-]{10,}$/;

export const TOKEN_AS_ARGUMENT =
  'the bot token is never accepted as a command-line argument: it would be saved in your shell history and be visible to ' +
  'every user of this machine in `ps`. Pass it with --token-file PATH, on standard input (e.g. `pass show bot | telegram-channel-operator chats -`), ' +
  'or from a cluster Secret with --secret namespace/name[:key]';

export function parseCommandLine(argv: string[]): Command {
  refuseTokenArguments(argv);
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    if (topic === 'chats' || topic === 'check' || topic === 'render') return { kind: 'help', command: topic };
    throw new UsageError(`unknown command ${JSON.stringify(safe(topic))}: the commands are chats, check and render`);
  }
  if (first === '--version' || first === '-v' || first === 'version') return { kind: 'version' };
  if (first === 'chats') return parseChats(rest);
  if (first === 'check') return parseCheck(rest);
  if (first === 'render') return parseRender(rest);
  if (first.startsWith('-'))
    throw new UsageError(
      `a command comes first: telegram-channel-operator chats|check|render [options] (got ${JSON.stringify(safe(first))})`,
    );
  throw new UsageError(`unknown command ${JSON.stringify(safe(first))}: the commands are chats, check and render`);
}

function parseChats(args: string[]): Command {
  const { values, positionals } = parse(args, CHATS_OPTIONS, 'chats');
  if (values.help) return { kind: 'help', command: 'chats' };
  const common = commonOptions(values, positionals, 'chats');
  if (values.chat !== undefined && values.chat.trim() === '')
    throw new UsageError('--chat needs a chat id, e.g. --chat -1001234567890', 'chats');
  if (values.name !== undefined && !DNS_SUBDOMAIN.test(values.name)) {
    throw new UsageError(
      `--name ${JSON.stringify(values.name)} is not a valid Kubernetes object name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit`,
      'chats',
    );
  }
  if (values.namespace !== undefined && !DNS_LABEL.test(values.namespace)) {
    throw new UsageError(
      `--namespace ${JSON.stringify(values.namespace)} is not a valid namespace name: up to 63 lower-case letters, digits and "-"`,
      'chats',
    );
  }
  return {
    kind: 'chats',
    ...common,
    ...(values.chat !== undefined ? { chat: values.chat.trim() } : {}),
    printManifest: values['print-manifest'] === true || values.chat !== undefined,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
  };
}

function parseCheck(args: string[]): Command {
  const { values, positionals } = parse(args, CHECK_OPTIONS, 'check');
  if (values.help) return { kind: 'help', command: 'check' };
  const common = commonOptions(values, positionals, 'check');
  if (values.chat === undefined || values.chat.trim() === '') {
    throw new UsageError('check needs --chat ID: the chat id to verify (find it with `telegram-channel-operator chats`)', 'check');
  }
  let thread: number | undefined;
  if (values.thread !== undefined) {
    const t = values.thread.trim();
    if (!/^\d{1,12}$/.test(t) || Number(t) < 2) {
      throw new UsageError(
        `--thread ${JSON.stringify(values.thread)} is not a forum topic id: use an integer >= 2 (the General topic, 1, cannot be addressed by id)`,
        'check',
      );
    }
    thread = Number(t);
  }
  return { kind: 'check', ...common, chat: values.chat, ...(thread !== undefined ? { thread } : {}) };
}

function parseRender(args: string[]): Command {
  const { values, positionals } = parse(args, RENDER_OPTIONS, 'render');
  if (values.help) return { kind: 'help', command: 'render' };
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(safe(positionals[0]!))}`, 'render');
  if (values.file === undefined || values.file.trim() === '') {
    throw new UsageError('render needs -f FILE: the TelegramChannel manifest (with any ConfigMap its template names)', 'render');
  }
  if (values.payload !== undefined && values.sample !== undefined) {
    throw new UsageError('give --payload FILE or --sample NAME, not both', 'render');
  }
  let at: Date | undefined;
  if (values.at !== undefined) {
    at = new Date(values.at);
    if (Number.isNaN(at.getTime())) {
      throw new UsageError(`--at ${JSON.stringify(safe(values.at))} is not a time: use RFC 3339, e.g. 2026-03-29T23:30:00Z`, 'render');
    }
  }
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'html') {
    throw new UsageError(`-o ${JSON.stringify(safe(output))} is not an output format for render: use text (the default) or html`, 'render');
  }
  return {
    kind: 'render',
    file: values.file,
    ...(values.payload !== undefined ? { payload: values.payload } : {}),
    ...(values.sample !== undefined ? { sample: values.sample } : {}),
    ...(at ? { at } : {}),
    output,
  };
}

type Values = { 'token-file'?: string; secret?: string; output?: string };

function commonOptions(values: Values, positionals: string[], command: CommandName): CommonOptions {
  let stdin = false;
  for (const p of positionals) {
    if (p === '-') stdin = true;
    else throw new UsageError(`unexpected argument ${JSON.stringify(safe(p))}`, command);
  }
  let tokenFile = values['token-file'];
  if (tokenFile === '-') {
    stdin = true;
    tokenFile = undefined;
  }
  if (tokenFile !== undefined && tokenFile.trim() === '') throw new UsageError('--token-file needs a path', command);
  const secret = values.secret !== undefined ? parseSecretRef(values.secret, command) : undefined;
  const sources = [tokenFile !== undefined, stdin, secret !== undefined].filter(Boolean).length;
  if (sources > 1)
    throw new UsageError('give the token one way only: --token-file PATH, - (standard input), or --secret namespace/name[:key]', command);
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json' && output !== 'text') {
    throw new UsageError(`-o ${JSON.stringify(output)} is not an output format: use table (the default) or json`, command);
  }
  return {
    token: { stdin, ...(tokenFile !== undefined ? { tokenFile } : {}), ...(secret ? { secret } : {}) },
    output: output === 'json' ? 'json' : 'table',
  };
}

export function parseSecretRef(ref: string, command?: CommandName): { namespace?: string; name: string; key: string } {
  const m = /^(?:([^/:]+)\/)?([^/:]+)(?::([^/:]+))?$/.exec(ref.trim());
  const namespace = m?.[1];
  const name = m?.[2];
  const key = m?.[3] ?? 'token';
  if (
    !m ||
    !name ||
    !DNS_SUBDOMAIN.test(name) ||
    (namespace !== undefined && !DNS_LABEL.test(namespace)) ||
    !/^[-._a-zA-Z0-9]+$/.test(key)
  ) {
    throw new UsageError(
      `--secret ${JSON.stringify(safe(ref))} is not a Secret reference: use namespace/name[:key], e.g. --secret monitoring/telegram-bot:token (key defaults to "token")`,
      command,
    );
  }
  return { ...(namespace !== undefined ? { namespace } : {}), name, key };
}

function parse<O extends ParseArgsConfig['options']>(args: string[], options: O, command: CommandName) {
  try {
    return parseArgs({ args: joinNegativeIds(args), options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs quotes the offending argument; a mistyped option may carry a token.
    const message = e instanceof Error ? e.message : String(e);
    throw new UsageError(safe(message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '')), command);
  }
}

/** Chat ids of groups are negative: `--chat -100123` must not read as a missing value. */
function joinNegativeIds(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a === '--chat' && next !== undefined && /^-\d+$/.test(next.trim())) {
      out.push(`--chat=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Catches `--token X`, `--token=X`, `--bot-token…`, and a bare token pasted as an argument. */
function refuseTokenArguments(argv: string[]): void {
  for (const a of argv) {
    if (/^--?(bot-?)?token(=|$)/i.test(a) || TOKEN_LIKE.test(a.trim()) || /^--?[a-z-]+=\d{1,20}:[A-Za-z0-9_-]{10,}$/i.test(a)) {
      throw new UsageError(TOKEN_AS_ARGUMENT);
    }
  }
}

function safe(text: string): string {
  return redact(text);
}

/** RFC 1123 subdomain, as Kubernetes object names are checked. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label, as namespace names are checked. */
export const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
