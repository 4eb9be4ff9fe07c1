// Grafana's webhook contact point (unified alerting): Alertmanager's payload with Grafana's extras, and
// how we show it in Telegram. Everything Grafana sends comes from whoever wrote the alert rule and its
// templates, so every value is escaped. `imageURL` is never shown: Grafana's image URLs may carry a
// token, and the image itself goes out as a photo (see net/imageFetch.ts).
import { z } from 'zod';
import { AlertmanagerPayloadSchema } from './alertmanager.js';
import { detailLines, headingLine, sortedEntries, summaryLines, timeLines } from './alertParts.js';
import { escapeHtml } from './html.js';
import { payloadProblems } from './payloadProblems.js';

const Text = z.string().transform((s) => s.toWellFormed());

/**
 * A value of the rule's expression by its ref id ("B": 44.2). Grafana sends numbers; a null or a string
 * (a NaN some versions write as text) is kept, so one odd value never costs the whole notification.
 */
const Value = z.union([z.number(), Text, z.null()]);

const AlertmanagerAlertSchema = AlertmanagerPayloadSchema.shape.alerts.element;

/** Alertmanager's alert plus Grafana's extras; every extra is optional (older and newer Grafanas differ). */
const GrafanaAlertSchema = AlertmanagerAlertSchema.extend({
  silenceURL: Text.default(''),
  dashboardURL: Text.default(''),
  panelURL: Text.default(''),
  imageURL: Text.default(''),
  values: z
    .record(Text, Value)
    .nullable()
    .default({})
    .transform((v) => v ?? {}),
  /** Grafana 9's text form of the values, sent instead of `values`. */
  valueString: Text.default(''),
});

/**
 * z.object strips unknown keys instead of failing: Grafana adds fields. Grafana writes `version` "1";
 * any string is taken. The number of alerts is bounded only by the webhook body's size, as for
 * Alertmanager (WEBHOOK_MAX_BODY_BYTES): a payload the Alertmanager parser takes, this one takes.
 */
export const GrafanaPayloadSchema = AlertmanagerPayloadSchema.extend({
  version: Text.default('1'),
  orgId: z.number().int().default(0),
  title: Text.default(''),
  state: Text.default(''),
  message: Text.default(''),
  alerts: z.array(GrafanaAlertSchema),
});

export type GrafanaPayload = z.infer<typeof GrafanaPayloadSchema>;
export type GrafanaAlert = z.infer<typeof GrafanaAlertSchema>;

/** What the built-in rendering reads of a Grafana notification. */
export type GrafanaRenderable = Pick<GrafanaPayload, 'title' | 'status' | 'truncatedAlerts' | 'externalURL'> & {
  alerts: readonly GrafanaAlert[];
};

export type GrafanaParseResult = { ok: true; payload: GrafanaPayload } | { ok: false; error: string };

/** Validates a decoded JSON body. The error names the field path, e.g. `alerts.0.values.B: …`. */
export function parseGrafanaPayload(json: unknown): GrafanaParseResult {
  const result = GrafanaPayloadSchema.safeParse(json);
  if (result.success) return { ok: true, payload: result.data };
  return { ok: false, error: payloadProblems(result.error) };
}

/** Grafana's own bookkeeping labels (`__alert_rule_uid__`, `__alert_rule_namespace_uid__`): ids, not information. */
const isInternalLabel = (key: string): boolean => key.startsWith('__');

/**
 * Telegram HTML for one notification: Grafana's title, then firing alerts, then resolved ones, each
 * under its own header, alerts separated by blank lines (where splitMessage prefers to cut).
 */
export function renderGrafanaHtml(payload: GrafanaRenderable): string {
  const blocks: string[] = [];
  if (payload.title.trim() !== '') blocks.push(`<b>${escapeHtml(payload.title.trim())}</b>`);
  const firing = payload.alerts.filter((alert) => alert.status === 'firing');
  const resolved = payload.alerts.filter((alert) => alert.status === 'resolved');
  if (firing.length > 0) blocks.push(`<b>🔥 FIRING (${firing.length})</b>`, ...firing.map(renderGrafanaAlertHtml));
  if (resolved.length > 0) blocks.push(`<b>✅ RESOLVED (${resolved.length})</b>`, ...resolved.map(renderGrafanaAlertHtml));
  if (payload.alerts.length === 0) {
    blocks.push(`<b>${payload.status === 'resolved' ? '✅ RESOLVED' : '🔥 FIRING'}</b> (no alerts in this notification)`);
  }
  const footer: string[] = [];
  if (payload.truncatedAlerts > 0) {
    const noun = payload.truncatedAlerts === 1 ? 'alert was' : 'alerts were';
    footer.push(`⚠️ ${payload.truncatedAlerts} more ${noun} left out by Grafana.`);
  }
  const grafana = link(payload.externalURL, 'Open Grafana');
  if (grafana) footer.push(grafana);
  if (footer.length > 0) blocks.push(footer.join('\n'));
  return blocks.join('\n\n');
}

/** One alert on its own: a block of the notification, or the caption of the alert's photo. */
export function renderGrafanaAlertHtml(alert: GrafanaAlert): string {
  const values = renderValues(alert);
  const links = [
    link(alert.dashboardURL, 'Dashboard'),
    link(alert.panelURL, 'Panel'),
    link(alert.generatorURL, 'Rule'),
    link(alert.silenceURL, 'Silence'),
  ].filter((l): l is string => l !== undefined);
  return [
    headingLine(alert, alert.status === 'resolved' ? '✅ ' : '🔥 '),
    ...summaryLines(alert),
    ...(values ? [values] : []),
    ...detailLines(alert, isInternalLabel),
    ...timeLines(alert),
    ...(links.length > 0 ? [links.join(' · ')] : []),
  ].join('\n');
}

/** "Values: B=44.24, C=1", by ref id; Grafana 9's valueString when there are no values. */
function renderValues(alert: GrafanaAlert): string | undefined {
  const entries = sortedEntries(alert.values);
  if (entries.length > 0) {
    return `Values: ${entries.map(([ref, value]) => `${escapeHtml(ref)}=<code>${escapeHtml(formatValue(value))}</code>`).join(', ')}`;
  }
  const text = alert.valueString.trim();
  return text === '' ? undefined : `Values: <code>${escapeHtml(text)}</code>`;
}

/** Six significant digits are what a chat needs of 44.23943737541908; integers stay as they are. */
function formatValue(value: number | string | null): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** Only http(s) links become <a>: Grafana sends "" for a rule without a dashboard, and nothing else is a page. */
function link(url: string, text: string): string | undefined {
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  return `<a href="${escapeHtml(trimmed)}">${escapeHtml(text)}</a>`;
}
