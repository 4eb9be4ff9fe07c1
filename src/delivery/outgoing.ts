// What the sender is given and what it answers: the shapes shared by the sender's parts and its callers.
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { SendMessageParams, TelegramClient } from '../telegram/client.js';
import { TelegramError } from '../telegram/errors.js';

/** Where a message comes from; a metrics label (documented in operations.md). */
export type MessageSource = 'alert' | 'test' | 'alertmanager' | 'kubernetesEvents';

/** Options that apply to the first part of a message only: its buttons, and what it answers. */
export type FirstPartOptions = Pick<SendMessageParams, 'reply_markup' | 'reply_parameters'>;

export interface OutgoingMessage {
  token: string;
  chatId: string;
  /** Already split and checked: each part is one sendMessage. */
  parts: string[];
  options: Omit<SendMessageParams, 'chat_id' | 'text' | keyof FirstPartOptions>;
  /** Buttons and reply go on the first part (a keyboard hangs on one message; the rest follow it). */
  firstPart?: FirstPartOptions;
  source: MessageSource;
  /** May be merged with neighbours for the same chat (Alertmanager notifications). */
  coalesce?: boolean;
  /**
   * An episode's first message that may share one Telegram message with other episodes of the same
   * `group` (a channel): it joins only messages of that group, and learns the members it rode with.
   */
  share?: { group: string; member: string };
  /** Telegram's measure of a text (parsed length, for markup); the raw length when absent. */
  measure?: (text: string) => number;
  /**
   * Gives up on the message when aborted (the webhook caller timed out or went away) — unless a part
   * of it is already on its way to Telegram, which cannot be taken back.
   */
  signal?: AbortSignal;
  /** A permit the message needs before its first part goes (see Admission). */
  admission?: Admission;
}

/**
 * A permit owned by the caller: the sender asks for it just before a message's first part goes to
 * Telegram (after the rate-limit waits, so a chat that must wait holds nothing up), and says when an
 * attempt was refused for certain so the permit can go back until the retry. Only the Admission
 * itself ever gives the permit back (see delivery/admission.ts): the sender merely reports.
 */
export interface Admission {
  acquire(): Promise<void>;
  /** Nothing of the message reached Telegram (refused for certain, dropped, stopped): give the permit back. */
  notSent(): void;
}

/** One Bot API call other than sendMessage that is paced like a message to the chat (an edit, a delete). */
export interface ChatCall<T> {
  token: string;
  /** The chat whose queue and buckets it goes through; absent for answerCallbackQuery (the bot's bucket only). */
  chatId?: string;
  source: MessageSource;
  /** The Bot API method, for errors. */
  method: string;
  run: (telegram: TelegramClient, token: string) => Promise<T>;
  /** Gives up while the call waits for its turn. */
  signal?: AbortSignal;
  /** The message the call changes: a later call on it with the same `collapseKey` replaces this one while it waits. */
  messageId?: number;
  /** Calls that set a message's whole state (editMessageText): only the latest of those waiting needs to go. */
  collapseKey?: string;
}

export interface Delivery {
  /** One per part, in order. */
  messageIds: number[];
  /** For a `share` message: the members of the Telegram message it went out in, in order (itself included). */
  members?: string[];
}

export interface SenderObserver {
  rateLimitWait(scope: 'bot' | 'chat' | 'group' | 'retry_after'): void;
  sent(source: MessageSource, latencySeconds: number): void;
}

/** Time, as the sender sees it: real by default, a fake in unit tests. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (never rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepTimer(ms, undefined, { signal }).catch(() => undefined),
};

/**
 * A message this replica will not send because it stopped sending (it lost the leader Lease). Transient
 * and never recorded as an outcome: the next leader sends it (an Alertmanager caller gets a 503 and retries).
 */
export class SendingStopped extends TelegramError {
  constructor(method = 'sendMessage') {
    super({
      kind: 'Unavailable',
      message: 'not sent: this replica stopped sending (it is no longer the leader); the next leader sends it',
      method,
    });
  }
}
