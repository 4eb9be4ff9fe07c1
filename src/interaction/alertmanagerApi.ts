// Alertmanager's API v2, the three calls the buttons need: create a silence, expire it, and check
// that the API answers. Nothing from axios leaves this file: its errors carry the request config,
// and so the Bearer token; failures become AlertmanagerErrors built from scratch. Their message is
// what the channel's owner reads (the Interactive condition, a press's answer), and the URL may point
// anywhere inside the cluster: it carries Alertmanager's own words only when the endpoint answered as
// an Alertmanager does (a JSON error), and never a network error's name or an answer's body
// otherwise. The operator's log gets the detail (`code`, `cause`). Every call is bounded by the
// outbound policy: a wall-clock deadline and a small cap on the answer's bytes.
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { OUTBOUND, withDeadline } from '../net/outbound.js';

/** A press must be answered within a second or two: an Alertmanager slower than this counts as unreachable. */
export const ALERTMANAGER_TIMEOUT_MS = OUTBOUND.alertmanager.deadlineMs;
/** Alertmanager's answers are small JSON documents: anything longer is not read, and is not an Alertmanager. */
export const ALERTMANAGER_MAX_ANSWER_BYTES = OUTBOUND.alertmanager.maxAnswerBytes;
/** How much of Alertmanager's error text is kept. */
const MAX_DETAIL = 160;

/** A Bearer token as RFC 6750 allows it (b64token), of a sane length. Anything else is never sent or shown. */
const BEARER_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_BEARER = 4096;

export type AlertmanagerErrorKind =
  | 'Unreachable' // network, timeout, 5xx, or an answer that is not Alertmanager's
  | 'Unauthorized' // 401/403: the Bearer token (authorizationSecretRef) is missing or wrong
  | 'NotFound' // 404 on a silence id: it is gone already
  | 'Rejected'; // any other 4xx: Alertmanager refused this request

export class AlertmanagerError extends Error {
  override readonly name = 'AlertmanagerError';
  /** For the operator's log only: what the network or the endpoint said (timeout, ECONNREFUSED, tooLarge, httpStatus). */
  readonly code?: string;
  constructor(
    readonly kind: AlertmanagerErrorKind,
    message: string,
    readonly httpStatus?: number,
    logOnly?: { code?: string; detail?: string },
  ) {
    super(message, logOnly?.detail ? { cause: new Error(logOnly.detail) } : undefined);
    if (logOnly?.code) this.code = logOnly.code;
  }
}

export interface SilenceRequest {
  matchers: Record<string, string>;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

/** Checks a Bearer token read from a Secret; the message never contains the value. */
export function checkBearer(raw: string, where: string): { ok: true; value: string } | { ok: false; message: string } {
  const value = raw.trim();
  if (value === '') return { ok: false, message: `the Alertmanager token in ${where} is empty` };
  if (value.length > MAX_BEARER || !BEARER_PATTERN.test(value)) {
    return {
      ok: false,
      message: `the value in ${where} is not a Bearer token (${value.length} characters; letters, digits and -._~+/ expected)`,
    };
  }
  return { ok: true, value };
}

/** Alertmanager's error text, safe to show: one line, printable, short, and without the token. */
export function sanitizeDetail(text: string, bearer?: string): string {
  let t = text;
  if (bearer) t = t.split(bearer).join('***');
  t = t
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...t];
  return chars.length > MAX_DETAIL ? `${chars.slice(0, MAX_DETAIL - 1).join('')}…` : t;
}

export class AlertmanagerApi {
  private readonly http: AxiosInstance;
  private readonly where: string;

  /**
   * `baseUrl` is where the API v2 lives under (api/silenceSources.ts): spec.alertmanager.silence.url, or
   * Grafana's Alertmanager under spec.grafana.silence.url (validated http(s), no credentials, query or fragment).
   * `endpointWords`: the host is one the platform listed (silencePolicy.ts), so an error text in
   * Alertmanager's shape may be shown to the tenant. Any other host may be an internal service whose
   * error page happens to be JSON (`{"message": …}` is common): its words then go to the log only.
   */
  constructor(
    baseUrl: string,
    private readonly bearer?: string,
    private readonly deadlineMs: number = ALERTMANAGER_TIMEOUT_MS,
    maxAnswerBytes: number = ALERTMANAGER_MAX_ANSWER_BYTES,
    private readonly endpointWords = false,
  ) {
    const url = new URL(baseUrl);
    this.where = url.host;
    this.http = axios.create({
      baseURL: `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/v2`,
      validateStatus: () => true,
      maxContentLength: maxAnswerBytes,
      // A refused request body is never large (a silence), but bound it all the same.
      maxBodyLength: maxAnswerBytes,
      proxy: false,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: (d: unknown) => d,
      headers: bearer ? { Authorization: `Bearer ${bearer}` } : {},
    });
  }

