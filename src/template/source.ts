// Which templates a channel uses and their text: its own spec.template, else its ClusterTelegramBot's
// spec.defaults.template, written inline or kept in a ConfigMap opted in with a label. Shared by the
// TemplateValid check and the sending path, so both read exactly the same text.
import { parseBotSpec, type ChannelSpec, type ClusterTelegramBot } from '../api/types.js';
import { LABEL_TEMPLATE_CONFIGMAP, MAX_TEMPLATE_BYTES, type TemplateSpec } from '../api/words.js';
import type { Templates } from './validate.js';

/** A live read of one ConfigMap (kube/templateConfigMaps.ts); rejects when the API server does not answer. */
export type TemplateConfigMapRead = (
  namespace: string,
  name: string,
) => Promise<{ found: true; data: Record<string, string>; labels: Record<string, string> } | { found: false; message: string }>;

export interface TemplateSource {
  template: TemplateSpec;
  /** Where it was written, for messages: `spec.template` or the bot's defaults. */
  origin: string;
  /** Where its ConfigMap lives. */
  namespace: string;
}

export type TemplateRead = { templates: Templates; where: string } | { problem: string; where: string };

/** The template a channel in `namespace` uses, or undefined when it uses none. */
export function templateSource(
  namespace: string,
  spec: ChannelSpec,
  getBot: ((name: string) => ClusterTelegramBot | undefined) | undefined,
): TemplateSource | undefined {
  if (spec.template) return { template: spec.template, origin: 'spec.template', namespace };
  if (!spec.botRef || !getBot) return undefined;
  const bot = getBot(spec.botRef.name);
  const parsed = bot ? parseBotSpec(bot.spec) : undefined;
  const template = parsed?.ok ? parsed.spec.defaults?.template : undefined;
  if (!parsed?.ok || !template) return undefined;
  return {
    template,
    origin: `ClusterTelegramBot ${spec.botRef.name} spec.defaults.template`,
    namespace: parsed.spec.tokenSecretRef.namespace,
  };
}

/** The template text, or the problem that keeps it from being used (a ConfigMap missing, unlabelled, a key absent or too big). */
export async function readTemplates(source: TemplateSource, readConfigMap: TemplateConfigMapRead): Promise<TemplateRead> {
  const { template, origin } = source;
  const ref = template.configMapRef;
  if (!ref) return { templates: { firing: template.firing ?? '', resolved: template.resolved }, where: origin };
  const where = `${origin} (ConfigMap ${source.namespace}/${ref.name})`;
  const cm = await readConfigMap(source.namespace, ref.name);
  if (!cm.found) return { problem: cm.message, where };
  // Checked before any key is read: an unlabelled ConfigMap's data appears nowhere, not even in an error.
  if (cm.labels[LABEL_TEMPLATE_CONFIGMAP] !== 'true') {
    return {
      problem: `the ConfigMap is not labelled ${LABEL_TEMPLATE_CONFIGMAP}=true: only ConfigMaps opted in with that label are read as templates`,
      where,
    };
  }
  const keys = [ref.firingKey, ...(ref.resolvedKey ? [ref.resolvedKey] : [])];
  for (const key of keys) {
    const text = cm.data[key];
    if (text === undefined) return { problem: `the ConfigMap has no key "${key}"`, where };
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_TEMPLATE_BYTES) {
      return { problem: `key "${key}" is ${bytes} bytes, over the ${MAX_TEMPLATE_BYTES / 1024} KiB a template may have`, where };
    }
  }
  return { templates: { firing: cm.data[ref.firingKey]!, resolved: ref.resolvedKey ? cm.data[ref.resolvedKey] : undefined }, where };
}

/** The zone templates format times in: quietHours.timeZone when it exists (RoutesValid reports it otherwise), else UTC. */
export function usableTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}
