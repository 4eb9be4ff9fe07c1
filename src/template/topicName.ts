// A route's topic.name is a Liquid template over one alert (`labels`, `annotations`), rendered as plain
// text: a topic's name shows as typed, so escaping would put `&amp;` in it. Telegram takes 1..128
// characters; a name outside that is a problem to report, never a topic to create.
import type { NotificationAlert } from '../sources/notification.js';
import type { RenderFailure, RenderPool } from './pool.js';
import { templateSamples } from './samples.js';

export const TOPIC_NAME_MAX_CHARS = 128;

export type TopicNameResult = { ok: true; name: string } | { ok: false; what: string; failure?: RenderFailure };

export function topicData(alert: Pick<NotificationAlert, 'labels' | 'annotations'>): Record<string, unknown> {
  return { labels: { ...alert.labels }, annotations: { ...alert.annotations } };
}

/** Renders one alert's topic name; the name is trimmed, as Telegram trims it. */
export async function renderTopicName(
  pool: Pick<RenderPool, 'render'>,
  template: string,
  alert: Pick<NotificationAlert, 'labels' | 'annotations'>,
  timeZone?: string,
): Promise<TopicNameResult> {
  const result = await pool.render({ template, data: topicData(alert), timeZone, format: 'text' });
  if (!result.ok) {
    const { failure } = result;
    const where = failure.line === undefined ? '' : ` at line ${failure.line}, column ${failure.column ?? 1}`;
    return { ok: false, what: `the topic name template fails${where}: ${failure.message}`, failure };
  }
  const name = result.output.trim();
  if (name === '') return { ok: false, what: 'the topic name renders empty' };
  // Telegram counts characters as UTF-16 units.
  if (name.length > TOPIC_NAME_MAX_CHARS) {
    return { ok: false, what: `the topic name renders ${name.length} characters, over Telegram's ${TOPIC_NAME_MAX_CHARS}` };
  }
  return { ok: true, name };
}

/** Checked when applied: the name must render, non-empty and short enough, for the one-alert sample. */
export function checkTopicName(pool: Pick<RenderPool, 'render'>, template: string, timeZone?: string): Promise<TopicNameResult> {
  const sample = templateSamples('firing')[0]!.notification.alerts[0]!;
  return renderTopicName(pool, template, sample, timeZone);
}
