// TelegramChannel as the operator reads it. Custom resources arrive as plain JSON (watch events are
// JSON.parse'd), so they are checked with zod rather than trusted; the CRD has validated them already,
// and anything it could not express is checked here with the same words.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { CHAT_ID_PATTERN } from './contract.js';
import { DEFAULT_SILENCE_DURATIONS, silenceDurationProblem } from './silenceDuration.js';
import { SILENCE_HOST_EXPECTED, SILENCE_HOST_PATTERN } from './silenceHosts.js';
import { BotDefaultsSchema, WordsSpecFields } from './words.js';

const SecretKeyRef = (defaultKey: string) => z.object({ name: z.string().min(1), key: z.string().min(1).default(defaultKey) });

/** Alertmanager's duration syntax, as the AlertmanagerConfig CRD checks it ("30s", "1h30m", "4h"). */
export const ALERTMANAGER_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
/** A Prometheus label name as Alertmanager 0.25 accepts it in matchers and group_by. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const amDuration = z
  .string()
  .min(1, 'must be a duration such as 30s, 5m or 4h')
  .regex(ALERTMANAGER_DURATION, 'must be a duration such as 30s, 5m or 4h (units ms, s, m, h, d, w, y)');

/** spec.alertmanager.config: the route of the AlertmanagerConfig the operator generates (SPEC, "Self-service routing"). */
export const AlertmanagerConfigSpecSchema = z.object({
  labels: z.record(z.string(), z.string()).default({}),
  route: z
    .object({
      groupBy: z.array(z.string().regex(/^([a-zA-Z_][a-zA-Z0-9_]*|\.\.\.)$/, 'must be a label name or "..."')).optional(),
      groupWait: amDuration.optional(),
      groupInterval: amDuration.optional(),
      repeatInterval: amDuration.optional(),
      matchers: z
        .array(
          z.object({
            name: z.string().regex(LABEL_NAME, 'must be a label name (letters, digits and _, not starting with a digit)'),
            value: z.string().default(''),
            matchType: z.enum(['=', '!=', '=~', '!~']).default('='),
          }),
        )
        .default([]),
    })
    .default({ matchers: [] }),
});
export type AlertmanagerConfigSpec = z.infer<typeof AlertmanagerConfigSpecSchema>;

export const ParseModes = ['None', 'HTML', 'MarkdownV2'] as const;
export type ParseMode = (typeof ParseModes)[number];

/** spec.alertmanager.resolved: how later notifications of a group show (src/lifecycle/decide.ts). */
export const ResolvedModes = ['Edit', 'Reply', 'Send'] as const;

/**
 * A chat id as a string, or as a YAML number the way Prometheus Operator users write it (`chatID` is an
 * int64 there). Telegram's ids fit in 52 bits, so a number arrives exact; one that could have lost
 * digits is refused, not rounded.
 */
const ChatIdInput = z
  .union([z.string(), z.number().int().refine(Number.isSafeInteger, 'is too large to be exact as a number: quote it')])
  .transform(String);

// spec.kubernetesEvents: the cluster's own Warning events relayed to the chat (SPEC, "More sources";
// src/events/). The window's bounds keep one message per object and reason meaningful: under a minute
// would re-send a crash loop every back-off, over a day would edit a message nobody scrolls back to.
export const EVENTS_WINDOW_MIN_MS = 60_000;
export const EVENTS_WINDOW_MAX_MS = 24 * 3_600_000;
export const KubernetesEventsSpecSchema = z.object({
  /** Event reasons relayed (BackOff, FailedMount…); empty: every reason. */
  reasons: z.array(z.string().min(1).max(128)).max(64).default([]),
  /** Kinds of the object the event is about (Pod, Node…); empty: every kind. */
  kinds: z.array(z.string().min(1).max(63)).max(32).default([]),
  /** Other namespaces whose events this channel relays: honoured only in a namespace of EVENTS_CLUSTER_NAMESPACES. */
  // Lazy: the selector's schema is declared further down, with the ClusterTelegramBot that shares it.
  namespaceSelector: z.lazy(() => LabelSelectorSchema).optional(),
  window: z
    .string()
    .default('10m')
    .refine((s) => {
      const ms = parseDuration(s);
      return ms !== undefined && ms >= EVENTS_WINDOW_MIN_MS && ms <= EVENTS_WINDOW_MAX_MS;
    }, 'must be a duration from 1m to 24h, e.g. 10m'),
});
export type KubernetesEventsSpec = z.infer<typeof KubernetesEventsSpecSchema>;

