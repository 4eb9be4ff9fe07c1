// Who may use a ClusterTelegramBot: spec.allowedNamespaces, names and/or a label selector on the
// channel's namespace. Absent or empty allows nobody: a bot is shared by listing who shares it, never
// by forgetting a field. An empty selector ({}) therefore matches nothing here, unlike elsewhere in
// Kubernetes; to allow every namespace, say so (matchExpressions: kubernetes.io/metadata.name Exists).
import type { BotSpec, LabelSelector } from '../api/types.js';

/** True when a channel in `namespace` (with these labels) may use a bot with this spec. */
export function namespaceAllowed(spec: BotSpec, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  const allowed = spec.allowedNamespaces;
  if (!allowed) return false;
  if (allowed.names?.includes(namespace)) return true;
  return allowed.selector !== undefined && selectorMatches(allowed.selector, labels);
}

/** metav1.LabelSelector semantics (all requirements ANDed), except that an empty selector matches nothing. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) return false;
  for (const [k, v] of matchLabels) if (labels[k] !== v) return false;
  for (const e of expressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !e.values?.includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && e.values?.includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** allowedNamespaces in words, for the message of a channel that is not allowed. */
export function describeAllowed(spec: BotSpec): string {
  const a = spec.allowedNamespaces;
  const parts: string[] = [];
  if (a?.names?.length) parts.push(`namespaces ${a.names.join(', ')}`);
  if (a?.selector) {
    const s = a.selector;
    const reqs = [
      ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(s.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`),
    ];
    if (reqs.length) parts.push(`namespaces labelled ${reqs.join(', ')}`);
  }
  return parts.length ? parts.join(' or ') : 'no namespace (allowedNamespaces is empty)';
}
