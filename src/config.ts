import { z } from 'zod';
import { DEFAULT_TELEGRAM_API_URL } from './api/contract.js';
import { SILENCE_HOST_EXPECTED, SILENCE_HOST_PATTERN } from './api/silenceHosts.js';
import { DEFAULT_RATE_LIMITS } from './delivery/rateLimit.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT } from './http/requestBudget.js';
import { DEFAULT_DEADLINE_MS, DEFAULT_POOL_SIZE } from './template/pool.js';

const namespaces = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name')));

/** SILENCE_URL_HOSTS and IMAGE_URL_HOSTS: a comma list of host[:port] entries (src/api/silenceHosts.ts). */
const hostList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(SILENCE_HOST_PATTERN, SILENCE_HOST_EXPECTED)));

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const boolishDefaultTrue = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('true')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Where Alertmanager reaches this operator (spec.alertmanager.config): the base of every generated webhook URL. */
export const DEFAULT_WEBHOOK_BASE_URL = 'http://telegram-channel-operator.telegram-system.svc:8080';

/**
 * WEBHOOK_BASE_URL goes into every generated AlertmanagerConfig, which the teams owning the channels can
 * read: a password or token in it would leak, and a query or fragment would break the path appended to it.
 */
const webhookBaseUrl = z
  .url({
    protocol: /^https?$/,
    error: 'must be an http:// or https:// URL, e.g. http://telegram-channel-operator.telegram-system.svc:8080',
  })
  .default(DEFAULT_WEBHOOK_BASE_URL)
  .superRefine((u, ctx) => {
    const url = new URL(u);
    if (url.username || url.password) {
      ctx.addIssue({
        code: 'custom',
        message: 'must not contain a user or password (user:password@): the URL is copied into AlertmanagerConfigs',
      });
    }
    if (url.search || u.includes('?'))
      ctx.addIssue({ code: 'custom', message: 'must not have a query (?...): the webhook path is appended to it' });
    if (url.hash || u.includes('#')) ctx.addIssue({ code: 'custom', message: 'must not have a fragment (#...)' });
  })
  .transform((u) => u.replace(/\/+$/, ''));

/** The operator's environment (docs/operations.md, "Configuration"); invalid values stop start-up with a clear message. */
export const EnvSchema = z.object({
  TELEGRAM_API_URL: z
    .url({ protocol: /^https?$/ })
    .default(DEFAULT_TELEGRAM_API_URL)
    .transform((u) => u.replace(/\/+$/, '')),
  WATCH_NAMESPACE: namespaces,
  HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEADER_ELECTION: boolish,
  POD_NAMESPACE: z.string().default(''),
  POD_NAME: z.string().default(''),
  POD_IP: z.union([z.ipv4(), z.ipv6(), z.literal('')]).default(''),
  MAX_CONCURRENT_RECONCILES: z.coerce.number().int().min(1).max(256).default(16),
  RESYNC_PERIOD_SECONDS: z.coerce.number().int().min(10).default(600),
  RATE_LIMIT_PER_BOT_PER_SECOND: z.coerce.number().positive().max(1000).default(DEFAULT_RATE_LIMITS.perBotPerSecond),
  RATE_LIMIT_PER_CHAT_PER_SECOND: z.coerce.number().positive().max(100).default(DEFAULT_RATE_LIMITS.perChatPerSecond),
  RATE_LIMIT_PER_CHAT_BURST: z.coerce.number().int().min(1).max(100).default(DEFAULT_RATE_LIMITS.perChatBurst),
  RATE_LIMIT_PER_GROUP_PER_MINUTE: z.coerce.number().positive().max(6000).default(DEFAULT_RATE_LIMITS.perGroupPerMinute),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_MAX_BODY_BYTES),
  WATCH_SECRETS: boolishDefaultTrue,
  /** Serve ClusterTelegramBots (watch them, and namespace metadata); default: only without WATCH_NAMESPACE. */
  WATCH_CLUSTER_BOTS: z.enum(['true', 'false', '1', '0', 'yes', 'no', '']).default(''),
  WEBHOOK_MAX_CONCURRENT: z.coerce.number().int().min(1).max(256).default(DEFAULT_MAX_CONCURRENT),
  WEBHOOK_BASE_URL: webhookBaseUrl,
  SILENCE_URL_HOSTS: hostList,
  IMAGE_URL_HOSTS: hostList,
  /** Template rendering (spec.template): worker threads, and the wall-clock time one render may take. */
  TEMPLATE_WORKERS: z.coerce.number().int().min(1).max(16).default(DEFAULT_POOL_SIZE),
  TEMPLATE_DEADLINE_MS: z.coerce.number().int().min(50).max(30_000).default(DEFAULT_DEADLINE_MS),
  EVENTS_CLUSTER_NAMESPACES: namespaces,
});

