// spec.routes and spec.quietHours compiled once per spec: every matcher parsed (its problem named by
// route, matcher and position), the quiet-hours window and zone checked. The topic name, a Liquid
// template, is the template pool's to check (src/template/topicName.ts).
import { MatcherParseError, parseMatchers, type Matcher } from './matchers.js';
import { compileQuietHours, QuietHoursError, type QuietHours, type QuietHoursSpec } from './quietHours.js';

/** What a route is made of, as the spec gives it (src/api/words.ts), without its destination's meaning. */
export interface RouteInput {
  matchers: readonly string[];
}

export interface CompiledRoute<R extends RouteInput = RouteInput> {
  /** The route as written, for its destination (thread, topic, silent, mention). */
  readonly spec: R;
  /** 0-based, as in `spec.routes[index]`. */
  readonly index: number;
  /** Every list of every entry, flattened: all must match. */
  readonly matchers: readonly Matcher[];
}

export class RouteSpecError extends Error {
  /** Where, e.g. `routes[1].matchers[0]` or `quietHours.timeZone`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'RouteSpecError';
    this.field = field;
  }
}

/** Throws RouteSpecError on the first matcher that does not parse. */
export function compileRoutes<R extends RouteInput>(routes: readonly R[]): CompiledRoute<R>[] {
  return routes.map((spec, index) => ({
    spec,
    index,
    matchers: spec.matchers.flatMap((text, m) => {
      try {
        return parseMatchers(text);
      } catch (error) {
        if (error instanceof MatcherParseError) throw new RouteSpecError(`routes[${index}].matchers[${m}]`, error.message);
        throw error;
      }
    }),
  }));
}

/** Throws RouteSpecError when the window, the zone or an `except` matcher is wrong. */
export function compileQuietHoursSpec(spec: QuietHoursSpec): QuietHours {
  try {
    return compileQuietHours(spec);
  } catch (error) {
    if (error instanceof QuietHoursError)
      throw new RouteSpecError(`quietHours.${error.field}`, error.message.replace(/^quietHours\.[^:]+: /, ''));
    throw error;
  }
}
