// spec.template, spec.routes and spec.quietHours (SPEC, "Your words, your topics"): how a channel's
// notifications read and where in the chat each lands. The CRD checks the shapes and the "exactly one"
// rules with CEL; this schema reads them with the same bounds. Whether a template renders, a matcher
// parses or a time zone exists is decided by the reconciler (conditions TemplateValid, RoutesValid).
import { z } from 'zod';

/**
 * A label on a ConfigMap: "true" lets a channel's template.configMapRef read it. Naming a ConfigMap in a
 * channel is not enough, or anyone who may create a channel could have any ConfigMap of the namespace
 * rendered into a chat; only someone who may write the ConfigMap can opt it in.
 */
export const LABEL_TEMPLATE_CONFIGMAP = 'telegram.notify.dev/template';

/** Bytes of one template text (firing, resolved, or a ConfigMap key's value): a few messages' worth, many times over. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;
/** The bounds of routes and mentions; the CRD states the same ones as maxItems and maxLength. */
const BOUNDS = {
  routes: 32,
  matchersPerRoute: 16,
  mentions: 16,
  /** One matcher, as typed: a label name, an operator and a value. */
  matcherChars: 1024,
  /** A topic name template; what it renders must fit Telegram's 1..128 characters (template/topicName.ts). */
  topicTemplateChars: 1024,
} as const;
/** A mention: `@username` (Telegram usernames are 5..32 characters) or a numeric user id. */
export const MENTION_PATTERN = /^(@[A-Za-z0-9_]{5,32}|[1-9][0-9]{0,15})$/;
export const TIME_OF_DAY_PATTERN = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
export const END_TIME_OF_DAY_PATTERN = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

const templateText = z
  .string()
  .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_TEMPLATE_BYTES, `must be at most ${MAX_TEMPLATE_BYTES / 1024} KiB`);
const configMapKey = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, 'must be a ConfigMap key (letters, digits, "-", "_", ".")');

/** Inline text, or keys of a ConfigMap in the channel's namespace: exactly one. */
export const TemplateSpecSchema = z
  .object({
    firing: templateText.optional(),
    /** Absent: resolved notifications use the firing template. */
    resolved: templateText.optional(),
    configMapRef: z
      .object({
        name: z.string().min(1).max(253),
        firingKey: configMapKey.default('firing'),
        /** Absent: the firing key's template serves resolved notifications too. */
        resolvedKey: configMapKey.optional(),
      })
      .optional(),
  })
  .refine((t) => (t.configMapRef ? t.firing === undefined && t.resolved === undefined : t.firing !== undefined), {
    message: 'set either firing (and optionally resolved) or configMapRef, not both',
  });
export type TemplateSpec = z.infer<typeof TemplateSpecSchema>;

export const RouteSpecSchema = z
  .object({
    /** Alertmanager matcher lists (`severity="critical"`); all must match. Parsed by the reconciler. */
    matchers: z.array(z.string().min(1).max(BOUNDS.matcherChars)).max(BOUNDS.matchersPerRoute).default([]),
    messageThreadId: z.number().int().min(2).optional(),
    /** `name` is a Liquid template over the alert (`labels`, `annotations`), rendered as plain text. */
    topic: z.object({ name: z.string().min(1).max(BOUNDS.topicTemplateChars) }).optional(),
    silent: z.boolean().default(false),
    mention: z.array(z.string().regex(MENTION_PATTERN, 'must be @username or a numeric user id')).max(BOUNDS.mentions).default([]),
  })
  .refine((r) => (r.messageThreadId === undefined) !== (r.topic === undefined), {
    message: 'set exactly one of messageThreadId and topic',
  });
export type RouteSpec = z.infer<typeof RouteSpecSchema>;

export const QuietHoursSpecSchema = z.object({
  timeZone: z.string().min(1).max(64),
  from: z.string().regex(TIME_OF_DAY_PATTERN, 'must be a time of day "HH:MM" (00:00 to 23:59)'),
  to: z.string().regex(END_TIME_OF_DAY_PATTERN, 'must be a time of day "HH:MM" (00:00 to 24:00)'),
  except: z.array(z.string().min(1).max(BOUNDS.matcherChars)).max(BOUNDS.matchersPerRoute).default([]),
});
export type QuietHoursSpec = z.infer<typeof QuietHoursSpecSchema>;

/** The fields a TelegramChannel's spec gains. */
export const WordsSpecFields = {
  template: TemplateSpecSchema.optional(),
  routes: z.array(RouteSpecSchema).max(BOUNDS.routes).default([]),
  quietHours: QuietHoursSpecSchema.optional(),
};

/** ClusterTelegramBot.spec.defaults: the house style of its channels that have none of their own. */
export const BotDefaultsSchema = z.object({ template: TemplateSpecSchema.optional() });
