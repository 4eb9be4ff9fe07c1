// What one notification becomes in one channel's chat: its alerts grouped by their first matching
// route (spec.routes), each group one message with its own episode, its thread, its sound (the route's
// `silent`, quiet hours) and its mentions, and each body from the channel's template (its own, else its
// bot's defaults.template). A template that fails on this notification costs its alerts only the
// format: the source's built-in rendering goes out with one line saying why, a Warning Event
// (TemplateFailed, at most one per channel per TEMPLATE_EVENT_EVERY_MS) and the failures metric.
import { type ChannelSpec, type ClusterTelegramBot, type TelegramChannel } from '../api/types.js';
import type { RouteSpec } from '../api/words.js';
import { withMentions } from '../format/mentions.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../observability/log.js';
import type { QuietHours } from '../routing/quietHours.js';
import { compileQuietHoursSpec, compileRoutes, type CompiledRoute } from '../routing/routes.js';
import { messageSilent } from '../routing/silent.js';
import { splitByRoute } from '../routing/split.js';
import { partOf, type Notification, type NotificationAlert } from '../sources/notification.js';
import { fallback, renderBody, type Body, type BodyFailureKind } from '../template/body.js';
import type { RenderPool } from '../template/pool.js';
import { readTemplates, templateSource, usableTimeZone, type TemplateConfigMapRead } from '../template/source.js';
import { renderTopicName } from '../template/topicName.js';
import type { Templates } from '../template/validate.js';

/** A channel whose template keeps failing says so in its Events this often at most; the log and the metric count every failure. */
export const TEMPLATE_EVENT_EVERY_MS = 10 * 60_000;
/** Channels whose last TemplateFailed Event time is remembered; the oldest is forgotten beyond it. */
const MAX_EVENT_TIMES = 4096;

export interface ComposedMessage {
  /** Added to the notification's group key: a routed message is its own episode (edits, buttons, silences). */
  episodeSuffix: string;
  /** The notification narrowed to this message's alerts (an alert's image goes with its own message). */
  part: Notification;
  /** Of the message's alerts: firing while any fires. */
  status: Notification['status'];
  commonLabels: Record<string, string>;
  /** Telegram HTML, whole (split by the caller). */
  html: string;
  /** Undefined: the chat itself (General in a forum). On a topic route, the channel's own thread, used when the topic cannot be. */
  messageThreadId?: number;
  /** A topic route's name for these alerts: the forum topic to find or create. */
  topicName?: string;
  silent: boolean;
}

/** What the composer reads of a notification on its way to a channel. */
export interface ComposeInput {
  channel: TelegramChannel;
  /** The channel's spec as the delivery resolved it. */
  spec: ChannelSpec;
  notification: Notification;
  /** The source's built-in rendering of the whole notification. */
  html: string;
  /** The source's built-in rendering, for any part of the notification. */
  render: (notification: Notification) => string;
}

export type TemplateFailureReason = BodyFailureKind;

export interface ComposerDeps {
  pool: Pick<RenderPool, 'render'>;
  readConfigMap: TemplateConfigMapRead;
  /** Undefined when the operator does not serve ClusterTelegramBots. */
  getBot?: (name: string) => ClusterTelegramBot | undefined;
  recordEvent: EventRecorder;
  /** Counts one notification whose template failed (the metric). */
  templateFailed: (labels: { namespace: string; name: string; reason: TemplateFailureReason }) => void;
  log: Logger;
  now?: () => number;
}

export class NotificationComposer {
  private readonly eventAt = new Map<string, number>();

  constructor(private readonly deps: ComposerDeps) {}

  async compose(input: ComposeInput): Promise<ComposedMessage[]> {
    const { channel, notification } = input;
    const spec = input.spec;
    const at = new Date(this.now());
    const { routes, quietHours } = compiled(spec);
    const templates = await this.templates(channel, spec);
    const groups = splitByRoute(notification.alerts, routes);
    const messages: ComposedMessage[] = [];
    let failure: { problem: string; kind: TemplateFailureReason } | undefined;
    for (const group of await this.byTopic(groups, spec)) {
      const route = group.route;
      const part =
        groups.length === 1 && group.alerts.length === notification.alerts.length ? notification : partOf(notification, group.alerts);
      const builtIn = () => (part === notification ? input.html : input.render(part));
      const body = await this.body(part, builtIn, templates, channel, spec);
      if (!body.templated) failure ??= { problem: body.problem, kind: body.kind };
      const silent = messageSilent(group.alerts, {
        channelSilent: spec.disableNotification,
        routeSilent: route?.spec.silent ?? false,
        ...(quietHours ? { quietHours } : {}),
        at,
      });
      messages.push({
        episodeSuffix: route ? `#routes[${route.index}]${group.topicName !== undefined ? `:${group.topicName}` : ''}` : '',
        part,
        status: part.status,
        commonLabels: { ...part.commonLabels },
        html: withMentions(body.html, route?.spec.mention ?? []),
        ...threadOf(spec, route),
        ...(group.topicName !== undefined ? { topicName: group.topicName } : {}),
        silent,
      });
    }
    if (failure) this.report(channel, failure);
    return messages;
  }

