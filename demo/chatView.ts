// A chat as Telegram shows it now, drawn in the terminal: every message, its current text and buttons.
import { demoScenario } from '../test/emulator/scenario.js';
import type { TelegramEmulator } from '../test/emulator/server.js';
import { bold, cyan, dim, say } from './console.js';
import { ONCALL_BOT } from './settings.js';

export function printChat(emulator: TelegramEmulator, chatId: number, title: string, highlight?: number): void {
  const bots = new Map([...demoScenario().bots, ONCALL_BOT].map((b) => [b.id, b.username]));
  const view = emulator.chatView(chatId);
  say(`    ${dim(`┌─ ${title} (${chatId}): ${view.length} message${view.length === 1 ? '' : 's'}`)}`);
  for (const m of view) {
    const mark = m.messageId === highlight ? bold(`#${m.messageId}`) : `#${m.messageId}`;
    say(`    ${dim('│')} ${mark} from @${bots.get(m.botId) ?? m.botId}${m.edits > 0 ? dim(` (edited ${m.edits}×)`) : ''}`);
    // Blank lines keep the frame's bar, so the message reads as one block.
    for (const line of m.text.replace(/\s+$/, '').split('\n')) say(`    ${dim('│')}${line.trim() === '' ? '' : `   ${line}`}`);
    const rows = m.replyMarkup?.inline_keyboard ?? [];
    for (const row of rows) say(`    ${dim('│')}   ${row.map((b) => cyan(`[ ${b.text} ]`)).join(' ')}`);
  }
  say(`    ${dim('└─')}`);
}

/** A forum as Telegram shows it: each topic with its messages (the General topic last), silent sends marked. */
export function printForum(emulator: TelegramEmulator, chatId: number, title: string): void {
  const view = emulator.chatView(chatId);
  const names = new Map(emulator.forumTopics.filter((t) => t.chatId === chatId && !t.deleted).map((t) => [t.threadId, t.name]));
  const threads = [...new Set(view.map((m) => m.threadId))].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  say(`    ${dim(`┌─ ${title} (${chatId}), a forum: ${view.length} message${view.length === 1 ? '' : 's'}`)}`);
  for (const thread of threads) {
    say(`    ${dim('│')} ${bold(thread === undefined ? '# General' : `# ${names.get(thread) ?? '?'} (topic ${thread})`)}`);
    for (const m of view.filter((x) => x.threadId === thread)) {
      const marks = [m.options.disableNotification ? 'silent' : '', m.edits > 0 ? `edited ${m.edits}×` : ''].filter(Boolean);
      say(`    ${dim('│')}   #${m.messageId}${marks.length > 0 ? dim(` (${marks.join(', ')})`) : ''}`);
      for (const line of m.text.replace(/\s+$/, '').split('\n')) say(`    ${dim('│')}${line.trim() === '' ? '' : `     ${line}`}`);
    }
  }
  say(`    ${dim('└─')}`);
}
