// The "Save and Test" message sent for each new value of the telegram.notify.dev/test annotation.
// It is plain words escaped for the channel's parse mode, so it proves the chat, the thread and the
// parse mode all work without depending on any markup the user wrote.
import type { ParseMode } from '../api/types.js';
import { ANNOTATION_TEST, KIND } from '../api/contract.js';
import { escapeFor } from './markup.js';

export function renderTestMessage(namespace: string, name: string, parseMode: ParseMode): string {
  const text =
    `✅ Test message from ${KIND} ${namespace}/${name}.\n` +
    `Alerts sent through this channel will arrive here (parse mode: ${parseMode}).\n` +
    `Sent because the ${ANNOTATION_TEST} annotation changed.`;
  return escapeFor(text, parseMode);
}
