// A channel's silences API client: Alertmanager's at spec.alertmanager.silence.url, Grafana's under
// spec.grafana.silence.url (api/silenceSources.ts), with the Bearer token from
// authorizationSecretRef when there is one and the policy lets it go there (silencePolicy.ts). The
// Secret is read and checked on every use, so a rotated Secret is used at once (the Secret reader
// keeps the GETs few); a refusal makes no request and reads no Secret data.
import { LABEL_SILENCE_CREDENTIALS } from '../api/contract.js';
import { DEFAULT_EPISODE_SOURCE, silenceApiBase, silenceField } from '../api/silenceSources.js';
import { parseBotSpec, type BotSpec, type ClusterTelegramBot } from '../api/types.js';
import type { SecretSource } from '../credentials/resolver.js';
import { AlertmanagerApi, checkBearer } from './alertmanagerApi.js';
import type { OptIn } from './credentialsOptIn.js';
import { credentialsRefused, silenceRoute, type SilenceChannel, type SilenceScope } from './silencePolicy.js';

export type AccessRefusal = 'SecretNotFound' | 'SecretKeyNotFound' | 'AlertmanagerUnreachable' | 'URLNotAllowed' | 'CredentialsNotAllowed';

export type Access =
  | {
      ok: true;
      api: AlertmanagerApi;
      /** Whether the Bearer token of authorizationSecretRef is sent (absent: not). */
      credentials?: boolean;
      /** Silences carry the channel's namespace (botRef channels, unless their bot says Unrestricted). */
      scope?: SilenceScope;
    }
  | { ok: false; reason: AccessRefusal; message: string };

export type AlertmanagerFor = (channel: SilenceChannel) => Promise<Access>;

export interface AccessPolicy {
  /** SILENCE_URL_HOSTS. */
  operatorHosts: readonly string[];
  /** The ClusterTelegramBots the operator watches (absent: it serves none). */
  getBot?: (name: string) => ClusterTelegramBot | undefined;
  /** Whether a Secret's owner labelled it for sending; absent: never. */
  optIn?: (namespace: string, name: string) => Promise<OptIn>;
}

/** Throws SecretUnavailable (from the reader) when the Secret cannot be read now. */
export function alertmanagerAccess(
  secrets: SecretSource,
  policy: AccessPolicy = { operatorHosts: [] },
  make = (url: string, bearer: string | undefined, listed: boolean) => new AlertmanagerApi(url, bearer, undefined, undefined, listed),
): AlertmanagerFor {
  return async (ch) => {
    const { namespace, silence } = ch;
    const route = silenceRoute(ch, policy.operatorHosts, botSpec(policy, ch.botRef));
    if (!route.ok) return route;
    const scope = route.scope ? { scope: route.scope } : {};
    const field = silenceField(ch.source);
    const base = silenceApiBase(ch.source ?? DEFAULT_EPISODE_SOURCE, silence.url);
    const ref = silence.authorizationSecretRef;
    if (!ref) return { ok: true, api: make(base, undefined, route.listed), credentials: false, ...scope };
    if (route.credentials === 'ownerOptIn') {
      const optIn = policy.optIn ? await policy.optIn(namespace, ref.name) : { state: 'notLabelled' as const };
      if (optIn.state === 'missing')
        return { ok: false, reason: 'SecretNotFound', message: `${field}.authorizationSecretRef: ${optIn.message}` };
      if (optIn.state !== 'labelled')
        return { ok: false, reason: 'CredentialsNotAllowed', message: credentialsRefused(ch, LABEL_SILENCE_CREDENTIALS) };
    }
    const v = await secrets.read(namespace, ref.name, ref.key);
    if (!v.ok) return { ok: false, reason: v.reason, message: `${field}.authorizationSecretRef: ${v.message}` };
    const checked = checkBearer(v.value, `Secret ${namespace}/${ref.name} key "${ref.key}"`);
    // Not a reason of its own: the API cannot be used, and the message says why without the value.
    if (!checked.ok) return { ok: false, reason: 'AlertmanagerUnreachable', message: checked.message };
    return { ok: true, api: make(base, checked.value, route.listed), credentials: true, ...scope };
  };
}

/** The channel's bot spec, when it names one the operator can read. */
function botSpec(policy: AccessPolicy, name: string | undefined): BotSpec | undefined {
  if (name === undefined) return undefined;
  const bot = policy.getBot?.(name);
  if (!bot) return undefined;
  const parsed = parseBotSpec(bot.spec);
  return parsed.ok ? parsed.spec : undefined;
}
