// Button presses: the test hook that makes a `callback_query` update (what Telegram sends when someone
// taps an inline button), and answerCallbackQuery. Rules from the server and from observed answers:
// - every press has a fresh numeric string id and the message as it is now (text and keyboard);
// - a query can be answered once, within the client's wait (15 s of emulator time by default); a late,
//   repeated or unknown answer is 400 "query is too old and response timeout expired or query ID is
//   invalid" (QUERY_ID_INVALID, Client.cpp), and a text over 200 characters is 400 "MESSAGE_TOO_LONG";
// - the update itself waits in the queue for 150 s, then the server drops it.

import { badRequest, isOutcome, ok, toBool, type Args, type Outcome } from './envelope.js';
import type { EmulatorCore } from './core.js';
import type { BotSpec, Update } from './scenario.js';

export const QUERY_TOO_OLD = 'query is too old and response timeout expired or query ID is invalid';
const MAX_ANSWER_TEXT = 200;

export interface CallbackAnswer {
  text: string;
  showAlert: boolean;
  url?: string;
  cacheTime: number;
  /** Emulator clock, ms. */
  time: number;
}

export interface CallbackQueryRecord {
  id: string;
  botId: number;
  fromUserId: number;
  chatId: number;
  messageId: number;
  data: string;
  /** Emulator clock, ms, of the press. */
  time: number;
  /** The update as queued; undefined when `allowed_updates` excluded callback queries. */
  update?: Update;
  answer?: CallbackAnswer;
}

export interface PressInput {
  chatId: number;
  messageId: number;
  /** Who presses: any scenario user (an admin, a member, or someone not in the chat at all). */
  userId: number;
  /** The button, by its callback_data or its label. */
  button?: string;
  /**
   * Send this callback_data whatever the message's buttons are, as a modified client can. Without it the
   * hook refuses a button the message does not have.
   */
  forgedData?: string;
}

export class CallbackQueries {
  readonly all: CallbackQueryRecord[] = [];
  private seq = 0;

  constructor(
    private readonly core: EmulatorCore,
    private readonly answerTimeoutMs: number,
  ) {}

  /** Presses a button; throws (a test mistake, not an API answer) when there is nothing to press. */
  press(b: BotSpec, input: PressInput): CallbackQueryRecord {
    const chat = this.core.resolveChat(b, String(input.chatId), 'read');
    if (isOutcome(chat)) throw new Error(`press: bot ${b.id} can't see chat ${input.chatId}`);
    const message = this.core.findMessage(b, chat, input.messageId);
    if (!message) throw new Error(`press: no message ${input.messageId} in chat ${input.chatId} (never sent, or deleted)`);
    if (message.botId !== b.id || message.fromUserId !== undefined) {
      throw new Error(`press: message ${input.messageId} was not sent by bot ${b.id}`);
    }
    const from = this.core.userJson(input.userId);
    if (!from) throw new Error(`press: user ${input.userId} is not in the scenario (add it with setUser)`);
    const data = input.forgedData ?? this.buttonData(message.replyMarkup?.inline_keyboard ?? [], input.button);

    this.seq += 1;
    const record: CallbackQueryRecord = {
      id: String(4_611_686_018_427_387_904n + BigInt(b.id) * 1_000_000n + BigInt(this.seq)),
      botId: b.id,
      fromUserId: input.userId,
      chatId: input.chatId,
      messageId: input.messageId,
      data,
      time: this.core.clock.now(),
    };
    const update = this.core.enqueue(
      b,
      {
        callback_query: {
          id: record.id,
          from,
          message: this.core.renderMessage(message),
          chat_instance: chatInstance(b.id, input.chatId),
          data,
        },
      },
      150,
    );
    if (update) record.update = update;
    this.all.push(record);
    return record;
  }

  /** answerCallbackQuery (process_answer_callback_query_query, then the server's checks). */
  answer(b: BotSpec, arg: Args): Outcome {
    const id = arg('callback_query_id').trim();
    const record = this.all.find((q) => q.botId === b.id && q.id === id);
    if (!record || record.answer || this.core.clock.now() - record.time > this.answerTimeoutMs) return badRequest(QUERY_TOO_OLD);
    const text = arg('text');
    // Counted in characters (code points), as the server counts a text's length.
    if ([...text].length > MAX_ANSWER_TEXT) return badRequest('MESSAGE_TOO_LONG');
    const cacheTime = Math.min(2_592_000, Math.max(0, Number.parseInt(arg('cache_time') || '0', 10) || 0));
    record.answer = {
      text,
      showAlert: toBool(arg('show_alert')),
      ...(arg('url') !== '' ? { url: arg('url') } : {}),
      cacheTime,
      time: this.core.clock.now(),
    };
    return ok(true);
  }

  private buttonData(rows: Array<Array<{ text: string; callback_data?: string }>>, button: string | undefined): string {
    const buttons = rows.flat().filter((x) => x.callback_data !== undefined);
    const hit = buttons.find((x) => x.callback_data === button) ?? buttons.find((x) => x.text === button);
    if (hit?.callback_data === undefined) {
      const offered = buttons.map((x) => `${JSON.stringify(x.text)} (${x.callback_data})`).join(', ') || 'none';
      throw new Error(`press: no button ${JSON.stringify(button)} on the message; it has: ${offered}`);
    }
    return hit.callback_data;
  }
}

/** A stable per-chat, per-bot number, as Telegram's chat_instance is (its value means nothing else). */
function chatInstance(botId: number, chatId: number): string {
  const mixed = (BigInt(botId) * 6_364_136_223_846_793_005n + BigInt(chatId) * 1_442_695_040_888_963_407n) % 9_223_372_036_854_775_807n;
  return String(mixed);
}
