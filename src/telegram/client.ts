// The Bot API over HTTP. The token lives in the URL path, so nothing from axios (its errors carry
// the request config and URL) ever leaves this file unredacted: failures become TelegramErrors
// built from scratch. HTTPS_PROXY / NO_PROXY are honoured through a CONNECT tunnel. A plain http://
// Bot API behind a proxy is refused: the token, in the URL path, would pass the proxy in clear.
import axios, { type AxiosInstance } from 'axios';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { z } from 'zod';
import { classifyFailure, TelegramError } from './errors.js';
import { MultipartBody, multipartBody } from './multipart.js';
import { redact, redactUrl } from '../observability/redact.js';
import { OUTBOUND, withDeadline } from '../net/outbound.js';
import {
  ChatMemberSchema,
  ChatSchema,
  EnvelopeSchema,
  ForumTopicSchema,
  MessageSchema,
  PhotoMessageSchema,
  UserSchema,
  type TelegramChat,
  type TelegramChatMember,
  type TelegramForumTopic,
  type TelegramMessage,
  type TelegramPhotoMessage,
  type TelegramUser,
} from './schemas.js';

export interface TelegramCallObserver {
  (method: string, outcome: string, seconds: number): void;
}

export interface SendMessageParams {
  chat_id: string | number;
  text: string;
  parse_mode?: 'HTML' | 'MarkdownV2';
  message_thread_id?: number;
  disable_notification?: boolean;
  protect_content?: boolean;
  link_preview_options?: { is_disabled: boolean };
  /** Buttons under the message; only inline keyboards are used by the operator. */
  reply_markup?: InlineKeyboardMarkup;
  /** Answer to an earlier message of the chat; allow_sending_without_reply: sent anyway if it is gone. */
  reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean };
}

export interface InlineKeyboardButton {
  text: string;
  /** At most 64 bytes; Telegram sends it back in the callback_query when the button is pressed. */
  callback_data?: string;
  url?: string;
}

export interface InlineKeyboardMarkup {
  inline_keyboard: InlineKeyboardButton[][];
}

export interface EditMessageTextParams {
  chat_id: string | number;
  message_id: number;
  text: string;
  parse_mode?: 'HTML' | 'MarkdownV2';
  link_preview_options?: { is_disabled: boolean };
  /** Absent: the message loses its keyboard, as on Telegram. */
  reply_markup?: InlineKeyboardMarkup;
}

/** A photo's bytes, uploaded as the multipart part `photo` (Telegram takes at most 10 MB this way). */
export interface PhotoUpload {
  bytes: Uint8Array;
  filename: string;
  contentType: string;
}

/** sendMessage's options, with a photo and its caption (0-1,024 characters after entity parsing) instead of a text. */
export interface SendPhotoParams extends Omit<SendMessageParams, 'text' | 'link_preview_options'> {
  /** Uploaded bytes, or a string: the file_id of a photo this bot sent, or a URL Telegram's servers fetch. */
  photo: PhotoUpload | string;
  caption?: string;
}

export interface EditMessageCaptionParams {
  chat_id: string | number;
  message_id: number;
  /** Absent or empty: the caption is removed. */
  caption?: string;
  parse_mode?: 'HTML' | 'MarkdownV2';
  /** Absent: the message loses its keyboard, as on Telegram. */
  reply_markup?: InlineKeyboardMarkup;
}

export interface EditMessageReplyMarkupParams {
  chat_id: string | number;
  message_id: number;
  /** Absent: the keyboard is removed. */
  reply_markup?: InlineKeyboardMarkup;
}

export interface AnswerCallbackQueryParams {
  callback_query_id: string;
  /** At most 200 characters, shown to the user who pressed. */
  text?: string;
  show_alert?: boolean;
  cache_time?: number;
}

