// Alertmanager's webhook payload (version "4", notify/webhook/webhook.go + template.Data) and how we
// show it in Telegram. Alert text comes from whoever wrote the alerting rules, so every value is
// escaped: a label like `<none>` or `a&b` must show literally instead of breaking the whole message,
// which is the most common failure of the peers' Telegram integrations.
import { z } from 'zod';
import { escapeHtml } from './html.js';
import { payloadProblems } from './payloadProblems.js';

/**
 * Every string made well-formed: a lone UTF-16 surrogate (JSON allows "\ud800") would make Telegram
 * refuse the whole message, and Alertmanager would retry the notification forever. It shows as U+FFFD.
 */
const Text = z.string().transform((s) => s.toWellFormed());
const StringMap = z.record(Text, Text);

/** Fields we render are required; fields Alertmanager always sends but we can do without get defaults. */
const AlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: Text.default(''),
  endsAt: Text.default(''),
  generatorURL: Text.default(''),
  fingerprint: Text.default(''),
});

// z.object strips unknown keys instead of failing: newer Alertmanager versions may add fields.
export const AlertmanagerPayloadSchema = z.object({
  version: z.literal('4', { error: (issue) => `expected "4", got ${JSON.stringify(issue.input)}` }),
  groupKey: Text.default(''),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: Text.default(''),
  groupLabels: StringMap.default({}),
  commonLabels: StringMap.default({}),
  commonAnnotations: StringMap.default({}),
  externalURL: Text.default(''),
  alerts: z.array(AlertSchema),
});

export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayloadSchema>;
export type AlertmanagerAlert = z.infer<typeof AlertSchema>;

export type AlertmanagerParseResult = { ok: true; payload: AlertmanagerPayload } | { ok: false; error: string };

/** Validates a decoded JSON body. The error names the field path, e.g. `alerts.0.labels: …`. */
export function parseAlertmanagerPayload(json: unknown): AlertmanagerParseResult {
  const result = AlertmanagerPayloadSchema.safeParse(json);
  if (result.success) return { ok: true, payload: result.data };
  return { ok: false, error: payloadProblems(result.error) };
}

/** What the built-in rendering reads: an Alertmanager payload, or any notification with its fields. */
export interface RenderableNotification {
  status: 'firing' | 'resolved';
  truncatedAlerts: number;
  externalURL: string;
  alerts: readonly RenderableAlert[];
}
type RenderableAlert = Readonly<Pick<AlertmanagerAlert, 'status' | 'startsAt' | 'endsAt' | 'generatorURL'>> & {
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
};

/** Labels and annotations shown in their own place, so not repeated in the generic lists. */
const SHOWN_LABELS = new Set(['alertname', 'severity']);
const SHOWN_ANNOTATIONS = new Set(['summary', 'description']);

/**
 * Telegram HTML for one notification: firing alerts first, then resolved ones, each group under its
 * own header, alerts separated by blank lines (where splitMessage prefers to cut).
 */
export function renderAlertmanagerHtml(payload: RenderableNotification): string {
  const firing = payload.alerts.filter((alert) => alert.status === 'firing');
  const resolved = payload.alerts.filter((alert) => alert.status === 'resolved');
  const blocks: string[] = [];
  if (firing.length > 0) {
    blocks.push(`<b>🔥 FIRING (${firing.length})</b>`, ...firing.map(renderAlert));
  }
  if (resolved.length > 0) {
    blocks.push(`<b>✅ RESOLVED (${resolved.length})</b>`, ...resolved.map(renderAlert));
  }
  if (payload.alerts.length === 0) {
    blocks.push(`<b>${payload.status === 'resolved' ? '✅ RESOLVED' : '🔥 FIRING'}</b> (no alerts in this notification)`);
  }
  const footer: string[] = [];
  if (payload.truncatedAlerts > 0) {
    const noun = payload.truncatedAlerts === 1 ? 'alert was' : 'alerts were';
    footer.push(`⚠️ ${payload.truncatedAlerts} more ${noun} left out by Alertmanager (max_alerts).`);
  }
  if (payload.externalURL.trim() !== '') footer.push(link(payload.externalURL, 'Open Alertmanager'));
  if (footer.length > 0) blocks.push(footer.join('\n'));
  return blocks.join('\n\n');
}

function renderAlert(alert: RenderableAlert): string {
  const lines: string[] = [];
  const name = alert.labels['alertname'] ?? 'Alert';
  const severity = alert.labels['severity'];
  lines.push(`<b>${escapeHtml(name)}</b>${severity === undefined ? '' : ` · severity: <b>${escapeHtml(severity)}</b>`}`);
  for (const key of SHOWN_ANNOTATIONS) {
    const value = alert.annotations[key];
    if (value !== undefined && value.trim() !== '') lines.push(escapeHtml(value));
  }
  const otherAnnotations = sortedEntries(alert.annotations).filter(([key]) => !SHOWN_ANNOTATIONS.has(key));
  for (const [key, value] of otherAnnotations) lines.push(`<i>${escapeHtml(key)}</i>: ${escapeHtml(value)}`);
  const otherLabels = sortedEntries(alert.labels).filter(([key]) => !SHOWN_LABELS.has(key));
  if (otherLabels.length > 0) {
    lines.push(`Labels: ${otherLabels.map(([key, value]) => `${escapeHtml(key)}=<code>${escapeHtml(value)}</code>`).join(', ')}`);
  }
  const started = formatTime(alert.startsAt);
  if (started) lines.push(`Started: ${escapeHtml(started)}`);
  const ended = alert.status === 'resolved' ? formatTime(alert.endsAt) : undefined;
  if (ended) lines.push(`Resolved: ${escapeHtml(ended)}`);
  if (alert.generatorURL.trim() !== '') lines.push(link(alert.generatorURL, 'Source'));
  return lines.join('\n');
}

function link(url: string, text: string): string {
  return `<a href="${escapeHtml(url.trim())}">${escapeHtml(text)}</a>`;
}

function sortedEntries(map: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * "2024-05-01 10:00:00 UTC". Go's zero time ("0001-01-01T00:00:00Z", Alertmanager's "not ended yet")
 * means no time at all; anything unparseable is shown as sent.
 */
function formatTime(value: string): string | undefined {
  if (value.trim() === '' || value.startsWith('0001-01-01')) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return value;
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
