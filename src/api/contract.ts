// The operator's public names (API group, annotations, conditions, reasons), in one place. Everything
// user-visible refers to these; docs/operations.md documents them for users.

export const GROUP = 'telegram.notify.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'TelegramChannel';
export const PLURAL = 'telegramchannels';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** The cluster-scoped bot that channels in allowed namespaces refer to by spec.botRef. */
export const BOT_KIND = 'ClusterTelegramBot';
export const BOT_PLURAL = 'clustertelegrambots';

/** The field manager of every write the operator makes. */
export const FIELD_MANAGER = 'telegram-channel-operator';

export const ANNOTATION_ALERT = 'telegram.notify.dev/alert';
export const ANNOTATION_ALERT_ID = 'telegram.notify.dev/alert-id';
export const ANNOTATION_TEST = 'telegram.notify.dev/test';
/**
 * A label on a Secret: "true" lets the operator send that Secret's value as the Bearer token of
 * spec.<source>.silence.authorizationSecretRef to a URL no allow-list names. Only someone who may
 * write the Secret can set it, so naming a Secret in a channel is not enough to send it anywhere.
 */
export const LABEL_SILENCE_CREDENTIALS = 'telegram.notify.dev/silence-credentials';
/** Every annotation the operator reads on a channel starts with this. */
export const ANNOTATION_PREFIX = `${GROUP}/`;

/**
 * The condition types the operator writes (docs/operations.md says what each means). Ready, TokenValid,
 * ChatReachable, Reconciling and Stalled are on every channel; the others only where their feature is on.
 */
export const ConditionTypes = {
  Ready: 'Ready',
  TokenValid: 'TokenValid',
  ChatReachable: 'ChatReachable',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  /** spec.alertmanager.silence (or spec.grafana.silence): can button presses be received and acted on? */
  Interactive: 'Interactive',
  /** spec.alertmanager.config: the AlertmanagerConfig generated for the channel (does not affect Ready). */
  AlertmanagerConfigured: 'AlertmanagerConfigured',
  /** spec.kubernetesEvents: is the watch of the events it asks for running? */
  EventsWatching: 'EventsWatching',
  /** A template (the channel's own or its bot's defaults.template); see TemplateReasons. */
  TemplateValid: 'TemplateValid',
  /** Routes or quiet hours; see RouteReasons. */
  RoutesValid: 'RoutesValid',
} as const;
export type ConditionType = (typeof ConditionTypes)[keyof typeof ConditionTypes];

export const TokenReasons = [
  'Verified',
  'SecretNotFound',
  'SecretKeyNotFound',
  'InvalidTokenFormat',
  'Unauthorized',
  'TelegramUnavailable',
  'RateLimited',
] as const;
export type TokenReason = (typeof TokenReasons)[number];

export const ChatReasons = [
  'Verified',
  'InvalidChatId',
  'ChatNotFound',
  'ChatIdMissingMinusSign',
  'ChatMigrated',
  'BotNotMember',
  'BotKicked',
  'CannotPost',
  'ThreadNotFound',
  'TelegramUnavailable',
  'RateLimited',
  // A botRef channel's chat is not in its ClusterTelegramBot's spec.allowedChats.
  'ChatNotAllowed',
  // Chat ids may come from a Secret, so these can happen on the chat side too.
  'SecretNotFound',
  'SecretKeyNotFound',
] as const;
export type ChatReason = (typeof ChatReasons)[number];

/**
 * Reasons of Interactive (besides Verified, and SecretNotFound / SecretKeyNotFound for its
 * authorizationSecretRef): UpdatesConflict (Telegram answers getUpdates with 409) wins over the
 * Alertmanager's: AlertmanagerUnreachable (GET /api/v2/status fails), URLNotAllowed (no allow-list
 * names silence.url's host: no request is made), CredentialsNotAllowed (the authorizationSecretRef
 * Secret may not be sent to that URL: nothing is read or sent).
 */
export const InteractiveReasons = ['UpdatesConflict', 'AlertmanagerUnreachable', 'URLNotAllowed', 'CredentialsNotAllowed'] as const;

/**
 * A channel's TokenValid and Ready when it uses spec.botRef and the bot cannot be used: the bot does not
 * exist, the channel's namespace is not in its allowedNamespaces, or the bot's own Ready is not True.
 */
