// A test double of api.telegram.org for the handful of methods the operator uses. Each rule below
// mirrors a branch of tdlib/telegram-bot-api's Client.cpp (check_chat, check_chat_access,
// check_message_topic, get_formatted_text, do_get_updates, process_set_webhook_query) or of the public
// edge in front of it, so a client tested here meets the same status codes, descriptions, parameters,
// headers and ordering of checks as in production.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimiter, systemClock, type Clock, type LimitsInput, type RateLimitConfig } from './limits.js';
import { CallbackQueries, type CallbackQueryRecord, type PressInput } from './callbacks.js';
import type { Access, DeliveredMessage, EmulatorCore, Resolved, UploadedFile, Uploads } from './core.js';
import { deleteMessage, editMessageCaption, editMessageReplyMarkup, editMessageText } from './editing.js';
import type { PhotoUrlBehaviour } from './images.js';
import { serverMarkupError } from './keyboard.js';
import { memberJson, myChatMemberUpdate } from './members.js';
import { MessageStore } from './messages.js';
import { Photos } from './photos.js';
import { readPlacement, storeSent } from './sending.js';
import { describeChat } from './summary.js';
import { ForumTopics, type TopicRecord } from './topics.js';
import { parseMultipart } from './uploads.js';
import { finishText, readInputText } from './text.js';
import { allowedUpdatesInfo, DEFAULT_ALLOWED, isAllowed, parseAllowedUpdates, updateKind, updateLifetimeSeconds } from './updates.js';
import {
  badRequest,
  fail,
  flatten,
  forbidden,
  integerArg,
  isOutcome,
  ok,
  toBool,
  toInteger,
  tooManyRequests,
  type ApiResponse,
  type Args,
  type Outcome,
} from './envelope.js';
import {
  appliesTo,
  type BotSpec,
  type ChatSpec,
  type MemberStatus,
  type MembershipSpec,
  type Scenario,
  type Update,
  type UserSpec,
} from './scenario.js';

export type { ApiResponse, ResponseParameters } from './envelope.js';
export type { DeliveredMessage } from './core.js';

export interface RecordedRequest {
  /** Emulator clock, ms. */
  time: number;
  httpMethod: string;
  path: string;
  /** Canonical Bot API name (`sendMessage`) when known, else the path segment as sent. */
  method: string;
  token: string;
  /** As received: strings from query/form/multipart, typed values from JSON. */
  params: Record<string, unknown>;
  /** The file parts of a multipart request, by field name (never their bytes). */
  uploads?: Record<string, { fileName: string; contentType: string; size: number }>;
  /** HTTP status; 0 when the connection was dropped on purpose. */
  status: number;
  /** Parsed JSON body; null for a dropped connection or a non-JSON (HTML 5xx) body. */
  response: ApiResponse | null;
}

export interface FaultConfig {
  /**
   * Answer with a server error instead of handling the request: the next `count` requests and/or
   * every request for `untilMs` ms from now (emulator clock). 500 is the bot API's own JSON
   * "Internal Server Error: restart"; 502/503 come from the nginx edge as HTML, as on api.telegram.org.
   */
  status5xx?: { count?: number; untilMs?: number; code?: 500 | 502 | 503 };
  /**
   * Answer the next `count` requests (of `methods`, default all) with 429 and `retry_after`, as the
   * server does while it restarts or under flood control on any method (reference §1.6).
   */
  flood?: { count: number; retryAfter: number; methods?: string[] };
  /** Delay every response by this many real milliseconds. */
  latencyMs?: number;
  /** Destroy the socket of the next N requests after reading them, without any response. */
  dropConnections?: number;
}

export interface EmulatorOptions {
  clock?: Clock;
  limits?: LimitsInput;
  /**
   * How "message is too long" counts the parsed text against 4096. TDLib counts Unicode code points;
   * the default here is UTF-16 code units, the stricter measure the Bot API documents for entities and
   * the one clients are told to split by, so a client that passes here passes in production.
   */
  messageLengthUnit?: 'utf16' | 'codepoints';
  /** The server sends at most one 409 per 3 s and delays the rest by 3 s; 0 answers every 409 at once. */
  conflictDelayMs?: number;
  /** getUpdates quirks: same offset within 3 s → timeout ≥ 3, within 0.5 s → limit 1. */
  pollingQuirks?: boolean;
  /**
   * message_thread_id on a chat without topics. Older servers resolved it as a reply thread and
   * answered "message thread not found"; the newest ignores it. Default 'error', the safer one to test.
   */
  nonForumThread?: 'error' | 'ignore';
  /** How long a press waits for answerCallbackQuery (emulator clock) before "query is too old". Default 15 s. */
  callbackAnswerTimeoutMs?: number;
  /**
   * An age (seconds) from which a bot's own message can't be edited. Default null: no limit, because
   * TDLib exempts a bot's outgoing messages from the 48 h edit limit users have.
   */
  editTimeLimitSeconds?: number | null;
}

const LONG_POLL_MAX_TIMEOUT = 50;
const GENERAL_FORUM_TOPIC_ID = 1;

/** Public edge behaviour: anything that is not `<digits>:<base64url>` is a path that does not exist. */
function isWellFormedToken(token: string): boolean {
  const m = /^([1-9]\d{0,15}):[A-Za-z0-9_-]+$/.exec(token);
  return m !== null && token.length <= 80 && Number(m[1]) < 2 ** 54;
}

const NGINX_PAGES: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
};

interface PendingPoll {
  botId: number;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
  settle: (outcome: Outcome) => void;
}

interface BotRuntime {
  nextUpdateId?: number;
  nextConflictAt: number;
  nextSetWebhookAt: number;
  prevOffset?: number;
  prevPollAt: number;
  /** allowed_updates, a setting of the bot that every getUpdates/setWebhook may change. */
  allowed: ReadonlySet<string>;
  /** update_id → emulator time (ms) after which the server forgets the update. */
  expiry: Map<number, number>;
}