/** Per call: a deadline other than the client's (long polls; wall-clock, answer included) and a signal that aborts the call. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class TelegramClient {
  private readonly http: AxiosInstance;

  constructor(
    baseUrl: string,
    private readonly observe: TelegramCallObserver = () => {},
    private readonly deadlineMs: number = OUTBOUND.telegram.deadlineMs,
    maxAnswerBytes: number = OUTBOUND.telegram.maxAnswerBytes,
  ) {
    const proxy = getProxyForUrl(`${baseUrl}/`);
    if (proxy && !baseUrl.startsWith('https:')) throw new PlainHttpProxyError(baseUrl, proxy);
    this.http = axios.create({
      baseURL: baseUrl,
      // No idle `timeout`: each call gets a wall-clock deadline (a signal), and its answer a byte cap.
      maxContentLength: maxAnswerBytes,
      // Every status is an answer to read: the Bot API explains failures in the JSON body.
      validateStatus: () => true,
      // axios' own env-proxy support cannot tunnel HTTPS (and would send the whole URL, token
      // included, in the request line); the agent below opens a CONNECT tunnel and TLS inside it.
      proxy: false,
      ...(proxy ? { httpsAgent: new HttpsProxyAgent(proxy) } : {}),
      responseType: 'text',
      transformResponse: (d: unknown) => d,
      // The Bot API never redirects. Without redirects axios uses Node's http directly instead of
      // follow-redirects, which allocated ~68 KB per call (a third of the operator's garbage).
      maxRedirects: 0,
    });
  }

  getMe(token: string): Promise<TelegramUser> {
    return this.call(token, 'getMe', {}, UserSchema);
  }

  getChat(token: string, chatId: string | number): Promise<TelegramChat> {
    return this.call(token, 'getChat', { chat_id: chatId }, ChatSchema);
  }

  getChatMember(token: string, chatId: string | number, userId: number): Promise<TelegramChatMember> {
    return this.call(token, 'getChatMember', { chat_id: chatId, user_id: userId }, ChatMemberSchema);
  }

  /** A write-access probe without a message; see Verifier for why it is used on basic groups only. */
  sendChatAction(token: string, chatId: string | number, action = 'typing'): Promise<boolean> {
    return this.call(token, 'sendChatAction', { chat_id: chatId, action }, z.boolean());
  }

  sendMessage(token: string, params: SendMessageParams): Promise<TelegramMessage> {
    return this.call(token, 'sendMessage', params, MessageSchema);
  }

  /** Telegram answers the edited Message (or `true` for inline messages, which the operator never edits). */
  editMessageText(token: string, params: EditMessageTextParams): Promise<TelegramMessage> {
    return this.call(token, 'editMessageText', params, MessageSchema);
  }

  /** An upload goes as multipart/form-data, objects (keyboard, reply) as JSON text parts; a file_id or URL as JSON. */
  sendPhoto(token: string, params: SendPhotoParams): Promise<TelegramPhotoMessage> {
    const { photo } = params;
    const body = typeof photo === 'string' ? params : photoUpload({ ...params, photo });
    return this.call(token, 'sendPhoto', body, PhotoMessageSchema);
  }

  /** The caption of a photo; a text message has none ("there is no caption in the message to edit"). */
  editMessageCaption(token: string, params: EditMessageCaptionParams): Promise<TelegramMessage> {
    return this.call(token, 'editMessageCaption', params, MessageSchema);
  }

  editMessageReplyMarkup(token: string, params: EditMessageReplyMarkupParams): Promise<TelegramMessage> {
    return this.call(token, 'editMessageReplyMarkup', params, MessageSchema);
  }

  deleteMessage(token: string, params: { chat_id: string | number; message_id: number }): Promise<boolean> {
    return this.call(token, 'deleteMessage', params, z.boolean());
  }

  /** Needs a forum and the bot's can_manage_topics; the name is 1–128 characters. */
  createForumTopic(token: string, params: { chat_id: string | number; name: string }): Promise<TelegramForumTopic> {
    return this.call(token, 'createForumTopic', params, ForumTopicSchema);
  }

  answerCallbackQuery(token: string, params: AnswerCallbackQueryParams): Promise<boolean> {
    return this.call(token, 'answerCallbackQuery', params, z.boolean());
  }

  /**
   * The CLI reads updates without confirming offsets, so the user's bot keeps them; the operator's
   * poller long-polls (`timeout` seconds) and passes a per-call HTTP timeout a little longer than that,
   * and a signal that ends the poll at once on step-down or shutdown.
   */
  getUpdates(
    token: string,
    params: { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] },
    opts: CallOptions = {},
  ): Promise<unknown[]> {
    return this.call(token, 'getUpdates', params, z.array(z.unknown()), opts);
  }

  getWebhookInfo(token: string): Promise<{ url: string; pending_update_count?: number }> {
    return this.call(token, 'getWebhookInfo', {}, z.looseObject({ url: z.string(), pending_update_count: z.number().optional() }));
  }

  private async call<T>(
    token: string,
    method: string,
    params: object | MultipartBody,
    schema: z.ZodType<T>,
    opts: CallOptions = {},
  ): Promise<T> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let status: number;
    let body: string;
    let retryAfterHeader: string | undefined;
    try {
      const res = await withDeadline(opts.timeoutMs ?? this.deadlineMs, opts.signal, (signal, expired) =>
        this.http
          .post<string>(`/bot${token}/${method}`, params instanceof MultipartBody ? params.body : params, {
            headers: { 'Content-Type': params instanceof MultipartBody ? params.contentType : 'application/json' },
            signal,
          })
          .catch((e: unknown) => {
            throw new CallFailed(failureCode(e, expired(), opts.signal));
          }),
      );
      status = res.status;
      body = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
      retryAfterHeader = res.headers['retry-after'] as string | undefined;
    } catch (e) {
      this.observe(method, 'network', seconds());
      // Only the error code leaves: axios' message and config include the URL, and so the token.
      throw new TelegramError({
        kind: 'Unavailable',
        message: `cannot reach Telegram for ${method}: ${e instanceof CallFailed ? e.code : 'error'}`,
        method,
      });
    }
    this.observe(method, String(status), seconds());
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new TelegramError({
        kind: 'Unavailable',
        message: `Telegram answered ${status} to ${method} with a body that is not JSON`,
        method,
        httpStatus: status,
      });
    }
    const env = EnvelopeSchema.safeParse(json);
    if (!env.success) {
      throw new TelegramError({
        kind: 'Unavailable',
        message: `Telegram answered ${status} to ${method} with an unexpected body`,
        method,
        httpStatus: status,
      });
    }
    if (!env.data.ok) {
      const f = env.data;
      throw classifyFailure({
        method,
        httpStatus: status,
        errorCode: f.error_code,
        description: redact(f.description, token),
        retryAfter: f.parameters?.retry_after,
        retryAfterHeader,
        migrateToChatId: f.parameters?.migrate_to_chat_id,
      });
    }
    const result = schema.safeParse(env.data.result);
    if (!result.success) {
      throw new TelegramError({
        kind: 'Unavailable',
        message: `Telegram's ${method} result has an unexpected shape`,
        method,
        httpStatus: status,
      });
    }
    return result.data;
  }
}