export const BotRefReasons = ['BotNotFound', 'BotNotAllowed', 'BotNotReady'] as const;
export type BotRefReason = (typeof BotRefReasons)[number];

/** Reasons of Ready alone: the spec cannot be read, or the user paused the channel. */
export const ReadyReasons = ['InvalidSpec', 'Suspended'] as const;

/**
 * AlertmanagerConfigured: Applied (True); the Prometheus Operator's CRDs are missing; the operator may not
 * write AlertmanagerConfigs (the RBAC piece is not installed); an object of that name is someone else's;
 * the API server refused the object; or the API server could not be reached (retried).
 */
export const AlertmanagerConfigReasons = ['Applied', 'CRDNotInstalled', 'Forbidden', 'Conflict', 'InvalidConfig', 'ApplyFailed'] as const;
export type AlertmanagerConfigReason = (typeof AlertmanagerConfigReasons)[number];

/**
 * Your words, your topics (api/words.ts). TemplateValid, only on channels with a template (their own or
 * their bot's defaults.template): Verified, or TemplateInvalid naming firing/resolved, line, column and
 * what failed. RoutesValid, only on channels with routes or quiet hours: Verified, RouteInvalid (a
 * matcher or topic template that does not parse, an unknown time zone), or TopicsNotManageable (a topic
 * route on a chat that is not a forum, or whose bot lacks can_manage_topics). Neither affects Ready.
 */
export const TemplateReasons = ['Verified', 'TemplateInvalid'] as const;
export type TemplateReason = (typeof TemplateReasons)[number];
export const RouteReasons = ['Verified', 'RouteInvalid', 'TopicsNotManageable'] as const;
export type RouteReason = (typeof RouteReasons)[number];

/**
 * EventsWatching: Watching (True); Starting (Unknown: the first list is on its way); Forbidden (RBAC
 * refuses the list of events.k8s.io events); NamespaceSelectorNotAllowed (namespaceSelector in a
 * namespace not listed in EVENTS_CLUSTER_NAMESPACES: its own namespace is still watched).
 */
export const EventsWatchingReasons = ['Watching', 'Starting', 'Forbidden', 'NamespaceSelectorNotAllowed'] as const;
export type EventsWatchingReason = (typeof EventsWatchingReasons)[number];

/**
 * Every reason a condition the operator writes may carry. A sub-condition that was not checked carries
 * the reason that stopped it (TokenValid Unknown/InvalidChatId), so the union is one for all conditions.
 */
export type Reason =
  | TokenReason
  | ChatReason
  | BotRefReason
  | (typeof ReadyReasons)[number]
  | (typeof InteractiveReasons)[number]
  | AlertmanagerConfigReason
  | TemplateReason
  | RouteReason
  | EventsWatchingReason;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A condition's content before it is stamped with a generation and a time. */
export interface Verdict<R extends Reason = Reason> {
  status: ConditionStatus;
  reason: R;
  message: string;
}

/**
 * Causes that fix themselves: Ready becomes Unknown (not False) and the check is retried with backoff.
 * A set of strings, not of Reasons: it is also asked about reasons read back from a stored status.
 */
export const TRANSIENT_REASONS: ReadonlySet<string> = new Set<Reason>(['TelegramUnavailable', 'RateLimited']);

/** Delivery failure reasons (status.delivery.lastError, Events, metrics). */
export const DeliveryReasons = [
  'InvalidMarkup',
  'EmptyAlert',
  'ChannelNotReady',
  'ChatNotFound',
  'BotKicked',
  'BotNotMember',
  'CannotPost',
  'ChatMigrated',
  'ThreadNotFound',
  'Unauthorized',
  'TelegramUnavailable',
  'RateLimited',
  'Rejected',
] as const;
export type DeliveryReason = (typeof DeliveryReasons)[number];

/** Token shape per the contract, checked after trimming. */
export const TOKEN_PATTERN = /^[1-9][0-9]{0,15}:[A-Za-z0-9_-]{24,}$/;
/** Chat id shape per the contract, checked after trimming. */
export const CHAT_ID_PATTERN = /^(-?[0-9]{1,16}|@[A-Za-z0-9_]{5,32})$/;

export const DEFAULT_TELEGRAM_API_URL = 'https://api.telegram.org';
