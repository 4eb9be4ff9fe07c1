// The messages one notification becomes for one channel, offline: alerts grouped by their first
// matching route (and, on a topic route, by the topic name each alert renders), each group's body from
// the channel's template (or the built-in rendering, with a note when the template fails on this
// payload), mentions added, silence decided by the route, the channel and quiet hours.
import type { ChannelSpec } from '../api/types.js';
import type { RouteSpec } from '../api/words.js';
import { withMentions } from '../format/mentions.js';
import type { QuietHours } from '../routing/quietHours.js';
import type { CompiledRoute } from '../routing/routes.js';
import { messageSilent } from '../routing/silent.js';
import { splitByRoute } from '../routing/split.js';
import { partOf, type Notification, type NotificationAlert } from '../sources/notification.js';
import { renderBody } from '../template/body.js';
import type { RenderPool } from '../template/pool.js';
import { renderTopicName } from '../template/topicName.js';

export interface RenderedMessage {
  /** Where it goes, in words: the route and its destination. */
  route: string;
  destination: string;
  silent: boolean;
  /** Why the body is the built-in one although the channel has a template. */
  templateNote?: string;
  html: string;
}

export interface MessageInputs {
  pool: Pick<RenderPool, 'render'>;
  spec: ChannelSpec;
  channel: { namespace: string; name: string };
  templates?: { firing: string; resolved?: string };
  routes: CompiledRoute<RouteSpec>[];
  quietHours?: QuietHours;
  /** The built-in rendering of the notification's source, for any part of it. */
  render: (notification: Notification) => string;
  timeZone: string;
  at: Date;
}

export async function renderMessages(notification: Notification, inputs: MessageInputs): Promise<RenderedMessage[]> {
  const messages: RenderedMessage[] = [];
  for (const group of splitByRoute(notification.alerts, inputs.routes)) {
    const route = group.route;
    const routeName = route ? `routes[${route.index}] (${route.spec.matchers.join(', ') || 'every alert'})` : 'no route matched';
    for (const { destination, alerts } of await destinations(group.alerts, route, inputs)) {
      const part = alerts.length === notification.alerts.length ? notification : partOf(notification, alerts);
      const builtIn = () => inputs.render(part);
      const body = inputs.templates
        ? await renderBody(part, builtIn, {
            pool: inputs.pool,
            templates: inputs.templates,
            channel: inputs.channel,
            timeZone: inputs.timeZone,
          })
        : { templated: true as const, html: builtIn() };
      const silent = messageSilent(alerts, {
        channelSilent: inputs.spec.disableNotification,
        routeSilent: route?.spec.silent ?? false,
        ...(inputs.quietHours ? { quietHours: inputs.quietHours } : {}),
        at: inputs.at,
      });
      messages.push({
        route: routeName,
        destination,
        silent,
        ...(body.templated ? {} : { templateNote: body.problem }),
        html: withMentions(body.html, route?.spec.mention ?? []),
      });
    }
  }
  return messages;
}

/** A route's alerts by destination: one thread, or on a topic route one topic per rendered name. */
async function destinations(
  alerts: NotificationAlert[],
  route: CompiledRoute<RouteSpec> | undefined,
  inputs: MessageInputs,
): Promise<{ destination: string; alerts: NotificationAlert[] }[]> {
  const own = inputs.spec.messageThreadId ? `the channel's thread ${inputs.spec.messageThreadId}` : "the channel's own thread";
  if (!route) return [{ destination: own, alerts }];
  if (route.spec.messageThreadId !== undefined) return [{ destination: `topic ${route.spec.messageThreadId}`, alerts }];
  const byName = new Map<string, NotificationAlert[]>();
  for (const alert of alerts) {
    const named = await renderTopicName(inputs.pool, route.spec.topic?.name ?? '', alert, inputs.timeZone);
    // A name Telegram would refuse creates no topic: those alerts stay in the channel's own thread.
    const destination = named.ok ? `topic "${named.name}" (found or created by name)` : `${own} (${named.what})`;
    byName.set(destination, [...(byName.get(destination) ?? []), alert]);
  }
  return [...byName].map(([destination, grouped]) => ({ destination, alerts: grouped }));
}
