// An alert as the sender's unit tests queue it: to the demo bot's Ops supergroup unless a test says
// otherwise, and the sendMessage calls the emulator received.
import type { OutgoingMessage } from '../../src/delivery/sender.js';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';

export const outgoingAlert = (text: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  token: DEMO.bot.token,
  chatId: String(DEMO.chats.ops),
  parts: [text],
  options: {},
  source: 'alert',
  ...extra,
});

export const sendMessageCalls = (emu: TelegramEmulator) => emu.requests.filter((r) => r.method === 'sendMessage');