export class TelegramEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly messages: DeliveredMessage[];

  private state: Scenario;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly options: Required<Omit<EmulatorOptions, 'clock' | 'limits'>>;
  private faults: FaultConfig & { status5xxUntil?: number } = {};
  private server?: http.Server;
  private readonly polls = new Map<number, PendingPoll>();
  private readonly runtime = new Map<number, BotRuntime>();
  private readonly store: MessageStore;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly callbacks: CallbackQueries;
  private readonly topics: ForumTopics;
  private readonly photos: Photos;
  /** What the method files (editing.ts, callbacks.ts, photos.ts, topics.ts) may use of this emulator. */
  private readonly core: EmulatorCore;

  constructor(scenario: Scenario, options: EmulatorOptions = {}) {
    this.state = structuredClone(scenario);
    this.clock = options.clock ?? systemClock;
    this.limiter = new RateLimiter(options.limits ?? {}, this.clock);
    this.options = {
      messageLengthUnit: options.messageLengthUnit ?? 'utf16',
      conflictDelayMs: options.conflictDelayMs ?? 3000,
      pollingQuirks: options.pollingQuirks ?? true,
      nonForumThread: options.nonForumThread ?? 'error',
      callbackAnswerTimeoutMs: options.callbackAnswerTimeoutMs ?? 15_000,
      editTimeLimitSeconds: options.editTimeLimitSeconds ?? null,
    };
    this.store = new MessageStore({
      chatOf: (m) => this.chatOfMessage(m),
      chatJson: (r) => this.chatJson(r, false),
      userJson: (id) => this.userJson(id),
    });
    this.messages = this.store.all;
    this.core = {
      clock: this.clock,
      limiter: this.limiter,
      resolveChat: (b, raw, access) => this.resolveChat(b, raw, access),
      chatIdOf,
      findMessage: (b, chat, id) => this.store.find(b, chat, chatIdOf(chat), id),
      renderMessage: (m, withReply) => this.store.render(m, withReply),
      userJson: (id) => this.userJson(id),
      membership: (chatId, userId) => this.membership(chatId, userId),
      enqueue: (b, update, ttl) => this.enqueue(b, update, ttl),
      writableTopic: (b, arg) => this.checkWritableTopic(b, arg),
      sendRights: (b, chat, content) => this.sendRights(b, chat, content),
      nextMessageId: (chat, b) => this.store.nextId(chatIdOf(chat), chat.kind === 'private', b.id),
      addMessage: (m) => this.store.add(m),
      allMessages: () => this.store.all,
    };
    this.callbacks = new CallbackQueries(this.core, this.options.callbackAnswerTimeoutMs);
    this.topics = new ForumTopics(this.core);
    this.photos = new Photos(this.core, this.options);
    for (const b of this.state.bots) this.noteUpdateIds(b);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('emulator already started');
    const server = http.createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shownHost}:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const poll of this.polls.values()) clearTimeout(poll.timer);
    this.polls.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets recorded traffic and rate-limit history; the scenario stays as it is. */
  clear(): void {
    this.requests.length = 0;
    this.store.clear();
    this.callbacks.all.length = 0;
    this.limiter.reset();
  }

  /** A copy of the current world, including changes made at run time. */
  get scenario(): Scenario {
    return structuredClone(this.state);
  }

  messagesTo(chatId: number): DeliveredMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  // ---- faults and limits -----------------------------------------------------------------------

  /** Merges into the active faults (so latency and a 5xx burst can be combined). */
  setFaults(faults: FaultConfig): void {
    const next = { ...this.faults, ...faults };
    if (faults.flood) next.flood = { ...faults.flood };
    if (faults.status5xx) {
      next.status5xx = { ...faults.status5xx };
      next.status5xxUntil = faults.status5xx.untilMs === undefined ? undefined : this.clock.now() + faults.status5xx.untilMs;
    }
    this.faults = next;
  }

  clearFaults(): void {
    this.faults = {};
  }

  /** `false` turns rate limiting off; an object replaces those buckets (`null` removes one). */
  setLimits(limits: LimitsInput): void {
    this.limiter.configure(limits);
  }

  get limits(): RateLimitConfig {
    return this.limiter.current;
  }

  // ---- scenario mutators -----------------------------------------------------------------------

  setMembership(membership: MembershipSpec): void {
    const i = this.state.memberships.findIndex((m) => m.chatId === membership.chatId && m.botId === membership.botId);
    if (i >= 0) this.state.memberships[i] = { ...membership };
    else this.state.memberships.push({ ...membership });
  }

  kickBot(chatId: number, botId: number, untilDate = 0): void {
    this.setMembership({ chatId, botId, status: 'kicked', untilDate });
  }

  /** Upgrades a basic group; the new supergroup inherits title and memberships unless it exists. */
  migrateGroup(oldId: number, newId: number): void {
    const old = this.state.chats.find((c) => c.id === oldId);
    if (!old) throw new Error(`no chat ${oldId}`);
    old.migratedTo = newId;
    if (!this.state.chats.some((c) => c.id === newId)) {
      this.state.chats.push({ id: newId, type: 'supergroup', title: old.title ?? '' });
      for (const m of this.state.memberships.filter((x) => x.chatId === oldId)) {
        this.state.memberships.push({ ...m, chatId: newId });
      }
    }
  }

  /** Adds or replaces a chat. */
  setChat(chat: ChatSpec): void {
    const i = this.state.chats.findIndex((c) => c.id === chat.id);
    if (i >= 0) this.state.chats[i] = { ...chat };
    else this.state.chats.push({ ...chat });
  }

  deleteGroup(chatId: number): void {
    const chat = this.state.chats.find((c) => c.id === chatId);
    if (!chat) throw new Error(`no chat ${chatId}`);
    chat.deleted = true;
  }

  /** Adds or replaces a user. */
  setUser(user: UserSpec): void {
    const i = this.state.users.findIndex((u) => u.id === user.id);
    if (i >= 0) this.state.users[i] = structuredClone(user);
    else this.state.users.push(structuredClone(user));
  }

  /** Adds a bot, or replaces the one with the same id (e.g. a new token after /revoke). */
  setBot(spec: BotSpec): void {
    const i = this.state.bots.findIndex((b) => b.id === spec.id);
    const copy = structuredClone(spec);
    if (i >= 0) this.state.bots[i] = copy;
    else this.state.bots.push(copy);
    this.noteUpdateIds(copy);
  }

  revokeToken(token: string): void {
    const b = this.state.bots.find((x) => x.token === token);
    if (b) b.revoked = true;
  }

  /**
   * Queues an update (its `update_id` is assigned when absent) and wakes a pending long poll. As on the
   * server, an update of a kind the bot's `allowed_updates` excludes is dropped on arrival: it is returned
   * but never queued. Updates expire like the server's (callback queries after 150 s, others after 24 h).
   */
  addUpdate(botToken: string, update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const b = this.botByToken(botToken);
    const { update_id: id, ...rest } = update;
    return this.enqueue(b, rest, undefined, id) ?? { ...update, update_id: id ?? this.rt(b.id).nextUpdateId ?? 100_000_001 };
  }

  /**
   * Presses an inline button of one of the bot's messages as `userId` (who may be an administrator, a
   * plain member, or not in the chat at all: say so with `setChatMember`). Queues a `callback_query`
   * update with a fresh query id, the message as it is now, `from` and `data`; answer it with
   * answerCallbackQuery. Throws when the message or button does not exist, unless `forgedData` is given.
   */
  pressButton(botToken: string, input: PressInput): CallbackQueryRecord {
    return this.callbacks.press(this.botByToken(botToken), input);
  }

  /** Every press so far, with its answer once answered. */
  get callbackQueries(): CallbackQueryRecord[] {
    return this.callbacks.all;
  }

  /**
   * The bot's status in a chat changes (added, promoted, removed, banned) by `byUserId`: the membership
   * changes, so getChat/getChatMember/sendMessage see it, and a `my_chat_member` update is queued.
   */
  changeBotMembership(
    botToken: string,
    chatId: number,
    status: MemberStatus,
    byUserId: number,
    extra: Partial<MembershipSpec> = {},
  ): Update | undefined {
    const b = this.botByToken(botToken);
    const chat = this.state.chats.find((c) => c.id === chatId && c.type !== 'private');
    if (!chat) throw new Error(`no group, supergroup or channel ${chatId} in the scenario`);
    const from = this.userJson(byUserId);
    if (!from) throw new Error(`user ${byUserId} is not in the scenario`);
    const old = this.membership(chatId, b.id);
    const next: MembershipSpec = { ...extra, chatId, botId: b.id, status };
    this.setMembership(next);
    const resolved: Resolved = { kind: chat.type as 'group' | 'supergroup' | 'channel', chat };
    const update = myChatMemberUpdate({
      chat: this.chatJson(resolved, false),
      chatType: chat.type,
      from,
      bot: this.userJson(b.id) ?? {},
      old,
      next,
      date: Math.floor(this.clock.now() / 1000),
    });
    return this.enqueue(b, update);
  }

  /** Adds (or replaces) a human and their status in a chat, so getChatMember answers for them. */
  setChatMember(chatId: number, user: UserSpec, status: MemberStatus): void {
    this.setUser(user);
    this.setMembership({ chatId, botId: user.id, status });
  }

  /**
   * A human posts a text message in a chat (no update is queued): something the bot can reply to, and a
   * message it can't edit. In a private chat it lands in the chat with `botToken`'s bot.
   */
  postUserMessage(chatId: number, userId: number, text: string, botToken?: string): DeliveredMessage {
    const b = botToken === undefined ? undefined : this.botByToken(botToken);
    const isPrivate = chatId > 0;
    if (isPrivate && !b) throw new Error('a private chat needs the bot token');
    const now = this.clock.now();
    const message: DeliveredMessage = {
      botId: isPrivate && b ? b.id : 0,
      chatId,
      messageId: this.store.nextId(chatId, isPrivate, b?.id ?? 0),
      text,
      rawText: text,
      options: { disableNotification: false, protectContent: false },
      edits: 0,
      fromUserId: userId,
      date: Math.floor(now / 1000),
      time: now,
    };
    return this.store.add(message);
  }

  /**
   * What the chat shows now: its messages in order, deleted ones left out, each with its current text and
   * keyboard.
   */
  chatView(chatId: number): DeliveredMessage[] {
    return this.store.view(chatId);
  }

  /** Someone (an administrator, the user) deletes a message: later edits and presses find nothing. */
  deleteUserSide(chatId: number, messageId: number): void {
    this.store.markDeleted(chatId, messageId);
  }

  /** A member deletes a forum topic, and with it its messages: later sends to it find no thread. */
  deleteTopicAsUser(chatId: number, threadId: number): void {
    const chat = this.state.chats.find((c) => c.id === chatId && c.isForum);
    if (!chat) throw new Error(`no forum supergroup ${chatId} in the scenario`);
    this.topics.removeAsUser(chat, threadId);
  }

  /**
   * An owner gives or takes the bot's "Manage topics" right in a forum (the bot stays an administrator).
   * With `byUserId` the bot also gets the `my_chat_member` update Telegram sends for a changed right.
   */
  setCanManageTopics(botToken: string, chatId: number, allowed: boolean, byUserId?: number): void {
    const b = this.botByToken(botToken);
    const current = this.membership(chatId, b.id);
    if (current.status !== 'administrator') throw new Error(`bot ${b.id} is not an administrator of ${chatId}`);
    const next = { ...current, canManageTopics: allowed };
    if (byUserId === undefined) this.setMembership(next);
    else this.changeBotMembership(botToken, chatId, 'administrator', byUserId, next);
  }

  /** Every forum topic created through the API or touched by a test, deleted ones marked. */
  get forumTopics(): TopicRecord[] {
    return this.topics.all;
  }

  /**
   * What Telegram finds when it fetches a photo URL: by default an image for a public address and
   * "unreachable" for one only a private network resolves (a Service name, localhost, 10.0.0.0/8, …).
   */
  setPhotoUrl(url: string, behaviour: PhotoUrlBehaviour): void {
    this.photos.setUrl(new URL(url).href, behaviour);
  }

  /** The chat as a reader sees it now, one line per message (photos, topics and silent sends marked). */
  chatTranscript(chatId: number): string[] {
    return describeChat(this.store.view(chatId));
  }

  /** Sets (url) or removes (undefined/'') a webhook without going through the API. */
  setWebhook(botToken: string, url: string | undefined): void {
    const b = this.botByToken(botToken);
    if (url) {
      b.webhookUrl = url;
      this.settlePoll(b.id, fail(409, 'Conflict: terminated by setWebhook request'));
    } else delete b.webhookUrl;
  }

  pendingUpdates(botToken: string): Update[] {
    const b = this.botByToken(botToken);
    this.dropExpired(b);
    return structuredClone(b.updates ?? []);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = this.clock.now();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const record: RecordedRequest = {
      time,
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      method: '',
      token: '',
      params: {},
      status: 0,
      response: null,
    };
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }

    const route = parsePath(url.pathname);
    if (route) {
      record.token = route.token;
      record.method = CANONICAL[route.method.toLowerCase()] ?? route.method;
    }
    const parsed = await parseParams(url, req.headers['content-type'] ?? '', body);
    record.params = parsed.ok ? parsed.params : {};
    if (parsed.ok && parsed.files.size > 0) {
      record.uploads = Object.fromEntries(
        [...parsed.files].map(([field, f]) => [field, { fileName: f.fileName, contentType: f.contentType, size: f.bytes.length }]),
      );
    }
    this.requests.push(record);

    if (this.faults.latencyMs) await this.sleep(this.faults.latencyMs);

    if ((this.faults.dropConnections ?? 0) > 0) {
      this.faults.dropConnections = (this.faults.dropConnections ?? 0) - 1;
      req.socket.destroy();
      return;
    }

    const injected = this.injected5xx() ?? this.injectedFlood(route?.method);
    const outcome = injected ?? (await this.dispatch(route, parsed, res));
    if (res.destroyed || res.writableEnded) return;
    record.status = outcome.status;
    record.response = typeof outcome.body === 'string' ? null : outcome.body;
    const payload = typeof outcome.body === 'string' ? outcome.body : JSON.stringify(outcome.body);
    res.writeHead(outcome.status, {
      'Content-Type': typeof outcome.body === 'string' ? 'text/html' : 'application/json',
      'Content-Length': Buffer.byteLength(payload),
      ...outcome.headers,
    });
    res.end(payload);
  }

  private injectedFlood(method: string | undefined): Outcome | undefined {
    const f = this.faults.flood;
    if (!f || f.count <= 0) return undefined;
    if (f.methods && !f.methods.some((m) => m.toLowerCase() === method?.toLowerCase())) return undefined;
    f.count -= 1;
    return fail(429, `Too Many Requests: retry after ${f.retryAfter}`, { retry_after: f.retryAfter });
  }

  private injected5xx(): Outcome | undefined {
    const f = this.faults.status5xx;
    if (!f) return undefined;
    const byTime = this.faults.status5xxUntil !== undefined && this.clock.now() < this.faults.status5xxUntil;
    const byCount = (f.count ?? 0) > 0;
    if (!byTime && !byCount) return undefined;
    if (byCount && !byTime) f.count = (f.count ?? 0) - 1;
    const code = f.code ?? 502;
    if (code === 500) return fail(500, 'Internal Server Error: restart');
    const title = `${code} ${NGINX_PAGES[code]}`;
    return {
      status: code,
      body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n`,
    };
  }

  private async dispatch(
    route: { token: string; method: string } | null,
    parsed: Awaited<ReturnType<typeof parseParams>>,
    res: http.ServerResponse,
  ): Promise<Outcome> {
    if (!route || !isWellFormedToken(route.token)) return fail(404, 'Not Found');
    const b = this.state.bots.find((x) => x.token === route.token && !x.revoked);
    if (!b) return fail(401, 'Unauthorized');
    const name = route.method.toLowerCase();
    const handler = this.handlers[name];
    if (!handler) return fail(404, 'Not Found');
    if (!parsed.ok) return badRequest(parsed.error);
    const params = parsed.params;
    const arg = (key: string): string => flatten(params[key]);
    const files = parsed.files;
    return handler(b, arg, res, (field) => files.get(field));
  }

  private readonly handlers: Record<
    string,
    (b: BotSpec, arg: (key: string) => string, res: http.ServerResponse, files: Uploads) => Outcome | Promise<Outcome>
  > = {
    getme: (b) => ok(this.getMeResult(b)),
    getchat: (b, arg) => this.getChat(b, arg),
    getchatmember: (b, arg) => this.getChatMember(b, arg),
    getchatadministrators: (b, arg) => this.getChatAdministrators(b, arg),
    sendmessage: (b, arg) => this.sendMessage(b, arg),
    sendchataction: (b, arg) => this.sendChatAction(b, arg),
    getupdates: (b, arg, res) => this.getUpdates(b, arg, res),
    setwebhook: (b, arg) => this.setWebhookQuery(b, arg('url'), arg),
    deletewebhook: (b, arg) => this.setWebhookQuery(b, '', arg),
    getwebhookinfo: (b) => ok(this.webhookInfo(b)),
    editmessagetext: (b, arg) => editMessageText(this.core, this.options, b, arg),
    editmessagereplymarkup: (b, arg) => editMessageReplyMarkup(this.core, this.options, b, arg),
    deletemessage: (b, arg) => deleteMessage(this.core, b, arg),
    answercallbackquery: (b, arg) => this.callbacks.answer(b, arg),
    sendphoto: (b, arg, _res, files) => this.photos.send(b, arg, files),
    editmessagecaption: (b, arg) => editMessageCaption(this.core, this.options, b, arg),
    createforumtopic: (b, arg) => this.topics.create(b, arg),
    editforumtopic: (b, arg) => this.topics.edit(b, arg),
    deleteforumtopic: (b, arg) => this.topics.delete(b, arg),
  };

  // ---- methods ---------------------------------------------------------------------------------

  private getMeResult(b: BotSpec): Record<string, unknown> {
    return {
      id: b.id,
      is_bot: true,
      first_name: b.firstName,
      username: b.username,
      can_join_groups: b.canJoinGroups ?? true,
      can_read_all_group_messages: b.canReadAllGroupMessages ?? false,
      supports_inline_queries: false,
      supports_guest_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
    };
  }

  private getChat(b: BotSpec, arg: (key: string) => string): Outcome {
    const r = this.resolveChat(b, arg('chat_id'), 'read');
    if (isOutcome(r)) return r;
    return ok(this.chatJson(r, true));
  }

  private getChatMember(b: BotSpec, arg: (key: string) => string): Outcome {
    const userId = Math.max(0, toInteger(arg('user_id')));
    if (userId === 0) return badRequest('invalid user_id specified');
    const r = this.resolveChat(b, arg('chat_id'), userId === b.id ? 'read' : 'readMembers');
    if (isOutcome(r)) return r;
    const user = this.userJson(userId);
    if (!user) return badRequest('user not found');
    if (r.kind === 'private') {
      const inChat = userId === r.user.id || userId === b.id;
      return ok({ user, status: inChat ? 'member' : 'left' });
    }
    const m = this.membership(r.chat.id, userId);
    return ok(memberJson(user, m, r.chat.type));
  }

  private getChatAdministrators(b: BotSpec, arg: (key: string) => string): Outcome {
    const r = this.resolveChat(b, arg('chat_id'), 'readMembers');
    if (isOutcome(r)) return r;
    if (r.kind === 'private') return badRequest('there are no administrators in the private chat');
    const chat = r.chat;
    const admins = this.state.memberships
      .filter((m) => m.chatId === chat.id && (m.status === 'creator' || m.status === 'administrator'))
      .flatMap((m) => {
        const user = this.userJson(m.botId);
        return user ? [memberJson(user, m, chat.type)] : [];
      });
    return ok(admins);
  }

  private sendMessage(b: BotSpec, arg: Args): Outcome {
    // Parameter checks run before the chat is looked at, as in process_send_message_query/do_send_message.
    const input = readInputText(arg);
    if (isOutcome(input)) return input;
    const placed = readPlacement(this.core, b, arg);
    if (isOutcome(placed)) return placed;

    // What TDLib itself checks when it sends: rights, then the text; then what the servers refuse.
    const rights = this.sendRights(b, placed.chat, 'text');
    if (rights) return rights;
    const text = finishText(input.parsed, this.options.messageLengthUnit);
    if (isOutcome(text)) return text;
    const buttons = serverMarkupError(placed.markup);
    if (buttons) return badRequest(buttons);

    return storeSent(this.core, b, arg, {
      ...placed,
      content: { text, rawText: input.rawText, ...(input.parseMode !== undefined ? { parseMode: input.parseMode } : {}) },
      options: input.preview ? { linkPreviewOptions: input.preview } : {},
    });
  }

  private sendChatAction(b: BotSpec, arg: (key: string) => string): Outcome {
    const actions = [
      'cancel',
      'typing',
      'record_video',
      'upload_video',
      'record_audio',
      'record_voice',
      'upload_audio',
      'upload_voice',
      'upload_photo',
      'upload_document',
      'choose_sticker',
      'pick_up_location',
      'find_location',
      'record_video_note',
      'upload_video_note',
    ];
    if (!actions.includes(arg('action').toLowerCase())) return badRequest('wrong parameter action in request');
    const target = this.checkWritableTopic(b, arg);
    if (isOutcome(target)) return target;
    return this.sendRights(b, target.chat, 'text') ?? ok(true);
  }

  private getUpdates(b: BotSpec, arg: (key: string) => string, res: http.ServerResponse): Promise<Outcome> | Outcome {
    const rt = this.rt(b.id);
    if (b.webhookUrl) {
      return this.conflict(
        b.id,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = integerArg(arg('offset'), 0, -(2 ** 31), 2 ** 31 - 1);
    let limit = integerArg(arg('limit'), 100, 1, 100);
    let timeout = integerArg(arg('timeout'), 0, 0, LONG_POLL_MAX_TIMEOUT);
    rt.allowed = parseAllowedUpdates(arg('allowed_updates')) ?? rt.allowed;
    const now = this.clock.now();
    if (this.options.pollingQuirks && offset === rt.prevOffset) {
      if (timeout < 3 && now < rt.prevPollAt + 3000) timeout = 3;
      if (now < rt.prevPollAt + 500) limit = 1;
    }
    rt.prevOffset = offset;
    rt.prevPollAt = now;

    const updates = this.readQueue(b, offset, limit, true);
    if (timeout === 0 || updates.length > 0) return ok(updates);

    this.settlePoll(b.id, undefined, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    return new Promise<Outcome>((resolve) => {
      const poll: PendingPoll = {
        botId: b.id,
        offset: offset > 0 ? offset : (b.updates?.[0]?.update_id ?? rt.nextUpdateId ?? 0),
        limit,
        timer: setTimeout(() => this.settlePoll(b.id, ok([])), timeout * 1000),
        settle: resolve,
      };
      this.polls.set(b.id, poll);
      // A client that gives up must not leave a poll behind to be "terminated" later.
      res.on('close', () => {
        if (this.polls.get(b.id) === poll) {
          clearTimeout(poll.timer);
          this.polls.delete(b.id);
        }
      });
    });
  }

  private setWebhookQuery(b: BotSpec, url: string, arg: (key: string) => string): Outcome | Promise<Outcome> {
    const rt = this.rt(b.id);
    const now = this.clock.now();
    if (url !== '') {
      if (now < rt.nextSetWebhookAt) return tooManyRequests(1);
      rt.nextSetWebhookAt = now + 1000;
      let parsedUrl: URL | undefined;
      try {
        parsedUrl = new URL(url);
      } catch {
        parsedUrl = undefined;
      }
      if (!parsedUrl || parsedUrl.protocol !== 'https:') {
        return badRequest('bad webhook: An HTTPS URL must be provided for webhook');
      }
      if (parsedUrl.port !== '' && !['80', '88', '443', '8443'].includes(parsedUrl.port)) {
        return badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
      }
    }
    const drop = toBool(arg('drop_pending_updates'));
    rt.allowed = parseAllowedUpdates(arg('allowed_updates')) ?? rt.allowed;
    if ((b.webhookUrl ?? '') === url && !drop) {
      return ok(true, url === '' ? 'Webhook is already deleted' : 'Webhook is already set');
    }
    if (drop) b.updates = [];
    if (url !== '') {
      b.webhookUrl = url;
      this.settlePoll(b.id, undefined, 'Conflict: terminated by setWebhook request');
      return ok(true, 'Webhook was set');
    }
    delete b.webhookUrl;
    return ok(true, 'Webhook was deleted');
  }

  private webhookInfo(b: BotSpec): Record<string, unknown> {
    this.dropExpired(b);
    const info: Record<string, unknown> = {
      url: b.webhookUrl ?? '',
      has_custom_certificate: false,
      pending_update_count: b.updates?.length ?? 0,
    };
    if (b.webhookUrl) info.max_connections = 40;
    const allowed = allowedUpdatesInfo(this.rt(b.id).allowed);
    if (allowed) info.allowed_updates = allowed;
    return info;
  }

  // ---- chat access (check_chat / check_chat_access / TdOnCheckChatCallback) --------------------

  private resolveChat(b: BotSpec, raw: string, access: Access): Resolved | Outcome {
    if (raw === '') return badRequest('chat_id is empty');
    let resolved: Resolved | undefined;
    if (raw.startsWith('@')) {
      const name = raw.slice(1).toLowerCase();
      const chat = this.state.chats.find((c) => (c.type === 'supergroup' || c.type === 'channel') && c.username?.toLowerCase() === name);
      if (chat) resolved = { kind: chat.type as 'supergroup' | 'channel', chat };
      else {
        // Only bots resolve among users; a human's @username is "chat not found".
        const botAccount = this.state.bots.find((x) => x.username.toLowerCase() === name);
        const userBot = this.state.users.find((u) => u.isBot && u.username?.toLowerCase() === name);
        if (botAccount) resolved = { kind: 'private', user: botAsUser(botAccount), isBotAccount: true };
        else if (userBot) resolved = { kind: 'private', user: userBot, isBotAccount: true };
      }
    } else {
      const id = toInteger(raw);
      if (id > 0) resolved = this.knownPrivateChat(b, id, access);
      else if (id < 0) {
        const chat = this.state.chats.find((c) => c.id === id && c.type !== 'private');
        if (chat) resolved = { kind: chat.type as 'group' | 'supergroup' | 'channel', chat };
      }
    }
    if (!resolved) return badRequest('chat not found');
    return this.checkAccess(b, resolved, access) ?? resolved;
  }

  /** The bot "knows" a user who started, blocked or was addressed by it; others don't exist for it. */
  private knownPrivateChat(b: BotSpec, id: number, access: Access): Resolved | undefined {
    const botAccount = this.state.bots.find((x) => x.id === id);
    if (botAccount) return { kind: 'private', user: botAsUser(botAccount), isBotAccount: true };
    let user = this.state.users.find((u) => u.id === id);
    if (!user) {
      const chat = this.state.chats.find((c) => c.id === id && c.type === 'private');
      if (chat)
        user = { id, firstName: chat.firstName ?? chat.title ?? '', ...(chat.username ? { username: chat.username } : {}), started: true };
    }
    if (!user) return undefined;
    const interacted = appliesTo(user.started, b.id) || appliesTo(user.blocked, b.id);
    // sendMessage may address a user the bot has never seen: TDLib then says "can't initiate".
    if (!interacted && !user.isBot && access !== 'write') return undefined;
    return { kind: 'private', user, isBotAccount: user.isBot === true };
  }

  private checkAccess(b: BotSpec, r: Resolved, access: Access): Outcome | undefined {
    const needWrite = access === 'write';
    // Edit access (editMessage*) is checked like write access except where the server says otherwise.
    const needEdit = needWrite || access === 'edit';
    if (r.kind === 'private') {
      if (r.user.deactivated && needEdit) return forbidden('user is deactivated');
      return undefined;
    }
    const chat = r.chat;
    const m = this.membership(chat.id, b.id);
    if (r.kind === 'group') {
      // The member list of a deactivated group is gone, so reading members needs what writing needs.
      const strict = needWrite || access === 'readMembers';
      if ((chat.migratedTo !== undefined || chat.deleted) && strict) {
        return chat.migratedTo !== undefined
          ? fail(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: chat.migratedTo })
          : forbidden('the group chat was deleted');
      }
      const active = chat.migratedTo === undefined && !chat.deleted;
      if (active && m.status === 'kicked' && (strict || needEdit)) return forbidden('bot was kicked from the group chat');
      if (active && m.status === 'left' && (strict || needEdit)) return forbidden('bot is not a member of the group chat');
      return undefined;
    }
    const kind = r.kind === 'supergroup' ? 'supergroup' : 'channel';
    if (m.status === 'kicked') return forbidden(`bot was kicked from the ${kind} chat`);
    const isPublic = chat.username !== undefined || chat.isPublic === true;
    const needsMembership = isPublic ? needEdit : true;
    if (m.status === 'left' && needsMembership) return forbidden(`bot is not a member of the ${kind} chat`);
    return undefined;
  }

  /** check_message_topic: the chat must be writable, then the topic must exist. */
  private checkWritableTopic(b: BotSpec, arg: (key: string) => string): { chat: Resolved; threadId?: number } | Outcome {
    const chat = this.resolveChat(b, arg('chat_id'), 'write');
    if (isOutcome(chat)) return chat;
    const raw = toInteger(arg('message_thread_id'));
    const threadId = raw > 2 ** 31 - 1 || raw < 0 ? 0 : raw;
    if (threadId === 0) return { chat };
    const notFound = badRequest('message thread not found');
    if (chat.kind === 'supergroup' && chat.chat.isForum) {
      if (threadId === GENERAL_FORUM_TOPIC_ID) return notFound;
      return chat.chat.topics?.includes(threadId) ? { chat, threadId } : notFound;
    }
    if (chat.kind === 'private' || this.options.nonForumThread === 'error') return notFound;
    return { chat };
  }

  /** TDLib's can_send_message, reached only once the Bot API layer let the request through. */
  private sendRights(b: BotSpec, r: Resolved, content: 'text' | 'photos'): Outcome | undefined {
    if (r.kind === 'private') {
      if (r.isBotAccount) return forbidden("the bot can't send messages to the bot");
      if (appliesTo(r.user.blocked, b.id)) return forbidden('bot was blocked by the user');
      if (!appliesTo(r.user.started, b.id)) return forbidden("bot can't initiate conversation with a user");
      return undefined;
    }
    const m = this.membership(r.chat.id, b.id);
    if (r.kind === 'channel') {
      const canPost = m.status === 'creator' || (m.status === 'administrator' && m.canPostMessages !== false);
      return canPost ? undefined : badRequest('need administrator rights in the channel chat');
    }
    if (content === 'photos') {
      const noPhotos = (m.status === 'restricted' && m.canSendPhotos !== true) || (m.status === 'member' && m.canSendPhotos === false);
      const muted = m.status === 'member' && m.canSendMessages === false;
      return noPhotos || muted ? badRequest('not enough rights to send photos to the chat') : undefined;
    }
    const muted = (m.status === 'restricted' && m.canSendMessages !== true) || (m.status === 'member' && m.canSendMessages === false);
    return muted ? badRequest('not enough rights to send text messages to the chat') : undefined;
  }

  // ---- JSON shapes -----------------------------------------------------------------------------

  private chatJson(r: Resolved, full: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (r.kind === 'private') {
      out.id = r.user.id;
      out.first_name = r.user.firstName;
      if (r.user.lastName) out.last_name = r.user.lastName;
      if (r.user.username) out.username = r.user.username;
      out.type = 'private';
    } else {
      const c = r.chat;
      out.id = c.id;
      out.title = c.title ?? '';
      if (c.username && r.kind !== 'group') out.username = c.username;
      if (r.kind === 'supergroup' && c.isForum) out.is_forum = true;
      out.type = r.kind;
    }
    if (full) {
      out.max_reaction_count = 11;
      out.accent_color_id = Math.abs(chatIdOf(r)) % 7;
    }
    return out;
  }

  private userJson(userId: number): Record<string, unknown> | undefined {
    const b = this.state.bots.find((x) => x.id === userId);
    const u = b ? botAsUser(b) : this.state.users.find((x) => x.id === userId);
    if (!u) return undefined;
    const out: Record<string, unknown> = { id: u.id, is_bot: b !== undefined || u.isBot === true, first_name: u.firstName };
    if (u.lastName) out.last_name = u.lastName;
    if (u.username) out.username = u.username;
    return out;
  }

  // ---- internals -------------------------------------------------------------------------------

  private membership(chatId: number, userId: number): MembershipSpec {
    return (
      this.state.memberships.find((m) => m.chatId === chatId && m.botId === userId) ?? {
        chatId,
        botId: userId,
        status: 'left',
      }
    );
  }

  private botByToken(token: string): BotSpec {
    const b = this.state.bots.find((x) => x.token === token);
    if (!b) throw new Error('no bot with that token in the scenario');
    return b;
  }

  private rt(botId: number): BotRuntime {
    let rt = this.runtime.get(botId);
    if (!rt) {
      rt = { nextConflictAt: -Infinity, nextSetWebhookAt: -Infinity, prevPollAt: -Infinity, allowed: DEFAULT_ALLOWED, expiry: new Map() };
      this.runtime.set(botId, rt);
    }
    return rt;
  }

  /** The server forgets an update once its lifetime is over, read or not. */
  private dropExpired(b: BotSpec): void {
    const { expiry } = this.rt(b.id);
    if (expiry.size === 0 || !b.updates) return;
    const now = this.clock.now();
    b.updates = b.updates.filter((u) => {
      const until = expiry.get(u.update_id);
      return until === undefined || now < until;
    });
    for (const [id, until] of expiry) if (now >= until) expiry.delete(id);
  }

  /** add_update: drops kinds `allowed_updates` excludes, assigns the next id, wakes a pending poll. */
  private enqueue(b: BotSpec, update: Omit<Update, 'update_id'>, ttlSeconds?: number, updateId?: number): Update | undefined {
    const rt = this.rt(b.id);
    const kind = updateKind(update);
    if (!isAllowed(rt.allowed, kind)) return undefined;
    const id = updateId ?? rt.nextUpdateId ?? 100_000_001;
    const full = { ...update, update_id: id } as Update;
    (b.updates ??= []).push(full);
    rt.nextUpdateId = id + 1;
    rt.expiry.set(id, this.clock.now() + (ttlSeconds ?? updateLifetimeSeconds(kind)) * 1000);
    const poll = this.polls.get(b.id);
    if (poll) {
      const updates = this.readQueue(b, poll.offset, poll.limit, false);
      if (updates.length > 0) this.settlePoll(b.id, ok(updates));
    }
    return structuredClone(full);
  }

  /** The chat a stored message is in, as the scenario has it now. */
  private chatOfMessage(m: DeliveredMessage): Resolved | undefined {
    if (m.chatId > 0) {
      const user = this.state.users.find((u) => u.id === m.chatId);
      const botAccount = this.state.bots.find((x) => x.id === m.chatId);
      if (botAccount) return { kind: 'private', user: botAsUser(botAccount), isBotAccount: true };
      return user ? { kind: 'private', user, isBotAccount: user.isBot === true } : undefined;
    }
    const chat = this.state.chats.find((c) => c.id === m.chatId);
    return chat && chat.type !== 'private' ? { kind: chat.type, chat } : undefined;
  }

  private noteUpdateIds(b: BotSpec): void {
    const last = b.updates?.[b.updates.length - 1];
    if (last) this.rt(b.id).nextUpdateId = last.update_id + 1;
  }

  /**
   * TQueue semantics: a negative offset keeps only the last -offset updates; an offset within the
   * queue confirms (forgets) everything before it; an offset past the end is ignored and the queue is
   * read from its head.
   */
  private readQueue(b: BotSpec, offset: number, limit: number, confirm: boolean): Update[] {
    this.dropExpired(b);
    const queue = (b.updates ??= []);
    const tail = this.rt(b.id).nextUpdateId;
    if (confirm && offset < 0) queue.splice(0, Math.max(0, queue.length + offset));
    let from = 0;
    if (offset > 0 && tail !== undefined && offset <= tail) {
      if (confirm) {
        const keepFrom = queue.findIndex((u) => u.update_id >= offset);
        queue.splice(0, keepFrom < 0 ? queue.length : keepFrom);
      } else {
        from = queue.findIndex((u) => u.update_id >= offset);
        if (from < 0) from = queue.length;
      }
    }
    return structuredClone(queue.slice(from, from + limit));
  }

  /** Answers the pending poll of a bot, with `outcome` or with a (rate-limited) 409 `conflict`. */
  private settlePoll(botId: number, outcome?: Outcome, conflict?: string): void {
    const poll = this.polls.get(botId);
    if (!poll) return;
    this.polls.delete(botId);
    clearTimeout(poll.timer);
    if (outcome) poll.settle(outcome);
    else if (conflict) void Promise.resolve(this.conflict(botId, conflict)).then(poll.settle);
  }

  /** fail_query_conflict: one immediate 409 per 3 s, the others delayed by 3 s. */
  private conflict(botId: number, message: string): Promise<Outcome> | Outcome {
    const rt = this.rt(botId);
    const now = this.clock.now();
    const outcome = fail(409, message);
    if (this.options.conflictDelayMs <= 0 || now >= rt.nextConflictAt) {
      rt.nextConflictAt = now + this.options.conflictDelayMs;
      return outcome;
    }
    return this.sleep(this.options.conflictDelayMs).then(() => outcome);
  }

  private sleep(ms: number): Promise<void> {
    if (this.clock.sleep) return this.clock.sleep(ms);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

// ---- request parsing -----------------------------------------------------------------------------

const CANONICAL: Record<string, string> = Object.fromEntries(
  [
    'getMe',
    'getChat',
    'getChatMember',
    'getChatAdministrators',
    'sendMessage',
    'sendChatAction',
    'getUpdates',
    'setWebhook',
    'deleteWebhook',
    'getWebhookInfo',
    'editMessageText',
    'editMessageReplyMarkup',
    'deleteMessage',
    'answerCallbackQuery',
    'sendPhoto',
    'editMessageCaption',
    'createForumTopic',
    'editForumTopic',
    'deleteForumTopic',
  ].map((m) => [m.toLowerCase(), m]),
);

/** `/bot<token>/<method>`, also `/bot<token>/test/<method>` (test environment); anything else is null. */
function parsePath(pathname: string): { token: string; method: string } | null {
  if (!pathname.startsWith('/bot')) return null;
  const rest = pathname.slice(4);
  const slash = rest.indexOf('/');
  if (slash < 0) return null;
  let token: string;
  try {
    token = decodeURIComponent(rest.slice(0, slash));
  } catch {
    return null;
  }
  let method = rest.slice(slash + 1);
  if (method.startsWith('test/')) method = method.slice(5);
  if (method === '' || method.includes('/')) return null;
  return { token, method };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024 * 1024) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseParams(
  url: URL,
  contentType: string,
  body: Buffer,
): Promise<{ ok: true; params: Record<string, unknown>; files: Map<string, UploadedFile> } | { ok: false; error: string }> {
  const params: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  for (const [k, v] of url.searchParams) params[k] = v;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return { ok: true, params, files };
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return { ok: false, error: "can't parse JSON object" };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, error: 'JSON object expected' };
    }
    Object.assign(params, value);
  } else if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  } else if (type === 'multipart/form-data') {
    const form = await parseMultipart(contentType, body);
    if (!form.ok) return form;
    Object.assign(params, form.fields);
    return { ok: true, params, files: form.files };
  }
  return { ok: true, params, files };
}

function botAsUser(b: BotSpec): UserSpec {
  return { id: b.id, firstName: b.firstName, username: b.username, isBot: true };
}

function chatIdOf(r: Resolved): number {
  return r.kind === 'private' ? r.user.id : r.chat.id;
}
