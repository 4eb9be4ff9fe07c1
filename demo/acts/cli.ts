// Act 6: the CLI. `chats` finds the chat id from what Telegram queued for the bot (and consumes none of
// it); `check` tries a token + chat id from the terminal, as the operator would.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO } from '../../test/emulator/scenario.js';
import type { TelegramEmulator } from '../../test/emulator/server.js';
import { indent, note, ok, say, section } from '../console.js';
import { run } from '../kubectl.js';
import { CHANNELS, CLI_MAIN } from '../settings.js';
import { checkInterrupted, onTeardown } from '../teardown.js';

/** The bot's token in a file of its own (mode 0600): the CLI reads it from there, never from its arguments. */
export function writeTokenFile(): string {
  const tokenDir = mkdtempSync(path.join(os.tmpdir(), 'tgc-demo-'));
  onTeardown('removed the temporary token file', () => rmSync(tokenDir, { recursive: true, force: true }));
  const tokenFile = path.join(tokenDir, 'ops-bot.token');
  writeFileSync(tokenFile, `${DEMO.bot.token}\n`, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);
  return tokenFile;
}

export async function showCli(emulator: TelegramEmulator, emulatorUrl: string, tokenFile: string): Promise<void> {
  section('The CLI: find the chat id, check a token + chat id from the terminal');
  queueWhatTelegramWouldHave(emulator);
  note(
    `the emulator now holds ${emulator.pendingUpdates(DEMO.bot.token).length} pending updates for @${DEMO.bot.username} (bot added to Ops, Legacy Ops upgraded)`,
  );
  note(`the token is read from a file (${tokenFile}), never from the command line`);

  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), TELEGRAM_API_URL: emulatorUrl };
  const cli = async (args: string[], expectCode: number, meaning: string) => {
    say();
    note(`$ telegram-channel-operator ${args.join(' ')}`);
    const r = await run(process.execPath, [CLI_MAIN, ...args], { env });
    if (r.stdout.trim()) say(indent(r.stdout));
    if (r.stderr.trim()) say(indent(r.stderr));
    const line = `exit ${r.code}: ${meaning}`;
    if (r.code === expectCode) note(`  (${line})`);
    else throw new Error(`telegram-channel-operator ${args.join(' ')} exited ${r.code}, expected ${expectCode} (${meaning})`);
    checkInterrupted();
  };
  await cli(['chats', '--token-file', tokenFile], 0, 'chats listed');
  await cli(
    ['check', '--token-file', tokenFile, '--chat', CHANNELS.noMinus.chatId],
    1,
    'Ready would be False, a human must fix the chat id',
  );
  await cli(['check', '--token-file', tokenFile, '--chat', CHANNELS.healthy.chatId], 0, 'Ready would be True');
  const left = emulator.pendingUpdates(DEMO.bot.token).length;
  say();
  ok(`\`chats\` confirmed nothing: all ${left} updates are still pending for the bot's own program`);
}

/** What Telegram would have queued for the bot: it was added to Ops, and the legacy group was upgraded. */
function queueWhatTelegramWouldHave(emulator: TelegramEmulator): void {
  const botUser = { id: DEMO.bot.id, is_bot: true, first_name: DEMO.bot.firstName, username: DEMO.bot.username };
  const ann = { id: DEMO.users.ann, is_bot: false, first_name: 'Ann' };
  const now = Math.floor(Date.now() / 1000);
  const legacyGroup = { id: DEMO.chats.legacyGroup, title: 'Legacy Ops', type: 'group' };
  /** Ann added the bot to a chat `ago` seconds ago. */
  const botAdded = (chat: Record<string, unknown>, ago: number, member: Record<string, unknown>) => ({
    my_chat_member: {
      chat,
      from: ann,
      date: now - ago,
      old_chat_member: { user: botUser, status: 'left' },
      new_chat_member: { user: botUser, ...member },
    },
  });
  emulator.addUpdate(DEMO.bot.token, botAdded(legacyGroup, 3600, { status: 'member' }));
  emulator.addUpdate(DEMO.bot.token, {
    message: { message_id: 17, chat: legacyGroup, from: ann, date: now - 1800, migrate_to_chat_id: DEMO.chats.upgradedTo },
  });
  emulator.addUpdate(
    DEMO.bot.token,
    botAdded({ id: DEMO.chats.ops, title: 'Ops', type: 'supergroup' }, 60, { status: 'administrator', can_post_messages: true }),
  );
}
