// How episodes are kept in Kubernetes, as pure functions: one ConfigMap per channel in the operator's
// namespace, one data key per episode (its id), the value a JSON record. Pure so that the bounds and
// the expiry are tested with a fake clock (test/unit/lifecycle/records.test.ts).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { deepEqual } from '../kube/mergePatch.js';
import type { Episode } from './episode.js';

/**
 * A record lives this long after its last change. Alertmanager re-sends a group that still fires
 * every repeat_interval (default 4 h, rarely over 24 h) and each change renews the record (a repeat
 * that changes nothing renews it once it is older than RENEW_AFTER_MS); a record untouched for 48 h
 * belongs to a group Alertmanager no longer talks about. 48 h is also Telegram's limit for deleting
 * a message in a group: the extra parts of an older message could no longer be removed, so editing
 * it in place would leave stale parts behind.
 */
export const EPISODE_TTL_MS = 48 * 3_600_000;
/** A repeat that changes nothing is written only to keep its record alive: once a day at most. */
export const RENEW_AFTER_MS = 24 * 3_600_000;
/** Per channel: at most this many episodes and this many bytes of records; the oldest go first. */
export const MAX_EPISODES_PER_CHANNEL = 200;
export const MAX_BYTES_PER_CHANNEL = 512 * 1024;
/** A first part longer than this is not kept (a press then re-renders only the buttons). */
export const MAX_TEXT_BYTES = 16 * 1024;

/**
 * What a record keeps of the group's common labels: they are the matchers of a silence pressed on the
 * message, so they are kept exactly or not at all (a subset would silence more than these alerts).
 * Beyond any of these bounds none are kept, and a silence press answers that there are no common
 * labels to silence on; the message itself shows the labels as Alertmanager sent them.
 */
export const MAX_KEPT_LABELS = 64;
export const MAX_KEPT_LABEL_BYTES = 1024;
export const MAX_KEPT_LABELS_BYTES = 8 * 1024;
/** A longer group key is kept as its digest: it only has to tell groups apart. */
export const MAX_GROUP_KEY_BYTES = 512;

/** A bound for a stored member list only: Telegram's 4096 characters keep a shared message far below it. */
export const MAX_SHARED_MEMBERS = 4096;

export const LABEL_EPISODES = 'telegram.notify.dev/episodes';
export const LABEL_CHANNEL_UID = 'telegram.notify.dev/channel-uid';
export const LABEL_CHANNEL_NAMESPACE = 'telegram.notify.dev/channel-namespace';
export const LABEL_CHANNEL_NAME = 'telegram.notify.dev/channel-name';
export const CONFIGMAP_PREFIX = 'telegram-episodes-';

/** An episode as stored: the contract's Episode and the first part's text, for re-rendering it after a press. */
export interface EpisodeRecord extends Episode {
  /** The first part as last rendered, Telegram HTML without the footer; absent when over MAX_TEXT_BYTES. */
  text?: string;
  /** The first message is a photo (photoEpisode.ts): its text is a caption, edited with editMessageCaption. */
  photo?: true;
}

const StringMap = z.record(z.string(), z.string());
const RecordSchema = z.object({
  id: z.string().regex(/^[a-z2-7]{16}$/),
  channel: z.object({ namespace: z.string(), name: z.string(), uid: z.string() }),
  groupKey: z.string(),
  source: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/)
    .optional(),
  chatId: z.string(),
  messageIds: z.array(z.number().int()),
  commonLabels: StringMap,
  state: z.enum(['firing', 'resolved']),
  silence: z.object({ id: z.string(), endsAt: z.string(), by: z.string() }).optional(),
  ack: z.object({ by: z.string(), at: z.string() }).optional(),
  updatedAt: z.string(),
  text: z.string().optional(),
  photo: z.literal(true).optional(),
  shared: z
    .object({
      members: z
        .array(z.string().regex(/^[a-z2-7]{16}$/))
        .min(1)
        .max(MAX_SHARED_MEMBERS),
    })
    .optional(),
});

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const PREFIX_CHARS = 12;
const RANDOM_CHARS = 4;

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/**
 * The channel's part of every episode id: 12 base32 characters (60 bits) of its uid's digest. An id
 * names its ConfigMap, so a press finds its episode with one GET, on any leader, with no index.
 */
