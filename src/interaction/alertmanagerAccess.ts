// A channel's Alertmanager API client: spec.alertmanager.silence.url, with the Bearer token from
// authorizationSecretRef when there is one (read and checked on every use, so a rotated Secret is
// used at once; the Secret reader keeps the GETs few).
import type { SilenceSpec } from '../api/types.js';
import type { SecretSource } from '../channel/resolver.js';
import { AlertmanagerApi, checkBearer } from './alertmanagerApi.js';

export type Access =
  | { ok: true; api: AlertmanagerApi }
  | { ok: false; reason: 'SecretNotFound' | 'SecretKeyNotFound' | 'AlertmanagerUnreachable'; message: string };

export type AlertmanagerFor = (namespace: string, silence: SilenceSpec) => Promise<Access>;

/** Throws SecretUnavailable (from the reader) when the Secret cannot be read now. */
export function alertmanagerAccess(
  secrets: SecretSource,
  make = (url: string, bearer?: string) => new AlertmanagerApi(url, bearer),
): AlertmanagerFor {
  return async (namespace, silence) => {
    const ref = silence.authorizationSecretRef;
    if (!ref) return { ok: true, api: make(silence.url) };
    const v = await secrets.read(namespace, ref.name, ref.key);
    if (!v.ok) return { ok: false, reason: v.reason, message: `spec.alertmanager.silence.authorizationSecretRef: ${v.message}` };
    const checked = checkBearer(v.value, `Secret ${namespace}/${ref.name} key "${ref.key}"`);
    // Not a reason of its own: the API cannot be used, and the message says why without the value.
    if (!checked.ok) return { ok: false, reason: 'AlertmanagerUnreachable', message: checked.message };
    return { ok: true, api: make(silence.url, checked.value) };
  };
}
