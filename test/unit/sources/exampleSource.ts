// A minimal webhook source, the whole of it: what "a new source is one file plus one registry line"
// means. It takes `{ "title": "...", "resolved": false }` and opts a channel in through
// spec.alertmanager (the CRD has no field of its own for a test source; a real one adds spec.<name>).
import { escapeHtml } from '../../../src/format/html.js';
import type { WebhookSource } from '../../../src/sources/source.js';

export const exampleSource: WebhookSource = {
  name: 'example',
  displayName: 'Example',
  optInField: 'spec.alertmanager',
  optIn: (spec) => spec.alertmanager,
  parse(json) {
    const body = json as { title?: unknown; resolved?: unknown } | null;
    if (typeof body?.title !== 'string' || body.title === '') return { ok: false, error: 'title: a non-empty string is required' };
    const status = body.resolved === true ? 'resolved' : 'firing';
    const labels = { alertname: body.title };
    return {
      ok: true,
      notification: {
        source: 'example',
        groupKey: body.title,
        status,
        alerts: [{ status, labels, annotations: {}, startsAt: '', endsAt: '', fingerprint: body.title, generatorURL: '', extras: {} }],
        truncatedAlerts: 0,
        receiver: '',
        groupLabels: labels,
        commonLabels: labels,
        commonAnnotations: {},
        externalURL: '',
        extras: {},
        identity: [body.title, status],
      },
    };
  },
  render: (n) => `<b>[example] ${escapeHtml(n.groupKey)}</b> is ${n.status}`,
};
