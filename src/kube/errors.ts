// client-node 2.x throws ApiException{code, body: string}; this turns any failure of a call into
// one shape the operator can branch on.
export interface KubeError {
  code: number | undefined;
  reason: string | undefined;
  message: string;
}

export function toKubeError(e: unknown): KubeError {
  const err = e as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string };
  const code = typeof err?.code === 'number' ? err.code : typeof err?.statusCode === 'number' ? err.statusCode : undefined;
  let reason: string | undefined;
  let message = err?.message ?? String(e);
  if (typeof err?.body === 'string') {
    try {
      const status = JSON.parse(err.body) as { reason?: string; message?: string };
      reason = status.reason;
      if (status.message) message = status.message;
    } catch {
      // Not a Status object: keep the exception's own message.
    }
  } else if (err?.body && typeof err.body === 'object') {
    const status = err.body as { reason?: string; message?: string };
    reason = status.reason;
    if (status.message) message = status.message;
  }
  return { code, reason, message };
}

/**
 * What a log line should carry of a failed call: an API server's refusal by its Status message, and any
 * other failure whole, so that the logger's error serializer keeps its cause (ECONNREFUSED, TLS, DNS).
 */
export function kubeErrorForLog(e: unknown): unknown {
  const err = toKubeError(e);
  return err.code === undefined ? e : err.message;
}

export const isNotFound = (e: unknown): boolean => toKubeError(e).code === 404;
export const isConflict = (e: unknown): boolean => toKubeError(e).code === 409;
