// The CLI as a function: argv + io in, exit code out. index.ts binds it to the process; tests call it
// directly. Every failure ends here as a message on stderr and an exit code, never a stack trace.
import { readFile } from 'node:fs/promises';
import { parseCommandLine, UsageError, type Command } from './args.js';
import { runChats } from './chatsCommand.js';
import { runCheck } from './check.js';
import { runRender } from './render.js';
import { apiUrl } from './explain.js';
import { usage } from './help.js';
import { CliFailure, EXIT, scrubbed, type CliIO, type ExitCode } from './io.js';

export async function run(argv: string[], rawIo: CliIO): Promise<ExitCode> {
  // Whatever the token turns out to be, it never reaches the output: resolveToken stores it here.
  let seen: string | undefined;
  const io = scrubbed(rawIo, () => seen);
  const capturing: CliIO = {
    ...io,
    onToken: (token) => {
      seen = token;
      rawIo.onToken?.(token);
    },
  };

  let cmd: Command;
  try {
    cmd = parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      io.err(`Run \`telegram-channel-operator ${e.command ? `${e.command} ` : ''}--help\` for usage.`);
      return EXIT.usage;
    }
    throw e;
  }

  try {
    const base = apiUrl(io.env);
    if (!/^https?:\/\/[^/\s]+/.test(base)) throw new UsageError(`TELEGRAM_API_URL ${JSON.stringify(base)} is not an http(s) URL`);
    switch (cmd.kind) {
      case 'help':
        io.out(usage(cmd.command));
        return EXIT.ok;
      case 'version':
        io.out(await version());
        return EXIT.ok;
      case 'chats':
        return await runChats(cmd, capturing);
      case 'check':
        return await runCheck(cmd, capturing);
      case 'render':
        return await runRender(cmd, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof CliFailure) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}

async function version(): Promise<string> {
  try {
    // src/cli and dist/cli are both two levels below package.json.
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return `telegram-channel-operator ${pkg.version ?? 'unknown'}`;
  } catch {
    return 'telegram-channel-operator (version unknown)';
  }
}
