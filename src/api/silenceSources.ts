// Which sources of a channel have Silence buttons, and which silences API their presses call. Both
// Alertmanager and Grafana serve Alertmanager's silences API v2: spec.alertmanager.silence.url is
// Alertmanager itself (its API under /api/v2), spec.grafana.silence.url is Grafana's base URL, the one
// its users open in a browser, and Grafana serves that API under /api/alertmanager/grafana/api/v2.
// An episode remembers its source; a record that names none is an Alertmanager one.
import type { ChannelSpec, SilenceSpec } from './types.js';

/** Where Grafana serves its own Alertmanager's API, under its base URL (the API v2 is below it). */
export const GRAFANA_ALERTMANAGER_PATH = '/api/alertmanager/grafana';

export type SilenceSourceName = 'alertmanager' | 'grafana';

/** The source of an episode whose record names none. */
export const DEFAULT_EPISODE_SOURCE: SilenceSourceName = 'alertmanager';

export interface ChannelSilence {
  source: SilenceSourceName;
  /** The spec field, as messages name it: "spec.grafana.silence". */
  field: string;
  /** Who answers the silences API, as answers and conditions name it. */
  displayName: string;
  silence: SilenceSpec;
  /** The URL the API v2 lives under (…/api/v2 is appended): what the presses call. */
  apiBase: string;
}

/** The sources whose alerts can carry Silence buttons, in the order conditions name them. */
export const SILENCE_SOURCES: readonly SilenceSourceName[] = ['alertmanager', 'grafana'];

/** The spec field of a source's silence settings, whether set or not (for "was removed" answers). */
export function silenceField(source: string | undefined): string {
  return `spec.${source ?? DEFAULT_EPISODE_SOURCE}.silence`;
}

/** An episode's source as a silence source: absent is Alertmanager; one without buttons is undefined. */
export function sourceOf(source: string | undefined): SilenceSourceName | undefined {
  if (source === undefined) return DEFAULT_EPISODE_SOURCE;
  return SILENCE_SOURCES.find((s) => s === source);
}

/** The source's silence settings on this channel, or undefined when that source has no buttons. */
export function channelSilence(spec: ChannelSpec, source: string | undefined): ChannelSilence | undefined {
  const name = sourceOf(source);
  if (!name) return undefined;
  const silence = name === 'grafana' ? spec.grafana?.silence : spec.alertmanager?.silence;
  if (!silence) return undefined;
  return {
    source: name,
    field: silenceField(name),
    displayName: name === 'grafana' ? 'Grafana' : 'Alertmanager',
    silence,
    apiBase: silenceApiBase(name, silence.url),
  };
}

/** Every source of the channel that has buttons, Alertmanager first. */
export function channelSilences(spec: ChannelSpec): ChannelSilence[] {
  return SILENCE_SOURCES.flatMap((s) => channelSilence(spec, s) ?? []);
}

/** The URL under which the source's silences API v2 lives, from the URL the channel gives. */
export function silenceApiBase(source: SilenceSourceName, url: string): string {
  if (source !== 'grafana') return url;
  const u = new URL(url);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}${GRAFANA_ALERTMANAGER_PATH}`;
}
