// Coalescing: under a storm, waiting Alertmanager notifications for the same chat ride in as few
// messages as fit Telegram's limits. Only which messages go together, and as what text; the queue that
// holds them is botSender.ts.
import { TELEGRAM_TEXT_LIMIT } from '../format/split.js';
import type { OutgoingMessage } from './outgoing.js';

/** Telegram's limit on the raw text parameter, markup included. */
export const RAW_BYTES_LIMIT = 32_768;
export const COALESCE_SEPARATOR = '\n\n';
/**
 * A notification that may be coalesced waits this long after it arrived before going out alone, so
 * the first message of a storm carries the notifications arriving with it instead of just one.
 */
export const COALESCE_WINDOW_MS = 250;

/** What coalescing needs to know of a queued message. */
export interface Batchable {
  msg: OutgoingMessage;
  /** Set for an edit, photo or other call queued with the chat's messages: it is never passed. */
  call?: unknown;
  nextPart: number;
  enqueuedAt: number;
}

/** How much longer a fresh coalescible head waits for company; 0 = go now. */
export function lingerMs(head: Batchable, now: number): number {
  // Multi-part notifications linger too: messages behind them may still ride along with a later one.
  const fresh = head.msg.coalesce === true && head.nextPart === 0 && !head.msg.firstPart;
  return fresh ? Math.max(COALESCE_WINDOW_MS - (now - head.enqueuedAt), 0) : 0;
}

/** The head message alone, or — when it allows — the head plus following single-part messages that fit. */
export function takeBatch<P extends Batchable>(queue: readonly P[]): P[] {
  const head = queue[0]!;
  if (!canLead(head)) return [head];
  const measure = head.msg.measure ?? ((t: string) => t.length);
  const batch = [head];
  let length = measure(head.msg.parts[0]!);
  let bytes = Buffer.byteLength(head.msg.parts[0]!);
  for (let i = 1; i < queue.length; i++) {
    const p = queue[i]!;
    // Routes split a storm over forum topics, interleaved in the chat's queue: stopping at the first
    // message of another topic would send each topic's run on its own and multiply the messages the
    // chat's limits have to let through. Passing it keeps every topic's order, and nobody reads the
    // order across topics.
    if (inAnotherTopic(p, head)) continue;
    if (!canJoin(p, head)) break;
    const text = p.msg.parts[0]!;
    const nextLength = length + COALESCE_SEPARATOR.length + measure(text);
    const nextBytes = bytes + COALESCE_SEPARATOR.length + Buffer.byteLength(text);
    // Telegram limits the text as shown (4096) and the raw parameter (32768 bytes).
    if (nextLength > TELEGRAM_TEXT_LIMIT || nextBytes > RAW_BYTES_LIMIT) break;
    batch.push(p);
    length = nextLength;
    bytes = nextBytes;
  }
  return batch;
}

/** The text one request of the batch carries: the head's next part, or every member's one part. */
export function batchText(batch: readonly Batchable[]): string {
  if (batch.length === 1) return batch[0]!.msg.parts[batch[0]!.nextPart]!;
  return batch.map((p) => p.msg.parts[0]!).join(COALESCE_SEPARATOR);
}

/** A single-part coalescible message not yet started, without buttons or a reply (those belong to it alone). */
function canLead(p: Batchable): boolean {
  return p.msg.coalesce === true && p.msg.parts.length === 1 && p.nextPart === 0 && !p.msg.firstPart;
}

/** A message of its own (not an edit or other call) to a different forum topic than the head's. */
function inAnotherTopic(p: Batchable, head: Batchable): boolean {
  return p.call === undefined && p.msg.options.message_thread_id !== head.msg.options.message_thread_id;
}

function canJoin(p: Batchable, head: Batchable): boolean {
  // Episodes share only with episodes of their channel (all of a shared message's members are in one record set).
  const sameShare = p.msg.share?.group === head.msg.share?.group;
  return canLead(p) && sameShare && !p.msg.admission && JSON.stringify(p.msg.options) === JSON.stringify(head.msg.options);
}
