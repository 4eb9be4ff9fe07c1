// Small pieces every webhook-like route needs: an error that is an HTTP answer, a bounded body reader,
// and a signal for a caller that hung up.
import type http from 'node:http';

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

export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) {
    return Promise.reject(new HttpError(413, `body of ${declared} bytes is over the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    // With a declared length the body is copied into one buffer of that size as it arrives: no second
    // copy at the end, which matters when several bodies of megabytes are read at once.
    const whole = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size + c.length > (declared ?? limit)) {
        req.removeAllListeners('data');
        chunks.length = 0;
        reject(new HttpError(413, `body is over the limit of ${limit} bytes`));
        return;
      }
      if (whole) c.copy(whole, size);
      else chunks.push(c);
      size += c.length;
    });
    req.on('end', () => resolve(whole ? whole.subarray(0, size) : Buffer.concat(chunks, size)));
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
