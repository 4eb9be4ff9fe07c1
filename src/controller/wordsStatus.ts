// The conditions of "Your words, your topics" (SPEC): TemplateValid and RoutesValid, computed from the
// spec, the templates' render against the built-in samples and what the last verification learnt about
// the chat's forum. Neither touches Ready: a broken template or route costs its alerts the built-in
// format or the channel's own thread, never the channel.
import { ConditionTypes, type Verdict } from '../api/contract.js';
import { removeCondition, setCondition } from '../api/conditions.js';
import { parseSpec, type ChannelSpec, type Condition, type TelegramChannel } from '../api/types.js';
import { compileQuietHoursSpec, compileRoutes, RouteSpecError } from '../routing/routes.js';
import type { VerifyResult } from '../telegram/verifier.js';
import { usableTimeZone } from '../template/source.js';
import { checkTopicName } from '../template/topicName.js';
import type { StatusContributor } from './statusContributor.js';
import { TemplateVerdicts, type TemplateOutcome, type TemplateVerdictDeps } from './templateVerdict.js';

export type WordsStatusDeps = TemplateVerdictDeps;

/** Per condition: a verdict to write, undefined to remove it, `keep` to leave it as it is. */
export type WordsVerdicts = Record<typeof ConditionTypes.TemplateValid | typeof ConditionTypes.RoutesValid, TemplateOutcome>;

export class WordsStatus {
  private readonly templates: TemplateVerdicts;

  constructor(private readonly deps: WordsStatusDeps) {
    this.templates = new TemplateVerdicts(deps);
  }

  /** `verified`: the channel's last verification, if its chat was checked. */
  async verdicts(ch: TelegramChannel, verified: VerifyResult | undefined): Promise<WordsVerdicts> {
    const parsed = parseSpec(ch.spec);
    // An unreadable spec is Ready's to report (InvalidSpec); nothing here can be judged.
    if (!parsed.ok) return { [ConditionTypes.TemplateValid]: undefined, [ConditionTypes.RoutesValid]: undefined };
    const spec = parsed.spec;
    const timeZone = usableTimeZone(spec.quietHours?.timeZone);
    return {
      [ConditionTypes.TemplateValid]: await this.templates.verdict(ch.metadata.namespace, ch.metadata.name, spec, timeZone),
      [ConditionTypes.RoutesValid]: await this.routesVerdict(spec, verified, timeZone),
    };
  }

  private async routesVerdict(spec: ChannelSpec, verified: VerifyResult | undefined, timeZone: string): Promise<TemplateOutcome> {
    if (spec.routes.length === 0 && !spec.quietHours) return undefined;
    try {
      compileRoutes(spec.routes);
      if (spec.quietHours) compileQuietHoursSpec(spec.quietHours);
    } catch (error) {
      if (error instanceof RouteSpecError) return { status: 'False', reason: 'RouteInvalid', message: error.message };
      throw error;
    }
    const topicRoutes = spec.routes.flatMap((route, index) => (route.topic ? [{ index, name: route.topic.name }] : []));
    for (const route of topicRoutes) {
      const checked = await checkTopicName(this.deps.pool, route.name, timeZone);
      if (!checked.ok && checked.failure?.kind === 'closed') return 'keep';
      if (!checked.ok) return { status: 'False', reason: 'RouteInvalid', message: `routes[${route.index}].topic.name: ${checked.what}` };
    }
    const summary = describeRoutes(spec);
    if (topicRoutes.length === 0) return { status: 'True', reason: 'Verified', message: summary };
    return topicsVerdict(
      verified,
      topicRoutes.map((route) => route.index),
      summary,
    );
  }
}

/** TemplateValid and RoutesValid as a part of the channel's status, judged on verification's last result. */
export function wordsStatus(
  words: Pick<WordsStatus, 'verdicts'>,
  verification: { lastResult(key: string): VerifyResult | undefined },
): StatusContributor {
  return {
    name: 'words',
    async contribute(ctx) {
      const verdicts = await words.verdicts(ctx.channel, verification.lastResult(ctx.key));
      return { status: { ...ctx.status, conditions: applyWordsVerdicts(ctx.status.conditions ?? [], verdicts, ctx.generation, ctx.now) } };
    },
    forget: () => undefined,
  };
}

/** Writes, removes or keeps each condition; no verdicts (the feature is not wired) leaves them all. */
export function applyWordsVerdicts(
  conditions: Condition[],
  verdicts: WordsVerdicts | undefined,
  generation: number,
  now: string,
): Condition[] {
  if (!verdicts) return conditions;
  let next = conditions;
  for (const [type, outcome] of Object.entries(verdicts) as [keyof WordsVerdicts, TemplateOutcome][]) {
    if (outcome === 'keep') continue;
    next = outcome ? setCondition(next, { type, ...outcome }, generation, now) : removeCondition(next, type);
  }
  return next;
}

/** A `topic` route needs a forum and the bot's can_manage_topics, as the last verification saw them. */
function topicsVerdict(verified: VerifyResult | undefined, indexes: number[], summary: string): Verdict {
  const which = `routes ${indexes.map((i) => `[${i}]`).join(', ')} name forum topics`;
  const meanwhile = "those alerts go to the channel's own thread meanwhile";
  if (!verified || verified.chat.status !== 'True') {
    return {
      status: 'Unknown',
      reason: 'TopicsNotManageable',
      message: `${which}: not checked until the chat is verified (see Ready); ${meanwhile}`,
    };
  }
  if (!verified.topics?.isForum) {
    return {
      status: 'False',
      reason: 'TopicsNotManageable',
      message: `${which}, but the chat is not a forum (turn on Topics in the group's settings); ${meanwhile}`,
    };
  }
  if (!verified.topics.canManageTopics) {
    return {
      status: 'False',
      reason: 'TopicsNotManageable',
      message: `${which}, but the bot may not create topics: make it an administrator with the "Manage topics" right (can_manage_topics); ${meanwhile}`,
    };
  }
  return { status: 'True', reason: 'Verified', message: `${summary}; the chat is a forum and the bot can manage its topics` };
}

function describeRoutes(spec: ChannelSpec): string {
  const parts = [];
  if (spec.routes.length) parts.push(`${spec.routes.length} route${spec.routes.length === 1 ? '' : 's'} compiled`);
  if (spec.quietHours) parts.push(`quiet hours ${spec.quietHours.from}-${spec.quietHours.to} ${spec.quietHours.timeZone}`);
  return parts.join('; ');
}