/**
 * spec.<source>.silence: the buttons, and the Alertmanager API v2 their presses call. `urlOf` names what
 * the URL points at in the error ("the Alertmanager API, e.g. …").
 */
const SilenceSchema = (urlOf: string) =>
  z.object({
    url: z.string().refine(isHttpUrl, `must be an http:// or https:// URL of ${urlOf}`),
    durations: z
      .array(z.string().superRefine((d, ctx) => void (silenceDurationProblem(d) && ctx.addIssue(silenceDurationProblem(d)!))))
      .min(1)
      .max(4)
      .default(DEFAULT_SILENCE_DURATIONS),
    allowed: z.enum(['Administrators', 'Members']).default('Administrators'),
    allowedUserIds: z.array(z.number().int().positive()).max(100).default([]),
    authorizationSecretRef: SecretKeyRef('token').optional(),
  });

export const ChannelSpecSchema = z.object({
  /** Exactly one of tokenSecretRef (a Secret in the channel's namespace) and botRef (a ClusterTelegramBot). */
  tokenSecretRef: SecretKeyRef('token').optional(),
  botRef: z.object({ name: z.string().min(1) }).optional(),
  chatIdSecretRef: SecretKeyRef('chatId').optional(),
  chatId: ChatIdInput.optional(),
  messageThreadId: z.number().int().min(2).optional(),
  parseMode: z.enum(ParseModes).default('None'),
  disableNotification: z.boolean().default(false),
  protectContent: z.boolean().default(false),
  linkPreview: z.boolean().default(false),
  verifyInterval: z
    .string()
    .default('1h')
    .refine((s) => (parseDuration(s) ?? 0) >= 60_000, 'must be a duration of at least 1m, e.g. 1h'),
  suspend: z.boolean().default(false),
  alertmanager: z
    .object({
      tokenSecretRef: SecretKeyRef('token'),
      resolved: z.enum(ResolvedModes).default('Edit'),
      config: AlertmanagerConfigSpecSchema.optional(),
      silence: SilenceSchema('the Alertmanager API, e.g. http://alertmanager:9093').optional(),
    })
    .optional(),
  /** Grafana's webhook contact point: the same opt-in as spec.alertmanager, without the generated config. */
  grafana: z
    .object({
      tokenSecretRef: SecretKeyRef('token'),
      resolved: z.enum(ResolvedModes).default('Edit'),
      silence: SilenceSchema('Grafana, e.g. http://grafana.monitoring.svc:3000').optional(),
    })
    .optional(),
  // spec.template, spec.routes, spec.quietHours (api/words.ts).
  ...WordsSpecFields,
  kubernetesEvents: KubernetesEventsSpecSchema.optional(),
});
export type SilenceSpec = NonNullable<NonNullable<ChannelSpec['alertmanager']>['silence']>;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search && !u.hash;
  } catch {
    return false;
  }
}
export type ChannelSpec = z.infer<typeof ChannelSpecSchema>;

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

export interface DeliveryStatus {
  sent?: number;
  failed?: number;
  lastSentTime?: string;
  lastMessageId?: number;
  lastAlertDigest?: string;
  lastTestDigest?: string;
  /** Digest of an alert being sent: recorded before the send so a crash can never lose it. */
  pendingAlertDigest?: string;
  pendingTestDigest?: string;
  lastError?: string;
  lastErrorTime?: string;
}

export interface ChannelStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  bot?: { id: number; username: string };
  chat?: { id: string; type: string; title?: string; isForum?: boolean };
  lastVerifiedTime?: string;
  delivery?: DeliveryStatus;
}

export interface TelegramChannel {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec: unknown;
  status?: ChannelStatus;
}

