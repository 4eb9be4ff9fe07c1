// The AlertmanagerConfig the operator generates for a channel with spec.alertmanager.config (SPEC,
// "Self-service routing with the Prometheus Operator"): pure, so that what is applied is unit-tested.
// It references the channel's webhook Secret by name and key; no secret value is ever read here.
import { API_VERSION, FIELD_MANAGER, KIND } from '../api/contract.js';
import type { AlertmanagerConfigSpec, ChannelSpec, TelegramChannel } from '../api/types.js';

/** The Prometheus Operator's AlertmanagerConfig, as client-node's custom-object calls take it. */
export const AMC = { group: 'monitoring.coreos.com', version: 'v1alpha1', plural: 'alertmanagerconfigs' } as const;
const AMC_TYPE = { apiVersion: `${AMC.group}/${AMC.version}`, kind: 'AlertmanagerConfig' } as const;

/** Labels on every AlertmanagerConfig the operator creates: the watch selects by the first. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_CHANNEL = 'telegram.notify.dev/channel';
export const OWNED_SELECTOR = `${LABEL_MANAGED_BY}=${FIELD_MANAGER}`;

/** The receiver's name in the AlertmanagerConfig (the Prometheus Operator prefixes it with namespace and name). */
export const RECEIVER_NAME = 'telegram';

/** The channel's webhook URL under the operator's base URL (http/webhook.ts serves this path). */
export function webhookUrl(baseUrl: string, namespace: string, name: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/webhooks/alertmanager/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export interface AlertmanagerConfigObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean }[];
    uid?: string;
  };
  spec: {
    route: Record<string, unknown>;
    receivers: Record<string, unknown>[];
  };
}

/**
 * The whole object the operator owns: every field it sets is here, so that server-side apply removes
 * whatever a previous version of the channel's config set and this one does not.
 */
export function desiredAlertmanagerConfig(
  ch: TelegramChannel,
  alertmanager: NonNullable<ChannelSpec['alertmanager']> & { config: AlertmanagerConfigSpec },
  baseUrl: string,
): AlertmanagerConfigObject {
  const { namespace, name, uid } = ch.metadata;
  if (!uid) throw new Error(`channel ${namespace}/${name} has no uid: cannot own an AlertmanagerConfig`);
  const { config, tokenSecretRef } = alertmanager;
  const r = config.route;
  const route: Record<string, unknown> = { receiver: RECEIVER_NAME };
  if (r.groupBy) route.groupBy = r.groupBy;
  if (r.groupWait) route.groupWait = r.groupWait;
  if (r.groupInterval) route.groupInterval = r.groupInterval;
  if (r.repeatInterval) route.repeatInterval = r.repeatInterval;
  if (r.matchers.length > 0) route.matchers = r.matchers.map((m) => ({ name: m.name, value: m.value, matchType: m.matchType }));
  return {
    ...AMC_TYPE,
    metadata: {
      name,
      namespace,
      // The user's labels first: the operator's own always win (the watch and `kubectl get -l` rely on them).
      // A channel name may be longer than a label value may (253 vs 63): then the object's name says it alone.
      labels: { ...config.labels, [LABEL_MANAGED_BY]: FIELD_MANAGER, ...(name.length <= 63 ? { [LABEL_CHANNEL]: name } : {}) },
      ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name, uid, controller: true }],
    },
    spec: {
      route,
      receivers: [
        {
          name: RECEIVER_NAME,
          webhookConfigs: [
            {
              url: webhookUrl(baseUrl, namespace, name),
              sendResolved: true,
              httpConfig: {
                authorization: { type: 'Bearer', credentials: { name: tokenSecretRef.name, key: tokenSecretRef.key } },
              },
            },
          ],
        },
      ],
    },
  };
}

/** True when the object's controller is this channel (same uid): the only kind the operator changes or deletes. */
export function isOwnedBy(obj: { metadata?: { ownerReferences?: { uid?: string; controller?: boolean }[] } }, channelUid: string): boolean {
  return (obj.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.uid === channelUid);
}
