// Who may use a ClusterTelegramBot: spec.allowedNamespaces, names and/or a label selector on the
// channel's namespace. Absent or empty allows nobody: a bot is shared by listing who shares it, never
// by forgetting a field. An empty selector ({}) therefore matches nothing here, unlike elsewhere in
// Kubernetes; to allow every namespace, say so (matchExpressions: kubernetes.io/metadata.name Exists).
//
// A namespace the operator has not seen yet (its watch event is still on its way) has no known labels.
// It is not allowed, and it is not refused either: 'unknown', so the channel waits for the namespace
// instead of being judged on labels it may not have. Treating it as "no labels" would let NotIn and
// DoesNotExist selectors through.
import type { BotSpec, LabelSelector } from './types.js';

export type NamespaceVerdict = 'allowed' | 'notAllowed' | 'unknown';

/** May a channel in `namespace` use a bot with this spec? `labels` undefined: the namespace is not known yet. */
export function namespaceVerdict(spec: BotSpec, namespace: string, labels: Readonly<Record<string, string>> | undefined): NamespaceVerdict {
  const allowed = spec.allowedNamespaces;
  if (!allowed) return 'notAllowed';
  if (allowed.names?.includes(namespace)) return 'allowed';
  if (allowed.selector === undefined) return 'notAllowed';
  if (labels === undefined) return 'unknown';
  return selectorMatches(allowed.selector, labels) ? 'allowed' : 'notAllowed';
}

/** True only when the namespace is known to be allowed. */
export function namespaceAllowed(spec: BotSpec, namespace: string, labels: Readonly<Record<string, string>> | undefined): boolean {
  return namespaceVerdict(spec, namespace, labels) === 'allowed';
}

/**
 * May a channel of this bot post to `chatId` (validated)? spec.allowedChats absent: any chat. Usernames
 * compare without case, as Telegram treats them; a chat listed by id and used by @username (or the
 * reverse) is refused, so a mismatch errs on the side of not sending.
 */
export function chatAllowed(spec: BotSpec, chatId: string): boolean {
  if (spec.allowedChats === undefined) return true;
  const wanted = chatId.startsWith('@') ? chatId.toLowerCase() : chatId;
  return spec.allowedChats.some((c) => (c.startsWith('@') ? c.toLowerCase() : c) === wanted);
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