/** Every problem zod found in a spec, each named by its field path: "spec.chatId: …; spec.routes.0: …". */
function specProblems(error: z.ZodError): { ok: false; message: string } {
  return { ok: false, message: error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ') };
}

export function parseSpec(raw: unknown): { ok: true; spec: ChannelSpec } | { ok: false; message: string } {
  const r = ChannelSpecSchema.safeParse(raw ?? {});
  if (!r.success) return specProblems(r.error);
  const spec = r.data;
  if (!!spec.tokenSecretRef === !!spec.botRef) {
    return { ok: false, message: 'spec: exactly one of tokenSecretRef and botRef must be set' };
  }
  if (!!spec.chatId === !!spec.chatIdSecretRef) {
    return { ok: false, message: 'spec: exactly one of chatId and chatIdSecretRef must be set' };
  }
  return { ok: true, spec };
}

export function keyOf(obj: { metadata: { namespace?: string; name: string } }): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

// ClusterTelegramBot: one bot token (in a namespace the platform team controls) for the channels of
// the namespaces it allows. Checked with zod like the channel: the CRD validated it already.

/** A metav1.LabelSelector; the operator evaluates it itself (api/botAllowed.ts). */
export const LabelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/** How a bot's channels may use silence buttons (spec.silence): where, and on which alerts. */
export const SilenceScopes = ['Namespace', 'Unrestricted'] as const;

export const BotSpecSchema = z.object({
  tokenSecretRef: z.object({ name: z.string().min(1), namespace: z.string().min(1), key: z.string().min(1).default('token') }),
  /** Who may use the bot: names and/or a label selector; absent or empty means nobody. */
  allowedNamespaces: z.object({ names: z.array(z.string()).optional(), selector: LabelSelectorSchema.optional() }).optional(),
  /** The chats the bot's channels may use; absent: any chat the bot is in. */
  allowedChats: z
    .array(z.string().trim().regex(CHAT_ID_PATTERN, 'must be a chat id such as -1001234567890 or @channelusername'))
    .max(1000)
    .optional(),
  silence: z
    .object({
      /** Hosts (host[:port]) the channels' silence.url may name, besides the operator's SILENCE_URL_HOSTS. */
      urlHosts: z.array(z.string().trim().toLowerCase().regex(SILENCE_HOST_PATTERN, SILENCE_HOST_EXPECTED)).max(100).default([]),
      /** Namespace: every silence matches only the channel's namespace (namespaceLabel); Unrestricted: any alerts. */
      scope: z.enum(SilenceScopes).default('Namespace'),
      /** The alert label that carries the namespace. */
      namespaceLabel: z.string().regex(LABEL_NAME, 'must be a label name').default('namespace'),
    })
    .default({ urlHosts: [], scope: 'Namespace', namespaceLabel: 'namespace' }),
  /** The house style of the bot's channels: spec.defaults.template (api/words.ts). */
  defaults: BotDefaultsSchema.optional(),
});
export type BotSpec = z.infer<typeof BotSpecSchema>;

export interface BotStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  bot?: { id: number; username: string };
  /** How many channels in allowed namespaces refer to this bot. */
  channels?: number;
  lastVerifiedTime?: string;
}

export interface ClusterTelegramBot {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; uid?: string; generation?: number; resourceVersion?: string; deletionTimestamp?: string };
  spec: unknown;
  status?: BotStatus;
}

export function parseBotSpec(raw: unknown): { ok: true; spec: BotSpec } | { ok: false; message: string } {
  const r = BotSpecSchema.safeParse(raw ?? {});
  if (!r.success) return specProblems(r.error);
  for (const e of r.data.allowedNamespaces?.selector?.matchExpressions ?? []) {
    const needsValues = e.operator === 'In' || e.operator === 'NotIn';
    if (needsValues !== (e.values?.length ?? 0) > 0) {
      return {
        ok: false,
        message: `spec.allowedNamespaces.selector: ${e.operator} on "${e.key}" ${needsValues ? 'needs values' : 'takes no values'}`,
      };
    }
  }
  return { ok: true, spec: r.data };
}
