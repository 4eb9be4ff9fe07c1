// What the emulator prints: the world it serves (enough to pick a chat id to test with, never a full
// token), and a chat as a reader sees it.

import type { DeliveredMessage } from './core.js';
import type { Scenario } from './scenario.js';

/** Tokens are secrets even in a demo: show only the public bot id. */
export function redactToken(token: string): string {
  const colon = token.indexOf(':');
  return colon > 0 ? `${token.slice(0, colon)}:****` : '****';
}

export function describeScenario(s: Scenario): string[] {
  const lines = ['bots:'];
  for (const b of s.bots) lines.push(`  @${b.username}  token ${redactToken(b.token)}${b.revoked ? '  (revoked)' : ''}`);
  lines.push('chats:');
  for (const c of s.chats) {
    const name = c.title ?? c.firstName ?? '';
    const notes = [
      c.username ? `@${c.username}` : '',
      c.isForum ? `forum topics ${(c.topics ?? []).join(',')}` : '',
      c.migratedTo !== undefined ? `upgraded to ${c.migratedTo}` : '',
      c.deleted ? 'deleted' : '',
    ].filter(Boolean);
    const members = s.memberships
      .filter((m) => m.chatId === c.id && s.bots.some((b) => b.id === m.botId))
      .map((m) => {
        const notes = [
          m.canPostMessages === false ? '(no post)' : '',
          m.canSendMessages === false ? '(muted)' : '',
          m.canManageTopics ? '(topics)' : '',
        ];
        return `${m.botId}:${m.status}${notes.join('')}`;
      });
    lines.push(
      `  ${String(c.id).padEnd(15)} ${c.type.padEnd(10)} ${name}${notes.length ? `  [${notes.join('; ')}]` : ''}${members.length ? `  bots ${members.join(' ')}` : ''}`,
    );
  }
  if (s.users.length > 0) {
    lines.push('users:');
    for (const u of s.users) {
      const flags = [
        u.isBot ? 'bot' : '',
        u.deactivated ? 'deactivated' : '',
        u.blocked ? 'blocked' : '',
        u.started ? 'started' : 'not started',
      ].filter(Boolean);
      lines.push(`  ${String(u.id).padEnd(15)} ${u.firstName}${u.username ? ` @${u.username}` : ''}  [${flags.join(', ')}]`);
    }
  }
  return lines;
}

/**
 * One line per message: `#id`, its topic, `(silent)` for disable_notification, then the text, or
 * `[photo <url | file name WxH>]` and the caption for a photo.
 */
export function describeChat(messages: DeliveredMessage[]): string[] {
  return messages.map((m) => {
    const marks = [
      `#${m.messageId}`,
      m.threadId !== undefined ? `[topic ${m.threadId}]` : '',
      m.options.disableNotification ? '(silent)' : '',
    ];
    let body = m.text;
    if (m.photo) {
      const what = m.photo.url ?? m.photo.fileName ?? m.photo.fileId;
      body = `[photo ${what} ${m.photo.width}x${m.photo.height}]${m.caption ? ` ${m.caption}` : ''}`;
    }
    return [...marks.filter(Boolean), body].join(' ');
  });
}
