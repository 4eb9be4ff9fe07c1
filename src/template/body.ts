// A notification's body from the channel's template, or, when the template fails on this notification,
// the source's built-in rendering with one line saying why: a template never loses an alert. Used by
// the sending path and by the CLI's offline preview, so both show the same message.
import { escapeHtml } from '../format/html.js';
import { checkMarkup } from '../format/markup.js';
import { templateData, type TemplateChannel, type TemplateNotification } from './data.js';
import type { RenderFailureKind, RenderPool } from './pool.js';
import type { Templates } from './validate.js';

/** Why a template's output was not used: the engine's failure, what the output was, or the template could not be read. */
export type BodyFailureKind = RenderFailureKind | 'markup' | 'empty' | 'unreadable';

export type Body =
  | { templated: true; html: string }
  /** `problem`: plain text, for a log, an Event and the note (which escapes it). */
  | { templated: false; html: string; problem: string; kind: BodyFailureKind };

export interface BodyInputs {
  pool: Pick<RenderPool, 'render'>;
  templates: Templates;
  channel: TemplateChannel;
  timeZone: string;
}

/** The templated body of `notification`, or `builtIn()` with the note; the resolved template serves a notification whose alerts all resolved. */
export async function renderBody(notification: TemplateNotification, builtIn: () => string, inputs: BodyInputs): Promise<Body> {
  const { templates } = inputs;
  const template = notification.status === 'resolved' ? (templates.resolved ?? templates.firing) : templates.firing;
  const data = templateData(notification, inputs.channel);
  const result = await inputs.pool.render({ template, data, timeZone: inputs.timeZone });
  if (!result.ok) {
    const where = result.failure.line === undefined ? '' : ` at line ${result.failure.line}, column ${result.failure.column ?? 1}`;
    return fallback(builtIn(), `the template failed${where}: ${result.failure.message}`, result.failure.kind);
  }
  if (result.output.trim() === '') return fallback(builtIn(), 'the template rendered nothing', 'empty');
  const markup = checkMarkup(result.output, 'HTML');
  if (!markup.ok) return fallback(builtIn(), `the template's output is markup Telegram would refuse: ${markup.message}`, 'markup');
  return { templated: true, html: result.output };
}

/** The built-in rendering under one escaped line naming the problem. */
export function fallback(builtIn: string, problem: string, kind: BodyFailureKind): Body {
  return { templated: false, html: `⚠️ ${escapeHtml(problem)}\n\n${builtIn}`, problem, kind };
}
