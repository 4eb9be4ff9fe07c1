// The webhook sources the operator serves: each gets POST /webhooks/{name}/{namespace}/{channel},
// authentication by its opt-in field's Secret, the shared body budget, leader forwarding, delivery and
// the alert lifecycle. A new source is its file in this folder plus its line here.
import { alertmanagerSource } from './alertmanager.js';
import { grafanaSource } from './grafana.js';
import type { WebhookSource } from './source.js';

export const SOURCES: readonly WebhookSource[] = [alertmanagerSource, grafanaSource];