/** The environment as the operator uses it; its type is what this schema produces, so it is written once. */
export const ConfigSchema = EnvSchema.transform((c) => ({
  telegramApiUrl: c.TELEGRAM_API_URL,
  watchNamespaces: c.WATCH_NAMESPACE,
  httpPort: c.HTTP_PORT,
  logLevel: c.LOG_LEVEL,
  leaderElection: c.LEADER_ELECTION,
  podNamespace: c.POD_NAMESPACE,
  podName: c.POD_NAME,
  podIp: c.POD_IP,
  maxConcurrentReconciles: c.MAX_CONCURRENT_RECONCILES,
  resyncPeriodMs: c.RESYNC_PERIOD_SECONDS * 1000,
  rateLimits: {
    perBotPerSecond: c.RATE_LIMIT_PER_BOT_PER_SECOND,
    perChatPerSecond: c.RATE_LIMIT_PER_CHAT_PER_SECOND,
    perChatBurst: c.RATE_LIMIT_PER_CHAT_BURST,
    perGroupPerMinute: c.RATE_LIMIT_PER_GROUP_PER_MINUTE,
  },
  webhookMaxBodyBytes: c.WEBHOOK_MAX_BODY_BYTES,
  /** false: no list/watch on Secrets (get-only RBAC); a rotated Secret is read again on the next reconcile. */
  watchSecrets: c.WATCH_SECRETS,
  /**
   * Watch ClusterTelegramBots and namespace metadata (cluster-scoped: needs the ClusterRole's rules).
   * Unset: yes for a cluster-wide install, no with WATCH_NAMESPACE (a namespaced install has Roles only).
   */
  watchClusterBots: c.WATCH_CLUSTER_BOTS === '' ? c.WATCH_NAMESPACE.length === 0 : ['true', '1', 'yes'].includes(c.WATCH_CLUSTER_BOTS),
  /** How many maximum-size webhook bodies may be in memory at once (smaller ones count by their size). */
  webhookMaxConcurrent: c.WEBHOOK_MAX_CONCURRENT,
  /** The base of the webhook URL in generated AlertmanagerConfigs, without a trailing slash. */
  webhookBaseUrl: c.WEBHOOK_BASE_URL,
  /**
   * Alertmanager hosts every channel's silence.url may name, with its authorizationSecretRef sent there.
   * Empty: botRef channels need their bot's spec.silence.urlHosts, and other channels' credentials are
   * sent only from Secrets labelled telegram.notify.dev/silence-credentials=true. Set: it also binds those.
   */
  silenceUrlHosts: c.SILENCE_URL_HOSTS,
  /**
   * The hosts an alert's image (Grafana's imageURL) may be fetched from, with the same host[:port] rules.
   * Empty: no image is fetched, and such alerts go out as text with a note saying so.
   */
  imageUrlHosts: c.IMAGE_URL_HOSTS,
  templateWorkers: c.TEMPLATE_WORKERS,
  templateDeadlineMs: c.TEMPLATE_DEADLINE_MS,
  /**
   * Namespaces whose channels may relay other namespaces' Kubernetes events (spec.kubernetesEvents.namespaceSelector)
   * and cluster-scoped objects'. Unset: the operator's own namespace.
   */
  eventsClusterNamespaces: c.EVENTS_CLUSTER_NAMESPACES.length ? c.EVENTS_CLUSTER_NAMESPACES : c.POD_NAMESPACE ? [c.POD_NAMESPACE] : [],
}));

export type Config = z.output<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const blankToUndefined = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' && k !== 'WATCH_NAMESPACE' ? undefined : env[k]]),
  );
  const parsed = ConfigSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  return parsed.data;
}
