// What the built-in renderings of every source show the same way, in Telegram HTML with every value
// escaped: an alert's heading, its summary, its other annotations and labels, its times. Labels and
// annotations go in a stable order (a map's order is the sender's, which may differ between retries).
import { escapeHtml } from './html.js';

interface AlertText {
  status: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  startsAt: string;
  endsAt: string;
}

/** Labels and annotations shown in their own place, so not repeated in the generic lists. */
const SHOWN_LABELS = new Set(['alertname', 'severity']);
const SHOWN_ANNOTATIONS = new Set(['summary', 'description']);

/** "<b>HighCPU</b> · severity: <b>page</b>", after `prefix` (an icon) when given. */
export function headingLine(alert: AlertText, prefix = ''): string {
  const name = alert.labels['alertname'] ?? 'Alert';
  const severity = alert.labels['severity'];
  return `${prefix}<b>${escapeHtml(name)}</b>${severity === undefined ? '' : ` · severity: <b>${escapeHtml(severity)}</b>`}`;
}

/** The summary and the description, each on its line, when not blank. */
export function summaryLines(alert: AlertText): string[] {
  return [...SHOWN_ANNOTATIONS]
    .map((key) => alert.annotations[key])
    .filter((v): v is string => v !== undefined && v.trim() !== '')
    .map(escapeHtml);
}

/** Every other annotation on its line, then the other labels on one; `hidden` labels are left out. */
export function detailLines(alert: AlertText, hidden: (label: string) => boolean = () => false): string[] {
  const lines = sortedEntries(alert.annotations)
    .filter(([key]) => !SHOWN_ANNOTATIONS.has(key))
    .map(([key, value]) => `<i>${escapeHtml(key)}</i>: ${escapeHtml(value)}`);
  const otherLabels = sortedEntries(alert.labels).filter(([key]) => !SHOWN_LABELS.has(key) && !hidden(key));
  if (otherLabels.length > 0) {
    lines.push(`Labels: ${otherLabels.map(([key, value]) => `${escapeHtml(key)}=<code>${escapeHtml(value)}</code>`).join(', ')}`);
  }
  return lines;
}

/** "Started: …", and for a resolved alert "Resolved: …". */
export function timeLines(alert: AlertText): string[] {
  const started = formatTime(alert.startsAt);
  const ended = alert.status === 'resolved' ? formatTime(alert.endsAt) : undefined;
  return [...(started ? [`Started: ${escapeHtml(started)}`] : []), ...(ended ? [`Resolved: ${escapeHtml(ended)}`] : [])];
}

/** Entries sorted by key, by code unit: the same for every locale. */
export function sortedEntries<T>(map: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * "2024-05-01 10:00:00 UTC". Go's zero time ("0001-01-01T00:00:00Z", Alertmanager's and Grafana's "not
 * ended yet") means no time at all; anything unparseable is shown as sent.
 */
function formatTime(value: string): string | undefined {
  if (value.trim() === '' || value.startsWith('0001-01-01')) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return value;
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
