// Alertmanager's API v2, the three calls the buttons need: create a silence, expire it, and check
// that the API answers. Nothing from axios leaves this file: its errors carry the request config,
// and so the Bearer token; failures become AlertmanagerErrors built from scratch, with Alertmanager's
// own words cut short and stripped of control characters (they reach a Telegram alert and status).
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';

/** A press must be answered within a second or two: an Alertmanager slower than this counts as unreachable. */
export const ALERTMANAGER_TIMEOUT_MS = 3_000;
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
  constructor(
    readonly kind: AlertmanagerErrorKind,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
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

  /** `baseUrl` is spec.alertmanager.silence.url (validated http(s), no credentials, query or fragment). */
  constructor(
    baseUrl: string,
    private readonly bearer?: string,
    timeoutMs = ALERTMANAGER_TIMEOUT_MS,
  ) {
    const url = new URL(baseUrl);
    this.where = url.host;
    this.http = axios.create({
      baseURL: `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/v2`,
      timeout: timeoutMs,
      validateStatus: () => true,
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
    let status: number;
    let text: string;
    try {
      const res = await this.http.request<string>({
        method,
        url: path,
        ...(body !== undefined ? { data: body, headers: { 'Content-Type': 'application/json' } } : {}),
      });
      status = res.status;
      text = typeof res.data === 'string' ? res.data : '';
    } catch (e) {
      // Only the error code: axios' message and config carry the headers, the Bearer token included.
      const code = (e as { code?: string }).code ?? 'error';
      throw new AlertmanagerError(
        'Unreachable',
        `cannot reach Alertmanager at ${this.where} to ${what}: ${code === 'ECONNABORTED' ? 'timeout' : code}`,
      );
    }
    if (status >= 200 && status < 300) return text;
    const detail = sanitizeDetail(errorText(text), this.bearer);
    const said = detail ? `: ${detail}` : '';
    if (status === 401 || status === 403) {
      throw new AlertmanagerError(
        'Unauthorized',
        `Alertmanager at ${this.where} refused to ${what} (${status}${said}); check authorizationSecretRef`,
        status,
      );
    }
    // Expiring an expired silence is a 500 "silence … already expired" in Alertmanager: gone, as a 404 is.
    if (method === 'delete' && (status === 404 || /already expired/i.test(detail)))
      throw new AlertmanagerError('NotFound', `the silence is gone from Alertmanager already${said}`, status);
    if (status >= 400 && status < 500)
      throw new AlertmanagerError('Rejected', `Alertmanager at ${this.where} refused to ${what} (${status}${said})`, status);
    throw new AlertmanagerError('Unreachable', `Alertmanager at ${this.where} answered ${status} when asked to ${what}${said}`, status);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Alertmanager answers errors as a JSON string, or {"message": …} (go-swagger), or plain text. */
function errorText(text: string): string {
  const j = safeJson(text);
  if (typeof j === 'string') return j;
  if (j && typeof j === 'object' && typeof (j as { message?: unknown }).message === 'string') return (j as { message: string }).message;
  return text.startsWith('<') ? '' : text;
}