  /** POST /api/v2/silences; returns the new silence's id. Every matcher is an exact, equal match. */
  async createSilence(s: SilenceRequest): Promise<string> {
    const body = {
      matchers: Object.entries(s.matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      createdBy: s.createdBy,
      comment: s.comment,
    };
    const text = await this.request('post', '/silences', 'create the silence', body);
    const parsed = z.object({ silenceID: z.string().min(1).max(100) }).safeParse(safeJson(text));
    if (!parsed.success) throw new AlertmanagerError('Unreachable', `${this.where} answered the silence request without a silence id`);
    return parsed.data.silenceID;
  }

  /** DELETE /api/v2/silence/{id}: expires the silence. A silence that is gone already throws NotFound. */
  async expireSilence(id: string): Promise<void> {
    await this.request('delete', `/silence/${encodeURIComponent(id)}`, 'expire the silence');
  }

  /** GET /api/v2/status: throws unless this is an Alertmanager answering its API. */
  async status(): Promise<void> {
    const text = await this.request('get', '/status', 'read its status');
    const parsed = z.looseObject({ cluster: z.unknown(), versionInfo: z.unknown() }).safeParse(safeJson(text));
    if (!parsed.success) {
      throw new AlertmanagerError(
        'Unreachable',
        `${this.where} answered GET /api/v2/status, but not as an Alertmanager (is the URL right?)`,
      );
    }
  }

  private async request(method: 'get' | 'post' | 'delete', path: string, what: string, body?: unknown): Promise<string> {
    const res = await withDeadline(this.deadlineMs, undefined, (signal, expired) =>
      this.http
        .request<string>({
          method,
          url: path,
          signal,
          ...(body !== undefined ? { data: body, headers: { 'Content-Type': 'application/json' } } : {}),
        })
        .catch((e: unknown) => {
          // Only our own words: axios' message and config carry the headers, the Bearer token included,
          // and a network error's name (ECONNREFUSED, ENOTFOUND) maps the cluster's network for whoever
          // wrote the URL. The log keeps the code.
          throw new AlertmanagerError('Unreachable', `cannot reach Alertmanager at ${this.where} to ${what}`, undefined, {
            code: failureCode(e, expired()),
          });
        }),
    );
    const status = res.status;
    const text = typeof res.data === 'string' ? res.data : '';
    if (status >= 200 && status < 300) return text;
    // Whether it answered as an Alertmanager decides the outcome; whether the tenant reads its words
    // depends on who listed the host.
    const words = alertmanagerWords(text, this.bearer);
    const said = this.endpointWords ? words : undefined;
    const logOnly = { code: `http${status}`, ...(said === undefined ? { detail: sanitizeDetail(text, this.bearer) } : {}) };
    const saidText = said ? `: ${said}` : '';
    if (status === 401 || status === 403) {
      throw new AlertmanagerError(
        'Unauthorized',
        `Alertmanager at ${this.where} refused to ${what} (${status}${saidText}); check authorizationSecretRef`,
        status,
        logOnly,
      );
    }
    // Expiring an expired silence is a 500 "silence … already expired" in Alertmanager: gone, as a 404 is.
    if (method === 'delete' && (status === 404 || /already expired/i.test(words ?? '')))
      throw new AlertmanagerError('NotFound', `the silence is gone from Alertmanager already${saidText}`, status, logOnly);
    if (words === undefined) {
      // Not Alertmanager's shape of an error: whatever answered, its words stay in the log.
      throw new AlertmanagerError('Unreachable', `${this.where} is not reachable as an Alertmanager to ${what}`, status, logOnly);
    }
    if (status >= 400 && status < 500)
      throw new AlertmanagerError('Rejected', `Alertmanager at ${this.where} refused to ${what} (${status}${saidText})`, status, logOnly);
    throw new AlertmanagerError(
      'Unreachable',
      `Alertmanager at ${this.where} answered ${status} when asked to ${what}${saidText}`,
      status,
      logOnly,
    );
  }
}

/** Why a request got no answer, for the log: the deadline, an answer over the cap, or the network error's code. */
function failureCode(e: unknown, expired: boolean): string {
  if (expired) return 'timeout';
  const err = e as { code?: string; message?: string };
  if (err.code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(err.message ?? '')) return 'tooLarge';
  return typeof err.code === 'string' ? err.code : 'error';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Alertmanager's own words in an error answer, safe to show: its API answers errors as a JSON string
 * (go-swagger) or {"message": …}. Anything else (plain text, HTML, a proxy's page, an internal
 * service's error) is undefined: not Alertmanager's, not shown.
 */
function alertmanagerWords(text: string, bearer?: string): string | undefined {
  const j = safeJson(text);
  if (typeof j === 'string') return sanitizeDetail(j, bearer);
  if (j && typeof j === 'object' && typeof (j as { message?: unknown }).message === 'string')
    return sanitizeDetail((j as { message: string }).message, bearer);
  return undefined;
}
