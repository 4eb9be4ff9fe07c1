// A template is checked when it is applied, not when an alert fails at night: it is rendered against
// every built-in sample, and each output must be non-empty Telegram HTML the markup check accepts.
// The first problem found is the answer, with where it is (template line and column when the engine
// knows) and on which sample.
import { checkMarkup } from '../format/markup.js';
import { templateData, type TemplateChannel } from './data.js';
import type { RenderFailureKind, RenderPool } from './pool.js';
import { templateSamples } from './samples.js';

export type TemplatePart = 'firing' | 'resolved';

export interface Templates {
  firing: string;
  /** When absent, resolved notifications use the firing template. */
  resolved?: string;
}

export type ProblemKind = RenderFailureKind | 'markup' | 'empty';

export interface TemplateProblem {
  /** The template text at fault: `firing` also when it stands in for a missing resolved template. */
  part: TemplatePart;
  kind: ProblemKind;
  /** 1-based position in that template, when known. */
  line?: number;
  column?: number;
  sample: string;
  what: string;
}

export type TemplateCheck = { ok: true } | ({ ok: false } & TemplateProblem);

const WHAT: Record<RenderFailureKind, string> = {
  syntax: 'syntax error',
  filter: 'unknown filter',
  render: 'render error',
  timeZone: 'time zone',
  limit: 'over the render limits',
  deadline: 'over the render deadline',
  memory: 'over the render memory cap',
  crashed: 'the renderer crashed',
  closed: 'the renderer is shut down',
};

export interface ValidateOptions {
  channel: TemplateChannel;
  timeZone?: string;
}

export async function validateTemplates(
  pool: Pick<RenderPool, 'render'>,
  templates: Templates,
  options: ValidateOptions,
): Promise<TemplateCheck> {
  const checks: { part: TemplatePart; template: string; status: 'firing' | 'resolved' }[] = [
    { part: 'firing', template: templates.firing, status: 'firing' },
    {
      part: templates.resolved === undefined ? 'firing' : 'resolved',
      template: templates.resolved ?? templates.firing,
      status: 'resolved',
    },
  ];
  for (const { part, template, status } of checks) {
    for (const sample of templateSamples(status)) {
      const sampleName = `${sample.name} (${status})`;
      const data = templateData(sample.notification, options.channel);
      const result = await pool.render({ template, data, timeZone: options.timeZone });
      if (!result.ok) {
        const { kind, message, line, column } = result.failure;
        return { ok: false, part, kind, line, column, sample: sampleName, what: `${WHAT[kind]}: ${message}` };
      }
      if (result.output.trim() === '') {
        return { ok: false, part, kind: 'empty', sample: sampleName, what: 'the template renders nothing' };
      }
      const markup = checkMarkup(result.output, 'HTML');
      if (!markup.ok) {
        const at = outputPosition(result.output, markup.offset);
        return {
          ok: false,
          part,
          kind: 'markup',
          sample: sampleName,
          what: `output Telegram would refuse (rendered output line ${at.line}, column ${at.column}): ${markup.message}`,
        };
      }
    }
  }
  return { ok: true };
}

/** One line for a condition message: "firing template, line 2, column 3, sample one-alert (firing): …". */
export function describeTemplateProblem(problem: TemplateProblem): string {
  const where = problem.line === undefined ? '' : `, line ${problem.line}, column ${problem.column ?? 1}`;
  return `${problem.part} template${where}, sample ${problem.sample}: ${problem.what}`;
}

function outputPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