export function channelPrefix(channelUid: string): string {
  return base32(createHash('sha256').update(channelUid).digest(), PREFIX_CHARS);
}

export function configMapNameFor(channelUid: string): string {
  return CONFIGMAP_PREFIX + channelPrefix(channelUid);
}

/** The ConfigMap an episode id lives in, or undefined for an id that is not one of ours. */
export function configMapNameOfId(id: string): string | undefined {
  return /^[a-z2-7]{16}$/.test(id) ? CONFIGMAP_PREFIX + id.slice(0, PREFIX_CHARS) : undefined;
}

/** A new id for the channel, not among `taken`: 16 characters [a-z2-7], URL-safe. */
export function newEpisodeId(channelUid: string, taken: (id: string) => boolean, random = randomBytes): string {
  for (;;) {
    const id = channelPrefix(channelUid) + base32(random(3), RANDOM_CHARS);
    if (!taken(id)) return id;
  }
}

/** The common labels as a record keeps them: all of them within the bounds above, else none. */
export function keptLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > MAX_KEPT_LABELS) return {};
  let total = 0;
  for (const [name, value] of entries) {
    const bytes = Buffer.byteLength(name) + Buffer.byteLength(value);
    total += bytes;
    if (bytes > MAX_KEPT_LABEL_BYTES || total > MAX_KEPT_LABELS_BYTES) return {};
  }
  return { ...labels };
}

/** The group key as episodes know it: as Alertmanager sent it, or its digest when it is long. */
export function keptGroupKey(groupKey: string): string {
  if (Buffer.byteLength(groupKey) <= MAX_GROUP_KEY_BYTES) return groupKey;
  return `sha256:${createHash('sha256').update(groupKey).digest('hex')}`;
}

export function encodeRecord(r: EpisodeRecord): string {
  const text = r.text !== undefined && Buffer.byteLength(r.text) > MAX_TEXT_BYTES ? undefined : r.text;
  return JSON.stringify({ ...r, text });
}

/** A stored value back into a record; anything else (a hand edit, a newer format) is undefined, never a crash. */
export function decodeRecord(value: string): EpisodeRecord | undefined {
  try {
    const r = RecordSchema.safeParse(JSON.parse(value));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export function isExpired(r: Pick<Episode, 'updatedAt'>, nowMs: number): boolean {
  const t = Date.parse(r.updatedAt);
  return Number.isNaN(t) || nowMs - t >= EPISODE_TTL_MS;
}

/**
 * The ConfigMap's data as it should be: expired and unreadable entries dropped, then the oldest
 * (by updatedAt) evicted until both bounds hold. Returns the keys to remove.
 */
export function prune(data: Readonly<Record<string, string>>, nowMs: number): string[] {
  const remove: string[] = [];
  const live: { key: string; at: number; bytes: number }[] = [];
  for (const [key, value] of Object.entries(data)) {
    const r = decodeRecord(value);
    if (!r || r.id !== key || isExpired(r, nowMs)) remove.push(key);
    else live.push({ key, at: Date.parse(r.updatedAt), bytes: Buffer.byteLength(key) + Buffer.byteLength(value) });
  }
  live.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
  let bytes = live.reduce((sum, e) => sum + e.bytes, 0);
  let count = live.length;
  for (const e of live) {
    if (count <= MAX_EPISODES_PER_CHANNEL && bytes <= MAX_BYTES_PER_CHANNEL) break;
    remove.push(e.key);
    count--;
    bytes -= e.bytes;
  }
  return remove;
}

/** Whether `after` differs from `before` in anything but updatedAt. */
export function changedBeyondTime(before: EpisodeRecord | undefined, after: EpisodeRecord): boolean {
  if (!before) return true;
  return !deepEqual({ ...before, updatedAt: '' }, { ...after, updatedAt: '' });
}
