// TelegramChannel as the operator reads it. Custom resources arrive as plain JSON (watch events are
// JSON.parse'd), so they are checked with zod rather than trusted; the CRD has validated them already,
// and anything it could not express is checked here with the same words.
import { z } from 'zod';
import { parseDuration } from './duration.js';

const SecretKeyRef = (defaultKey: string) => z.object({ name: z.string().min(1), key: z.string().min(1).default(defaultKey) });

export const ParseModes = ['None', 'HTML', 'MarkdownV2'] as const;
export type ParseMode = (typeof ParseModes)[number];

export const ChannelSpecSchema = z.object({
  /** Exactly one of tokenSecretRef (a Secret in the channel's namespace) and botRef (a ClusterTelegramBot). */
  tokenSecretRef: SecretKeyRef('token').optional(),
  botRef: z.object({ name: z.string().min(1) }).optional(),
  chatIdSecretRef: SecretKeyRef('chatId').optional(),
  chatId: z.string().optional(),
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
  alertmanager: z.object({ tokenSecretRef: SecretKeyRef('token') }).optional(),
});
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

export function parseSpec(raw: unknown): { ok: true; spec: ChannelSpec } | { ok: false; message: string } {
  const r = ChannelSpecSchema.safeParse(raw ?? {});
  if (!r.success) {
    return { ok: false, message: r.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ') };
  }
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

/** A metav1.LabelSelector; the operator evaluates it itself (src/bot/allowed.ts). */
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

export const BotSpecSchema = z.object({
  tokenSecretRef: z.object({ name: z.string().min(1), namespace: z.string().min(1), key: z.string().min(1).default('token') }),
  /** Who may use the bot: names and/or a label selector; absent or empty means nobody. */
  allowedNamespaces: z.object({ names: z.array(z.string()).optional(), selector: LabelSelectorSchema.optional() }).optional(),
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
  if (!r.success) {
    return { ok: false, message: r.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ') };
  }
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
