// The Bot API's answer envelope and the way its server reads parameters: shared by every method file,
// so a new method answers with exactly the shapes, prefixes and headers the existing ones use.

export type ResponseParameters = { migrate_to_chat_id?: number; retry_after?: number };

export type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

/** What a handler returns: the HTTP status, a JSON body (or an nginx HTML page) and extra headers. */
export type Outcome = { status: number; body: ApiResponse | string; headers?: Record<string, string> };

export const ok = (result: unknown, description?: string): Outcome => ({
  status: 200,
  body: description === undefined ? { ok: true, result } : { ok: true, result, description },
});

export const fail = (code: number, description: string, parameters?: ResponseParameters): Outcome => {
  const body: ApiResponse =
    parameters === undefined ? { ok: false, error_code: code, description } : { ok: false, error_code: code, description, parameters };
  return code === 429 && parameters?.retry_after !== undefined
    ? { status: code, body, headers: { 'Retry-After': String(parameters.retry_after) } }
    : { status: code, body };
};

export const badRequest = (message: string): Outcome => fail(400, `Bad Request: ${message}`);
export const forbidden = (message: string): Outcome => fail(403, `Forbidden: ${message}`);
export const tooManyRequests = (seconds: number): Outcome =>
  fail(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });

export const isOutcome = (x: unknown): x is Outcome => typeof x === 'object' && x !== null && 'status' in x && 'body' in x;

/**
 * fail_query_with_error: a TDLib or parser message gets its first letter lower-cased, unless its second
 * character is `_` or upper case (so `BUTTON_DATA_INVALID` stays as it is).
 */
export function serverMessage(message: string): string {
  const second = message.charAt(1);
  if (message.length < 2 || second === '_' || (second >= 'A' && second <= 'Z')) return message;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** td::to_integer: optional minus, then leading digits; garbage reads as 0. */
export function toInteger(raw: string): number {
  const m = /^(-?)(\d*)/.exec(raw);
  const digits = m?.[2] ?? '';
  if (digits === '') return 0;
  const n = Number(digits);
  return m?.[1] === '-' ? -n : n;
}

export function integerArg(raw: string, fallback: number, min = -Infinity, max = Infinity): number {
  if (raw === '') return fallback;
  return Math.min(max, Math.max(min, toInteger(raw)));
}

export function toBool(raw: string): boolean {
  const v = raw.toLowerCase();
  return v === 'true' || v === '1';
}

/** The bot API treats every parameter as a string; JSON bodies are flattened the same way. */
export function flatten(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** A request's parameters, read as the server reads them: absent and empty are both ''. */
export type Args = (key: string) => string;
