// Where a channel's silence buttons may reach, and with what. A channel names, per source with buttons,
// its Alertmanager or its Grafana (spec.<source>.silence.url) and, optionally, a Secret of its namespace to send there as a Bearer token
// (authorizationSecretRef); the operator makes those requests from its own Pod with its own right to
// read every Secret. So a URL must be one the platform allows, or the credentials one their owner
// allows:
//   - botRef channels: the URL's host must be in the bot's spec.silence.urlHosts or the operator's
//     SILENCE_URL_HOSTS; otherwise no request at all. Credentials go to an allowed host.
//   - other channels, SILENCE_URL_HOSTS set: the same with that list alone.
//   - other channels, SILENCE_URL_HOSTS empty (a single-team install): any URL is called, but
//     credentials only from a Secret labelled telegram.notify.dev/silence-credentials=true, a label
//     only someone who may write that Secret can set. Without it nothing is read, sent or called.
// And botRef channels silence their own namespace's alerts only, unless the bot says Unrestricted.
import type { BotSpec, SilenceSpec } from '../api/types.js';
import { silenceHostAllowed } from '../api/silenceHosts.js';
import { silenceField, type SilenceSourceName } from '../api/silenceSources.js';

/** The channel as the policy sees it. */
export interface SilenceChannel {
  namespace: string;
  /** spec.botRef.name, for a channel that uses a ClusterTelegramBot. */
  botRef?: string;
  silence: SilenceSpec;
  /** Whose settings `silence` is: "grafana" for spec.grafana.silence; absent: spec.alertmanager.silence. */
  source?: SilenceSourceName;
}

/** Every silence of the channel matches `label="namespace"`, and alerts of another namespace are refused. */
export interface SilenceScope {
  label: string;
  namespace: string;
}

export type SilenceRoute =
  | { ok: false; reason: 'URLNotAllowed'; message: string }
  | {
      ok: true;
      /** none: no authorizationSecretRef; allowed: the host is listed; ownerOptIn: only if the Secret is labelled. */
      credentials: 'none' | 'allowed' | 'ownerOptIn';
      /** The host is in an allow-list the platform controls: its error words may be shown to the tenant. */
      listed: boolean;
      scope?: SilenceScope;
    };

/** The silence scope when a bot says nothing (or cannot be read): the channel's namespace, on label "namespace". */
const DEFAULT_NAMESPACE_LABEL = 'namespace';

/** Pure: may the channel's silence.url be called, and may its credentials go there? `bot`: its ClusterTelegramBot's spec, if readable. */
export function silenceRoute(ch: SilenceChannel, operatorHosts: readonly string[], bot: BotSpec | undefined): SilenceRoute {
  const host = hostOf(ch.silence.url);
  const botHosts = ch.botRef !== undefined ? (bot?.silence.urlHosts ?? []) : [];
  const listed = silenceHostAllowed(ch.silence.url, operatorHosts) || silenceHostAllowed(ch.silence.url, botHosts);
  if (!listed && (ch.botRef !== undefined || operatorHosts.length > 0)) {
    const where =
      ch.botRef !== undefined
        ? `neither ClusterTelegramBot "${ch.botRef}" (spec.silence.urlHosts: ${list(botHosts)}) nor the operator (SILENCE_URL_HOSTS: ${list(operatorHosts)}) allows; the platform team adds it to one of them`
        : `the operator's SILENCE_URL_HOSTS (${list(operatorHosts)}) does not allow; the operator's administrators add it there`;
    return {
      ok: false,
      reason: 'URLNotAllowed',
      message: `${silenceField(ch.source)}.url names ${host}, which ${where}. No request is made to it`,
    };
  }
  const credentials = !ch.silence.authorizationSecretRef ? 'none' : listed ? 'allowed' : 'ownerOptIn';
  if (ch.botRef === undefined || bot?.silence.scope === 'Unrestricted') return { ok: true, credentials, listed };
  return {
    ok: true,
    credentials,
    listed,
    scope: { label: bot?.silence.namespaceLabel ?? DEFAULT_NAMESPACE_LABEL, namespace: ch.namespace },
  };
}

/** Why the Secret of authorizationSecretRef is not sent: what the message of CredentialsNotAllowed says. */
export function credentialsRefused(ch: SilenceChannel, label: string): string {
  const ref = ch.silence.authorizationSecretRef!;
  const host = hostOf(ch.silence.url);
  return (
    `Secret ${ch.namespace}/${ref.name} (${silenceField(ch.source)}.authorizationSecretRef) is not sent to ${host}: the Secret is ` +
    `not labelled ${label}=true and no SILENCE_URL_HOSTS entry names that host. Whoever may write the Secret labels it, or the ` +
    `operator's administrators allow the host. Nothing is read, sent or called`
  );
}

/**
 * The matchers of a silence on alerts with these common labels: with a scope, the namespace matcher is
 * added, and alerts labelled with another namespace are refused (the answer to the press).
 */
export function scopedMatchers(
  common: Record<string, string>,
  scope: SilenceScope | undefined,
): { ok: true; matchers: Record<string, string> } | { ok: false; answer: string } {
  if (!scope) return { ok: true, matchers: common };
  const theirs = common[scope.label];
  if (theirs !== undefined && theirs !== scope.namespace) {
    return {
      ok: false,
      answer: `These alerts carry another namespace in "${scope.label}" than this channel's (${scope.namespace}): a channel silences its own namespace's alerts only. Nothing was silenced.`,
    };
  }
  return { ok: true, matchers: { ...common, [scope.label]: scope.namespace } };
}

function hostOf(url: string): string {
  return new URL(url).host;
}

/** A list for a message: the first few entries (a long list would bury the point). */
function list(hosts: readonly string[]): string {
  if (hosts.length === 0) return 'none';
  const shown = hosts.slice(0, 5).join(', ');
  return hosts.length > 5 ? `${shown} and ${hosts.length - 5} more` : shown;
}