/** sendPhoto with bytes: the photo as the file part `photo`, every other parameter as a text part. */
function photoUpload(params: SendPhotoParams & { photo: PhotoUpload }): MultipartBody {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || name === 'photo') continue;
    fields[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  const { photo } = params;
  return multipartBody(fields, { name: 'photo', filename: photo.filename, contentType: photo.contentType, bytes: photo.bytes });
}

/** A call that got no answer, said only by its code: axios' error never leaves this file. */
class CallFailed extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** Why a call got no answer: the caller's abort, the deadline, an answer over the byte cap, or the network error's code. */
function failureCode(e: unknown, expired: boolean, callers?: AbortSignal): string {
  if (callers?.aborted) return 'aborted';
  if (expired) return 'timeout';
  const err = e as { code?: string; message?: string };
  if (err.code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(err.message ?? '')) return 'answer too large';
  return typeof err.code === 'string' ? err.code : 'error';
}

/**
 * Through a proxy, a plain http:// request carries its whole URL in the request line, and even inside a
 * CONNECT tunnel the proxy relays it unencrypted: the bot token would be readable at the proxy.
 */
export class PlainHttpProxyError extends Error {
  constructor(baseUrl: string, proxy: string) {
    const host = new URL(baseUrl).hostname;
    super(
      `TELEGRAM_API_URL ${redactUrl(baseUrl)} is plain http:// and the proxy ${redactUrl(proxy)} ` +
        'applies to it (HTTP_PROXY or ALL_PROXY): ' +
        `the bot token, which travels in the URL, would pass the proxy in clear. Use an https:// URL, or add ${host} to NO_PROXY.`,
    );
    this.name = 'PlainHttpProxyError';
  }
}
