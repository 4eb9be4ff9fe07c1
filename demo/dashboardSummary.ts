// The dashboard's top row (monitoring/dashboard.json: Channels Ready, Channels not Ready, Messages sent,
// Messages failed) from one scrape of the operator's /metrics, for the demo's last lines: the demo runs no
// Prometheus or Grafana, but reads the same series the panels query.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface DashboardSummary {
  channelsReady: number;
  /** "namespace/name (reason)", sorted. */
  notReady: string[];
  sent: number;
  /** "source reason: count", sorted. */
  failed: string[];
  failedTotal: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** The samples of Prometheus' text format (comments and blank lines skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k!] = unescape(v!);
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export function dashboardSummary(metricsText: string): DashboardSummary {
  const samples = parseMetrics(metricsText);
  const notReady = samples.filter(
    (s) => s.name === 'telegram_operator_channel_condition' && s.labels.type === 'Ready' && s.labels.status !== 'True' && s.value === 1,
  );
  const failed = samples.filter((s) => s.name === 'telegram_operator_messages_failed_total' && s.value > 0);
  return {
    channelsReady: samples.find((s) => s.name === 'telegram_operator_channels' && s.labels.ready === 'True')?.value ?? 0,
    notReady: notReady.map((s) => `${s.labels.channel_namespace}/${s.labels.channel} (${s.labels.reason})`).sort(),
    sent: samples.filter((s) => s.name === 'telegram_operator_messages_sent_total').reduce((n, s) => n + s.value, 0),
    failed: failed.map((s) => `${s.labels.source} ${s.labels.reason}: ${s.value}`).sort(),
    failedTotal: failed.reduce((n, s) => n + s.value, 0),
  };
}