  /** A topic route's alerts grouped by the name each renders; a name that fails or is out of bounds: the channel's own thread. */
  private async byTopic(
    groups: { route?: CompiledRoute<RouteSpec>; alerts: NotificationAlert[] }[],
    spec: ChannelSpec,
  ): Promise<{ route?: CompiledRoute<RouteSpec>; alerts: NotificationAlert[]; topicName?: string }[]> {
    const out: { route?: CompiledRoute<RouteSpec>; alerts: NotificationAlert[]; topicName?: string }[] = [];
    const timeZone = usableTimeZone(spec.quietHours?.timeZone);
    for (const group of groups) {
      const template = group.route?.spec.topic?.name;
      if (template === undefined) {
        out.push(group);
        continue;
      }
      const byName = new Map<string | undefined, NotificationAlert[]>();
      for (const alert of group.alerts) {
        const named = await renderTopicName(this.deps.pool, template, alert, timeZone);
        const key = named.ok ? named.name : undefined;
        byName.set(key, [...(byName.get(key) ?? []), alert]);
      }
      for (const [name, alerts] of byName) out.push({ ...group, alerts, ...(name !== undefined ? { topicName: name } : {}) });
    }
    return out;
  }

  private async templates(channel: TelegramChannel, spec: ChannelSpec): Promise<Templates | { problem: string } | undefined> {
    const source = templateSource(channel.metadata.namespace, spec, this.deps.getBot);
    if (!source) return undefined;
    try {
      const read = await readTemplates(source, this.deps.readConfigMap);
      return 'problem' in read ? { problem: `${read.where}: ${read.problem}` } : read.templates;
    } catch {
      // The API server did not answer the ConfigMap's read: the alert must not wait for it.
      return { problem: `${source.origin}: its ConfigMap could not be read` };
    }
  }

  private body(
    part: Notification,
    builtIn: () => string,
    templates: Templates | { problem: string } | undefined,
    channel: TelegramChannel,
    spec: ChannelSpec,
  ): Promise<Body> | Body {
    if (!templates) return { templated: true, html: builtIn() };
    if ('problem' in templates) return fallback(builtIn(), `the template could not be used: ${templates.problem}`, 'unreadable');
    const who = { namespace: channel.metadata.namespace, name: channel.metadata.name };
    return renderBody(part, builtIn, {
      pool: this.deps.pool,
      templates,
      channel: who,
      timeZone: usableTimeZone(spec.quietHours?.timeZone),
    });
  }

  private report(channel: TelegramChannel, failure: { problem: string; kind: TemplateFailureReason }): void {
    const { namespace, name } = channel.metadata;
    this.deps.templateFailed({ namespace, name, reason: failure.kind });
    this.deps.log.warn({ namespace, name, reason: failure.kind, problem: failure.problem }, 'template failed: sent in the built-in format');
    const key = `${namespace}/${name}`;
    const last = this.eventAt.get(key);
    const now = this.now();
    if (last !== undefined && now - last < TEMPLATE_EVENT_EVERY_MS) return;
    this.eventAt.delete(key);
    this.eventAt.set(key, now);
    if (this.eventAt.size > MAX_EVENT_TIMES) this.eventAt.delete(this.eventAt.keys().next().value!);
    this.deps.recordEvent(channel, 'Warning', 'TemplateFailed', `${failure.problem}; the notification went out in the built-in format`);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

/** Routes and quiet hours that do not compile are RoutesValid's to report: meanwhile every alert goes to the channel's own thread. */
function compiled(spec: ChannelSpec): { routes: CompiledRoute<RouteSpec>[]; quietHours?: QuietHours } {
  let routes: CompiledRoute<RouteSpec>[];
  let quietHours: QuietHours | undefined;
  try {
    routes = compileRoutes(spec.routes);
  } catch {
    routes = [];
  }
  try {
    quietHours = spec.quietHours ? compileQuietHoursSpec(spec.quietHours) : undefined;
  } catch {
    quietHours = undefined;
  }
  return quietHours ? { routes, quietHours } : { routes };
}

/** A route by id sends to its topic; no route to the channel's own thread, as does a topic route when its topic cannot be used. */
function threadOf(spec: ChannelSpec, route: CompiledRoute<RouteSpec> | undefined): { messageThreadId?: number } {
  const thread = route?.spec.messageThreadId ?? spec.messageThreadId;
  return thread !== undefined ? { messageThreadId: thread } : {};
}
