// What Telegram makes of a photo before it sends it: an upload must be a non-empty image of at most
// 10 MB whose width + height is at most 10,000 and whose sides differ by at most 20 times
// (reference: messages-sources-operate.md, "sendPhoto"); a URL is fetched by Telegram's servers, so an
// address only the cluster can resolve fails there. The emulator never fetches: it decides from the
// address, or from what a test said the address serves (`setPhotoUrl`).

import { createHash } from 'node:crypto';

export const MAX_PHOTO_UPLOAD_BYTES = 10 * 1024 * 1024;
const MAX_SIDES_SUM = 10_000;
const MAX_SIDE_RATIO = 20;
/** A URL photo is not fetched, so its size is unknown: this is what the emulator reports for it. */
export const URL_PHOTO_SIZE = { width: 800, height: 600 } as const;

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp';

/** A photo as the emulator recorded it: how it was sent and what Telegram answers about it. */
export interface PhotoRecord {
  /** An HTTP(S) URL (not fetched), an upload (multipart), or the file_id of an earlier photo. */
  source: 'url' | 'upload' | 'file_id';
  url?: string;
  /** Upload only: the part's file name, content type and size in bytes. */
  fileName?: string;
  contentType?: string;
  size?: number;
  format?: ImageFormat;
  width: number;
  height: number;
  fileId: string;
  fileUniqueId: string;
}

/** What a test says a URL serves when Telegram fetches it. */
export type PhotoUrlBehaviour = 'image' | 'unreachable' | 'not-an-image';

export type ImageCheck = { ok: true; format: ImageFormat; width: number; height: number } | { ok: false; error: string };

/** The upload checks, in the order they bite: empty, too big, not an image, bad dimensions. */
export function checkUploadedImage(bytes: Uint8Array): ImageCheck {
  if (bytes.length === 0) return { ok: false, error: 'file must be non-empty' };
  if (bytes.length > MAX_PHOTO_UPLOAD_BYTES) return { ok: false, error: 'file is too big' };
  const image = sniffImage(bytes);
  if (!image) return { ok: false, error: 'IMAGE_PROCESS_FAILED' };
  const { width, height } = image;
  const ratio = Math.max(width, height) / Math.max(1, Math.min(width, height));
  if (width === 0 || height === 0 || width + height > MAX_SIDES_SUM || ratio > MAX_SIDE_RATIO) {
    return { ok: false, error: 'PHOTO_INVALID_DIMENSIONS' };
  }
  return { ok: true, ...image };
}

/** The image format and size from the file's header; undefined for anything that is not a readable image. */
export function sniffImage(b: Uint8Array): { format: ImageFormat; width: number; height: number } | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ascii = (from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 24 && b[0] === 0x89 && ascii(1, 4) === 'PNG' && ascii(12, 16) === 'IHDR') {
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (b.length >= 10 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) {
    return { format: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (b.length >= 26 && ascii(0, 2) === 'BM') {
    return { format: 'bmp', width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  if (b.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return webpSize(b, view);
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegSize(b, view);
  return undefined;
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegSize(b: Uint8Array, view: DataView): { format: 'jpeg'; width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    const length = view.getUint16(i + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { format: 'jpeg', height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    i += 2 + length;
  }
  return undefined;
}

function webpSize(b: Uint8Array, view: DataView): { format: 'webp'; width: number; height: number } | undefined {
  const chunk = String.fromCharCode(...b.subarray(12, 16));
  if (chunk === 'VP8X') {
    const w = 1 + (view.getUint32(24, true) & 0xffffff);
    const h = 1 + (view.getUint32(27, true) & 0xffffff);
    return { format: 'webp', width: w, height: h };
  }
  if (chunk === 'VP8 ') return { format: 'webp', width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = view.getUint32(21, true);
    return { format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  return undefined;
}

/**
 * Whether Telegram's servers could fetch this address: not a loopback, private or link-local address,
 * not a single-label name or one under a suffix only a private network resolves (a Kubernetes Service
 * name such as `grafana.monitoring.svc`).
 */
export function isPubliclyFetchable(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || (!host.includes('.') && !host.includes(':'))) return false;
  if (/\.(local|localhost|internal|svc|cluster\.local|lan|home|corp)$/.test(host)) return false;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b2] = [Number(v4[1]), Number(v4[2])];
    return !(
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b2 === 254) ||
      (a === 172 && b2 >= 16 && b2 <= 31) ||
      (a === 192 && b2 === 168)
    );
  }
  if (host.includes(':')) return !(host === '::1' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80'));
  return true;
}

/** A stable file_id / file_unique_id pair for a photo, derived from what identifies it. */
export function photoFileIds(seed: string): { fileId: string; fileUniqueId: string } {
  const digest = createHash('sha256').update(seed).digest('base64url');
  return { fileId: `AgACAgIAAxkBAAI${digest.slice(0, 60)}`, fileUniqueId: `AQAD${digest.slice(60, 72)}` };
}

/** The PhotoSize array of a Message: a 90 px thumbnail and the photo scaled to at most 1280 px, as Telegram keeps them. */
export function photoSizes(p: PhotoRecord): Record<string, unknown>[] {
  const scaled = (limit: number): { width: number; height: number } => {
    const factor = Math.min(1, limit / Math.max(p.width, p.height));
    return { width: Math.max(1, Math.round(p.width * factor)), height: Math.max(1, Math.round(p.height * factor)) };
  };
  return [
    { file_id: `${p.fileId}s`, file_unique_id: `${p.fileUniqueId}s`, ...scaled(90) },
    { file_id: p.fileId, file_unique_id: p.fileUniqueId, ...scaled(1280) },
  ];
}
