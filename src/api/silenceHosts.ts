// Lists of Alertmanager hosts a platform team allows silence URLs to name (SILENCE_URL_HOSTS, a
// ClusterTelegramBot's spec.silence.urlHosts). An entry is host[:port] as it appears in a URL; the
// port must match too (without one: the scheme's default, 80 or 443), so allowing
// "alertmanager.monitoring.svc:9093" never lets a channel reach another service on that host.
// "*.monitoring.svc" allows every host under monitoring.svc (not monitoring.svc itself).

/** host[:port] or *.suffix[:port]: DNS names and IPv4 in lowercase, IPv6 in brackets. */
export const SILENCE_HOST_PATTERN =
  /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;

export const SILENCE_HOST_EXPECTED =
  'expected host[:port] as in the URL, e.g. alertmanager-operated.monitoring.svc:9093 or *.monitoring.svc:9093';

/** True when the URL's host and port are those of one entry. */
export function silenceHostAllowed(url: string, entries: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const defaultPort = u.protocol === 'https:' ? '443' : '80';
  const port = Number(u.port || defaultPort);
  const hostname = u.hostname; // lowercased by URL, as entries are written
  return entries.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (!SILENCE_HOST_PATTERN.test(e)) return false;
    const colon = e.startsWith('[') ? e.indexOf(':', e.indexOf(']')) : e.lastIndexOf(':');
    const [name, entryPort] = colon === -1 ? [e, ''] : [e.slice(0, colon), e.slice(colon + 1)];
    if (Number(entryPort || defaultPort) !== port) return false;
    if (name.startsWith('*.')) return hostname.endsWith(name.slice(1)) && hostname.length > name.length - 1;
    return hostname === name;
  });
}
