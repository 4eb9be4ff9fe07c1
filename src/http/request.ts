// Small pieces every webhook-like route needs: an error that is an HTTP answer, a bounded body reader,
// and a signal for a caller that hung up.
import type http from 'node:http';
import type { Reservation } from './requestBudget.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** What the operator's log says about it, when the caller must not learn it (e.g. why a 401). */
    readonly logReason?: string,
  ) {
    super(message);
  }
}

/** The declared Content-Length, or undefined when the body is chunked (or the header is malformed). */
export function declaredLength(req: http.IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** The answer to a body that would take its tenant past its share of the body budget, or the process past the whole. */
export function overBudget(): HttpError {
  const why = "webhook body budget spent (WEBHOOK_MAX_CONCURRENT, or this namespace's share of it)";
  return new HttpError(503, 'too many webhook requests at once; retry', { 'Retry-After': '5' }, why);
}

/**
 * Reads the body, up to `limit` bytes. With a reservation each chunk is taken from the body budget
 * as it arrives, before it is kept: beyond the budget the read stops with 503 (overBudget) and what
 * was read is dropped.
 */
export function readBody(req: http.IncomingMessage, limit: number, reservation?: Reservation): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) {
    return Promise.reject(new HttpError(413, `body of ${declared} bytes is over the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    // Chunks are kept as they come and joined once at the end: nothing is allocated for bytes that
    // were only declared, so a sender that declares megabytes and sends a trickle costs a trickle.
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (e: HttpError) => {
      req.removeAllListeners('data');
      chunks.length = 0;
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      if (size + c.length > (declared ?? limit)) return stop(new HttpError(413, `body is over the limit of ${limit} bytes`));
      if (reservation && !reservation.take(c.length)) {
        // Given back at once, not when the answer is out: the other uploads of the namespace go on in its room.
        reservation.release();
        return stop(overBudget());
      }
      chunks.push(c);
      size += c.length;
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
    req.on('close', () => reject(new HttpError(400, 'the request body was cut off')));
  });
}

/** Aborts when the caller closes the connection before we answered. */
export function callerHangUp(res: http.ServerResponse): { signal: AbortSignal; dispose: () => void } {
  const gone = new AbortController();
  const onClose = () => {
    if (!res.writableEnded) gone.abort();
  };
  res.once('close', onClose);
  return { signal: gone.signal, dispose: () => res.off('close', onClose) };
}
