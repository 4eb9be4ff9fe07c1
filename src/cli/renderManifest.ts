// What `render` reads: one YAML file (or stream) holding the TelegramChannel, and the ConfigMap or
// ClusterTelegramBot its template comes from when that is not inline, so a GitOps repository can
// check a change offline exactly as it will be applied.
import { loadAllYaml } from '@kubernetes/client-node';
import { BOT_KIND, KIND } from '../api/contract.js';
import { parseBotSpec, parseSpec, type ChannelSpec } from '../api/types.js';
import { LABEL_TEMPLATE_CONFIGMAP, MAX_TEMPLATE_BYTES, type TemplateSpec } from '../api/words.js';
import { CliFailure, EXIT } from './io.js';

interface ManifestObject {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };
  spec?: unknown;
  data?: unknown;
}

export interface RenderManifest {
  namespace: string;
  name: string;
  spec: ChannelSpec;
  /** The templates in force, with where they came from; undefined: the built-in rendering. */
  templates?: { firing: string; resolved?: string; origin: string };
}

export function readRenderManifest(text: string, file: string): RenderManifest {
  let docs: ManifestObject[];
  try {
    docs = (loadAllYaml(text) as unknown[]).filter((doc): doc is ManifestObject => typeof doc === 'object' && doc !== null);
  } catch (e) {
    throw new CliFailure(`${file} is not YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, EXIT.failed);
  }
  const channels = docs.filter((doc) => doc.kind === KIND);
  if (channels.length !== 1) {
    throw new CliFailure(`${file} must hold exactly one ${KIND}; it holds ${channels.length}`, EXIT.failed);
  }
  const channel = channels[0]!;
  const namespace = typeof channel.metadata?.namespace === 'string' ? channel.metadata.namespace : 'default';
  const name = typeof channel.metadata?.name === 'string' ? channel.metadata.name : 'channel';
  const parsed = parseSpec(channel.spec);
  if (!parsed.ok) throw new CliFailure(`${KIND} ${namespace}/${name}: ${parsed.message}`, EXIT.failed);
  const spec = parsed.spec;
  const found = templateSource(spec, docs, namespace);
  if (!found) return { namespace, name, spec };
  return {
    namespace,
    name,
    spec,
    templates: { ...inlineOrConfigMap(found.template, docs, found.namespace, found.origin), origin: found.origin },
  };
}

function templateSource(
  spec: ChannelSpec,
  docs: ManifestObject[],
  namespace: string,
): { template: TemplateSpec; origin: string; namespace: string } | undefined {
  if (spec.template) return { template: spec.template, origin: 'spec.template', namespace };
  if (!spec.botRef) return undefined;
  const bot = docs.find((doc) => doc.kind === BOT_KIND && doc.metadata?.name === spec.botRef?.name);
  if (!bot) return undefined;
  const parsed = parseBotSpec(bot.spec);
  if (!parsed.ok) throw new CliFailure(`${BOT_KIND} ${spec.botRef.name}: ${parsed.message}`, EXIT.failed);
  const template = parsed.spec.defaults?.template;
  if (!template) return undefined;
  return { template, origin: `${BOT_KIND} ${spec.botRef.name} spec.defaults.template`, namespace: parsed.spec.tokenSecretRef.namespace };
}

function inlineOrConfigMap(
  template: TemplateSpec,
  docs: ManifestObject[],
  namespace: string,
  origin: string,
): { firing: string; resolved?: string } {
  const ref = template.configMapRef;
  if (!ref) return { firing: template.firing ?? '', ...(template.resolved !== undefined ? { resolved: template.resolved } : {}) };
  const cm = docs.find(
    (doc) => doc.kind === 'ConfigMap' && doc.metadata?.name === ref.name && (doc.metadata?.namespace ?? namespace) === namespace,
  );
  if (!cm) {
    throw new CliFailure(
      `${origin} names ConfigMap ${namespace}/${ref.name}: put that ConfigMap in the same file to render offline`,
      EXIT.failed,
    );
  }
  // The operator reads only ConfigMaps opted in with this label: CI says so before the merge.
  if (cm.metadata?.labels?.[LABEL_TEMPLATE_CONFIGMAP] !== 'true') {
    throw new CliFailure(
      `ConfigMap ${namespace}/${ref.name} is not labelled ${LABEL_TEMPLATE_CONFIGMAP}: "true": the operator reads only ConfigMaps opted in with that label`,
      EXIT.failed,
    );
  }
  const data = (typeof cm.data === 'object' && cm.data !== null ? cm.data : {}) as Record<string, unknown>;
  const value = (key: string): string => {
    const text = data[key];
    if (typeof text !== 'string') throw new CliFailure(`ConfigMap ${namespace}/${ref.name} has no key "${key}"`, EXIT.failed);
    if (Buffer.byteLength(text, 'utf8') > MAX_TEMPLATE_BYTES) {
      throw new CliFailure(
        `ConfigMap ${namespace}/${ref.name} key "${key}" is over the ${MAX_TEMPLATE_BYTES / 1024} KiB a template may have`,
        EXIT.failed,
      );
    }
    return text;
  };
  return { firing: value(ref.firingKey), ...(ref.resolvedKey ? { resolved: value(ref.resolvedKey) } : {}) };
}
