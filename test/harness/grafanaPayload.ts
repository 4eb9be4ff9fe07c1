// Grafana's webhook payload as the tests post it: the example from Grafana's docs (the fixture), under
// a group key of the test's choosing, and its resolve.
import { readFileSync } from 'node:fs';

export interface GrafanaBody {
  status: string;
  groupKey: string;
  title: string;
  alerts: { status: string; labels: Record<string, string>; endsAt: string; fingerprint: string }[];
  [field: string]: unknown;
}

export const GRAFANA_DOCS_FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/grafana-webhook-docs.json', import.meta.url), 'utf8'),
) as GrafanaBody;

/** The fixture under its own group key, its alerts renamed, so the chat tells the groups apart. */
export function grafanaFixtureAs(group: string): GrafanaBody {
  return {
    ...GRAFANA_DOCS_FIXTURE,
    groupKey: `{}:{group="${group}"}`,
    alerts: GRAFANA_DOCS_FIXTURE.alerts.map((a) => ({ ...a, labels: { ...a.labels, alertname: `${a.labels['alertname']} ${group}` } })),
  };
}

/** `body` with every alert resolved at `endsAt`. */
export function grafanaResolved(body: GrafanaBody, endsAt = new Date().toISOString()): GrafanaBody {
  return { ...body, status: 'resolved', alerts: body.alerts.map((a) => ({ ...a, status: 'resolved', endsAt })) };
}
