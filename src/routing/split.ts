// One notification, many destinations: each alert goes to the first route all of whose matchers match
// it, and alerts that match none stay in the channel's own thread. Each group becomes its own message
// (and its own episode), so a mixed-severity notification lands in as many topics as it names.
import { matchesAll } from './matchers.js';
import type { CompiledRoute, RouteInput } from './routes.js';

export interface LabelledAlert {
  labels: Readonly<Record<string, string>>;
}

export interface RouteGroup<A extends LabelledAlert, R extends RouteInput> {
  /** Undefined: no route matched; these go to the channel's own thread. */
  route?: CompiledRoute<R>;
  alerts: A[];
}

/** The first route whose matchers all match, or undefined. */
export function routeOf<R extends RouteInput>(
  routes: readonly CompiledRoute<R>[],
  labels: Readonly<Record<string, string>>,
): CompiledRoute<R> | undefined {
  return routes.find((route) => matchesAll(route.matchers, labels));
}

/**
 * Groups `alerts` by the first route each matches, in the order the routes are listed, the unrouted
 * group last; alerts keep their order inside a group, and no group is empty.
 */
export function splitByRoute<A extends LabelledAlert, R extends RouteInput>(
  alerts: readonly A[],
  routes: readonly CompiledRoute<R>[],
): RouteGroup<A, R>[] {
  const byRoute = new Map<number, A[]>();
  for (const alert of alerts) {
    const index = routeOf(routes, alert.labels)?.index ?? -1;
    const group = byRoute.get(index);
    if (group) group.push(alert);
    else byRoute.set(index, [alert]);
  }
  const groups: RouteGroup<A, R>[] = routes
    .filter((route) => byRoute.has(route.index))
    .map((route) => ({ route, alerts: byRoute.get(route.index)! }));
  const unrouted = byRoute.get(-1);
  if (unrouted) groups.push({ alerts: unrouted });
  return groups;
}
