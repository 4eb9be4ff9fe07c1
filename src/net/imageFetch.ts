// Fetching an alert's image (Grafana's imageURL) so the operator can upload it to Telegram itself:
// Grafana's image URLs usually resolve only inside the cluster, where Telegram's servers cannot reach.
// The URL comes from a webhook payload, so it is treated as hostile: only hosts the platform listed
// (IMAGE_URL_HOSTS), http(s) only, redirects only within the same scheme, host and port, image types
// only, a size cap enforced while reading (the socket is destroyed past it, nothing more is buffered)
// and a wall-clock deadline. A refusal is a short note for the chat; it names the host at most, never
// the URL's path, query or user (Grafana's image URLs may carry a token).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { OUTBOUND, withDeadline } from './outbound.js';

/** The image types Telegram takes as a photo, with the file extension the upload is named by. */
export const IMAGE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Redirects followed at most; each must stay on the same scheme, host and port. */
export const MAX_IMAGE_REDIRECTS = 3;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export type ImageFetchResult = { ok: true; bytes: Buffer; contentType: string; filename: string } | { ok: false; why: string };

export interface ImageFetchOptions {
  /** Whether the URL's host and port are on the platform's list (IMAGE_URL_HOSTS). */
  isHostAllowed: (url: string) => boolean;
  /** Aborts the fetch (the notification was abandoned). */
  signal?: AbortSignal;
  /** Defaults: OUTBOUND.image. */
  deadlineMs?: number;
  maxBytes?: number;
}

/** Fetches the image at `url`, or says in a few words why it cannot be had. Never throws. */
export async function fetchImage(url: string, options: ImageFetchOptions): Promise<ImageFetchResult> {
  const deadlineMs = options.deadlineMs ?? OUTBOUND.image.deadlineMs;
  const maxBytes = options.maxBytes ?? OUTBOUND.image.maxAnswerBytes;
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return refused('the image URL is not a valid URL');
  }
  if (current.protocol !== 'http:' && current.protocol !== 'https:') return refused('the image URL is not http or https');
  if (!options.isHostAllowed(current.href)) return refused(`the image host ${current.host} is not listed in IMAGE_URL_HOSTS`);
  const host = current.host;

  return withDeadline(deadlineMs, options.signal, async (signal, expired) => {
    try {
      for (let redirects = 0; ; redirects++) {
        const res = await get(current, signal);
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
          res.destroy();
          if (redirects === MAX_IMAGE_REDIRECTS) return refused(`the image host ${host} redirected more than ${MAX_IMAGE_REDIRECTS} times`);
          const next = redirectTarget(res.headers.location, current);
          if (!next || next.origin !== current.origin) return refused(`the image host ${host} redirected to another host`);
          current = next;
          continue;
        }
        if (status !== 200) {
          res.destroy();
          return refused(`the image host ${host} answered HTTP ${status}`);
        }
        return await readImage(res, host, maxBytes);
      }
    } catch (e) {
      if (options.signal?.aborted) return refused('the image fetch was cancelled');
      if (expired()) return refused(`the image host ${host} did not answer within ${deadlineMs / 1000} s`);
      return refused(`the image host ${host} could not be reached (${errorCode(e)})`);
    }
  });
}

/** The body of a 200 answer, if it is an image and not larger than `maxBytes`. */
async function readImage(res: IncomingMessage, host: string, maxBytes: number): Promise<ImageFetchResult> {
  const contentType = mediaType(res.headers['content-type']);
  const extension = IMAGE_CONTENT_TYPES[contentType];
  if (extension === undefined) {
    res.destroy();
    const shown = /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(contentType) ? contentType : 'an unknown content type';
    return refused(`the image host ${host} answered ${shown}, not PNG, JPEG, GIF or WebP`);
  }
  const tooLarge = refused(`the image at ${host} is larger than ${formatBytes(maxBytes)}`);
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return tooLarge;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      res.destroy();
      return tooLarge;
    }
    chunks.push(chunk);
  }
  if (length === 0) return refused(`the image host ${host} answered an empty body`);
  return { ok: true, bytes: Buffer.concat(chunks, length), contentType, filename: `image.${extension}` };
}

function get(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'GET', signal, headers: { accept: Object.keys(IMAGE_CONTENT_TYPES).join(', ') } }, resolve);
    request.on('error', reject);
    request.end();
  });
}

function redirectTarget(location: string | undefined, base: URL): URL | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/** "image/png" of "Image/PNG; charset=binary". */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A network error's code (ECONNREFUSED, ENOTFOUND…): its message may repeat the URL. */
function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'network error';
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

function refused(why: string): ImageFetchResult {
  return { ok: false, why };
}
