// Alertmanager's webhook payload (version "4", notify/webhook/webhook.go + template.Data) and how we
// show it in Telegram. Alert text comes from whoever wrote the alerting rules, so every value is
// escaped: a label like `<none>` or `a&b` must show literally instead of breaking the whole message,
// which is the most common failure of the peers' Telegram integrations.
import { z } from 'zod';
import { detailLines, headingLine, summaryLines, timeLines } from './alertParts.js';
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
  const source = alert.generatorURL.trim() !== '' ? [link(alert.generatorURL, 'Source')] : [];
  return [headingLine(alert), ...summaryLines(alert), ...detailLines(alert), ...timeLines(alert), ...source].join('\n');
}

function link(url: string, text: string): string {
  return `<a href="${escapeHtml(url.trim())}">${escapeHtml(text)}</a>`;
}
