// Shared storm messages. Under a storm the sender lets the first messages of several episodes of one
// channel ride in one Telegram message (delivery/coalesce.ts), as plain notifications do; each member
// episode records that message and the members in order (records.ts: `shared`). A later notification
// of a member re-renders the whole message from every member's current section, its own new one in
// place of the old, and edits it; a member whose section no longer fits leaves (its notification goes
// out alone, and the shared message is re-rendered without it). Shared messages carry no buttons.
//
// Edits of one shared message are rendered one at a time (in order), but not sent one at a time: the
// edit is queued and the next member renders on top of it, so the chat's queue collapses the waiting
// edits into the latest (botSender.ts) and a resolve storm costs a few requests, not one per member.
import { COALESCE_SEPARATOR, RAW_BYTES_LIMIT } from '../delivery/coalesce.js';
import { parsedLength } from '../format/markup.js';
import { TELEGRAM_TEXT_LIMIT } from '../format/split.js';
import type { ChatMessages, EditResult } from './chatMessages.js';
import type { EpisodeRecord } from './records.js';
import { KeyedSerializer } from './serialize.js';
import type { ConfigMapEpisodeStore } from './store.js';

/**
 * Shared messages whose sections are remembered in memory, by count and by bytes (the store has them
 * too, once written, so one forgotten is rendered from the store).
 */
const MAX_REMEMBERED = 256;
export const MAX_REMEMBERED_BYTES = 4 * 1024 * 1024;

export type SharedEpisode = Pick<EpisodeRecord, 'id' | 'channel' | 'chatId' | 'messageIds' | 'shared'>;

/** The text of a shared message: its members' sections in order, as coalescing joins them. */
export function sharedText(sections: readonly string[]): string {
  return sections.join(COALESCE_SEPARATOR);
}

/** Whether Telegram takes `html` as one message: 4096 characters as shown, 32768 bytes raw. */
export function fitsOneMessage(html: string): boolean {
  return parsedLength(html, 'HTML') <= TELEGRAM_TEXT_LIMIT && Buffer.byteLength(html) <= RAW_BYTES_LIMIT;
}

/**
 * The sections a shared message shows, in member order: the latest known text of each member (null:
 * it left), else its stored text while its record still points at this message. A member with neither
 * (it left, its notification failed before it was stored, or its record expired) is not shown.
 */
export function sectionsOf(
  e: SharedEpisode,
  latest: (id: string) => string | null | undefined,
  records: ReadonlyMap<string, EpisodeRecord>,
): string[] {
  const out: string[] = [];
  for (const id of e.shared?.members ?? [e.id]) {
    const known = latest(id);
    const text = known !== undefined ? known : storedSection(records.get(id), e);
    if (text !== null && text !== undefined) out.push(text);
  }
  return out;
}

function storedSection(r: EpisodeRecord | undefined, of: SharedEpisode): string | undefined {
  const here = r?.shared !== undefined && r.chatId === of.chatId && r.messageIds[0] === of.messageIds[0];
  return here ? r.text : undefined;
}

export type SharedUpdate = EditResult | 'tooLong' | 'removed';

export class SharedMessages {
  /** shared message key → member id → its section as last rendered (null: it left). Insertion order is recency. */
  private readonly latest = new Map<string, Map<string, string | null>>();
  /** Characters of the sections in `latest`. */
  private bytes = 0;
  private readonly serializer = new KeyedSerializer();

  constructor(
    private readonly store: Pick<ConfigMapEpisodeStore, 'recordsOf'>,
    private readonly maxBytes = MAX_REMEMBERED_BYTES,
  ) {}

  /** On taking the lead: section texts seen when this replica last led may be older than the stored ones. */
  forgetLatest(): void {
    this.latest.clear();
    this.bytes = 0;
  }

  /** Characters of section text remembered now. */
  get rememberedBytes(): number {
    return this.bytes;
  }

  /** A member's first message went out in a shared message showing `text` as its section. */
  joined(e: SharedEpisode, text: string): void {
    this.setSection(e, e.id, text);
  }

  /**
   * Re-renders the shared message with `text` as the episode's section, or without it (undefined: it
   * leaves), and edits it. 'tooLong': with that text it would exceed Telegram's limits — nothing was
   * changed, the episode must leave. 'removed': it was the last member, the message was deleted.
   */
  async update(e: SharedEpisode, text: string | undefined, chat: ChatMessages): Promise<SharedUpdate> {
    const messageId = e.messageIds[0]!;
    // Rendered and queued in order; awaited outside, so the next member's edit can replace a waiting one.
    // The queued request is returned wrapped: a bare promise would be adopted by the serializer's chain,
    // which would then hold the next member back until this edit had reached Telegram.
    const queued = await this.serializer.run(keyOf(e), async (): Promise<{ request: Promise<SharedUpdate> }> => {
      const records = await this.store.recordsOf(e.channel);
      const latest = this.sections(e);
      const sections = sectionsOf(e, (id) => (id === e.id ? (text ?? null) : latest.get(id)), records);
      if (text !== undefined && !fitsOneMessage(sharedText(sections))) return { request: Promise.resolve('tooLong') };
      this.setSection(e, e.id, text ?? null);
      if (sections.length === 0) return { request: removeOrEmpty(chat, messageId) };
      return { request: chat.edit(messageId, sharedText(sections)) };
    });
    return queued.request;
  }

  private sections(e: SharedEpisode): Map<string, string | null> {
    const key = keyOf(e);
    const m = this.latest.get(key) ?? new Map<string, string | null>();
    this.latest.delete(key);
    this.latest.set(key, m);
    this.evictBeyondBounds(key);
    return m;
  }

  private setSection(e: SharedEpisode, id: string, text: string | null): void {
    const m = this.sections(e);
    this.bytes += (text?.length ?? 0) - (m.get(id)?.length ?? 0);
    m.set(id, text);
    this.evictBeyondBounds(keyOf(e));
  }

  /** The least recently used shared messages are forgotten until both bounds hold (never `keep`, in use now). */
  private evictBeyondBounds(keep: string): void {
    for (const [key, m] of this.latest) {
      if (this.latest.size <= MAX_REMEMBERED && this.bytes <= this.maxBytes) break;
      if (key === keep) continue;
      for (const text of m.values()) this.bytes -= text?.length ?? 0;
      this.latest.delete(key);
    }
  }
}

/** Every member left: the message goes (one Telegram no longer lets the bot delete, older than 48 h, is emptied). */
async function removeOrEmpty(chat: ChatMessages, messageId: number): Promise<SharedUpdate> {
  const removed = await chat.remove(messageId);
  if (removed === 'deleted') return 'removed';
  if (removed === 'gone') return 'gone';
  return chat.edit(messageId, '⋯');
}

function keyOf(e: SharedEpisode): string {
  return `${e.channel.uid}\n${e.chatId}\n${e.messageIds[0]}`;
}
