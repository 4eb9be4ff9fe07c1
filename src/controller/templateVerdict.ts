// TemplateValid: which templates a channel uses (its own spec.template, else its ClusterTelegramBot's
// spec.defaults.template), read from the spec or a ConfigMap, rendered against every built-in sample.
// A verdict is remembered by the template text, so a reconcile with unchanged text renders nothing.
import { createHash } from 'node:crypto';
import type { Verdict } from '../api/contract.js';
import type { ChannelSpec, ClusterTelegramBot } from '../api/types.js';
import type { TemplateConfigMapReader } from '../kube/templateConfigMaps.js';
import type { Logger } from '../observability/log.js';
import type { RenderPool } from '../template/pool.js';
import { templateSampleNames } from '../template/samples.js';
import { readTemplates, templateSource, type TemplateRead } from '../template/source.js';
import { describeTemplateProblem, validateTemplates, type ProblemKind, type TemplateCheck, type Templates } from '../template/validate.js';

/** Verdicts kept; one per distinct template text in use, so this bounds memory, not correctness. */
const MAX_REMEMBERED = 1024;
const DETERMINED_BY_TEXT: ReadonlySet<ProblemKind> = new Set<ProblemKind>(['syntax', 'filter', 'render', 'markup', 'empty']);

export interface TemplateVerdictDeps {
  pool: Pick<RenderPool, 'render'>;
  readConfigMap: TemplateConfigMapReader;
  /** Undefined when the operator does not serve ClusterTelegramBots. */
  getBot?: (name: string) => ClusterTelegramBot | undefined;
  log?: Logger;
}

/** `keep`: no verdict now (the render pool is shutting down): the condition stays as it is. */
export type TemplateOutcome = Verdict | undefined | 'keep';

export class TemplateVerdicts {
  private readonly remembered = new Map<string, Promise<TemplateCheck>>();

  constructor(private readonly deps: TemplateVerdictDeps) {}

  /** Undefined when the channel uses no template: the condition is removed. */
  async verdict(namespace: string, name: string, spec: ChannelSpec, timeZone: string): Promise<TemplateOutcome> {
    const source = templateSource(namespace, spec, this.deps.getBot);
    if (!source) return undefined;
    let read: TemplateRead;
    try {
      read = await readTemplates(source, this.deps.readConfigMap);
    } catch (error) {
      // The API server did not answer: that says nothing about the template, and must not hold up the
      // rest of the status (Ready does not depend on templates). The next reconcile reads it again.
      this.deps.log?.warn({ namespace, name, err: error }, 'template ConfigMap could not be read; TemplateValid kept as it was');
      return 'keep';
    }
    if ('problem' in read) return invalid(`${read.where}: ${read.problem}`);
    const check = await this.check(read.templates, { namespace, name }, timeZone);
    if (!check.ok && check.kind === 'closed') return 'keep';
    if (!check.ok) return invalid(`${read.where}: ${describeTemplateProblem(check)}`);
    return {
      status: 'True',
      reason: 'Verified',
      message: `${read.where}: renders every built-in sample (${templateSampleNames().join(', ')}) as Telegram HTML`,
    };
  }

  private check(templates: Templates, channel: { namespace: string; name: string }, timeZone: string): Promise<TemplateCheck> {
    // The channel's name is data a template may print, so it is part of what the verdict is about, but
    // only for a template that names `channel` (Liquid reads variables by name only): any other renders
    // the same for every channel, and a bot's house style on 10,000 channels is checked once.
    const text = `${templates.firing}\u0000${templates.resolved ?? ''}`;
    const who = text.includes('channel') ? [channel.namespace, channel.name] : [];
    const key = createHash('sha256')
      .update(JSON.stringify([templates.firing, templates.resolved ?? null, timeZone, ...who]))
      .digest('hex');
    const hit = this.remembered.get(key);
    if (hit) return hit;
    const pending = validateTemplates(this.deps.pool, templates, { channel, timeZone });
    this.remembered.set(key, pending);
    if (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    // Only what the text alone decides is remembered. A render stopped by a clock (the deadline, the
    // engine's time limit) or a worker lost may be the machine's load, not the template: it is judged
    // again at the next reconcile, which costs a runaway template one stopped render each time.
    void pending.then((check) => {
      if (!check.ok && !DETERMINED_BY_TEXT.has(check.kind)) this.remembered.delete(key);
    });
    return pending;
  }
}

function invalid(message: string): Verdict {
  return { status: 'False', reason: 'TemplateInvalid', message };
}
