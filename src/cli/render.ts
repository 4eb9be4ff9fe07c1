// `telegram-channel-operator render`: what a channel manifest would send, offline, before it is
// merged. The templates are checked against the built-in samples exactly as the operator checks them
// when applied (TemplateValid), the routes and quiet hours compiled as for RoutesValid; a broken one
// exits 1 with its line and column. Then each message the notification becomes is printed: its route,
// its thread or topic, silent or not, and the text as Telegram shows it.
import { readFile } from 'node:fs/promises';
import { parseHtml } from '../format/html.js';
import { parsedText } from '../format/pieces.js';
import { splitMessage } from '../format/split.js';
import { compileQuietHoursSpec, compileRoutes, RouteSpecError } from '../routing/routes.js';
import type { Notification } from '../sources/notification.js';
import { SOURCES } from '../sources/registry.js';
import type { WebhookSource } from '../sources/source.js';
import { RenderPool } from '../template/pool.js';
import { templateSampleNames, templateSamples } from '../template/samples.js';
import { checkTopicName } from '../template/topicName.js';
import { describeTemplateProblem, validateTemplates } from '../template/validate.js';
import { UsageError, type RenderCommand } from './args.js';
import { CliFailure, EXIT, type CliIO, type ExitCode } from './io.js';
import { readRenderManifest } from './renderManifest.js';
import { renderMessages, type RenderedMessage } from './renderMessages.js';

const DEFAULT_SAMPLE = 'one-alert';

/** Every sample by name: `one-alert` fires, `one-alert-resolved` is its resolved counterpart. */
export function sampleNames(): string[] {
  return templateSampleNames().flatMap((name) => [name, `${name}-resolved`]);
}

export async function runRender(cmd: RenderCommand, io: CliIO): Promise<ExitCode> {
  const text = cmd.file === '-' ? await io.stdin.readAll() : await readText(cmd.file, 'manifest');
  const manifest = readRenderManifest(text, cmd.file);
  const { spec } = manifest;
  let routes;
  let quietHours;
  try {
    routes = compileRoutes(spec.routes);
    quietHours = spec.quietHours ? compileQuietHoursSpec(spec.quietHours) : undefined;
  } catch (e) {
    if (e instanceof RouteSpecError) throw new CliFailure(`spec.${e.message}`, EXIT.failed);
    throw e;
  }
  const notification = cmd.payload !== undefined ? await readPayload(cmd.payload) : sample(cmd.sample ?? DEFAULT_SAMPLE);
  const timeZone = spec.quietHours?.timeZone ?? 'UTC';
  const channel = { namespace: manifest.namespace, name: manifest.name };
  const pool = new RenderPool({ size: 1 });
  try {
    if (manifest.templates) {
      const check = await validateTemplates(pool, manifest.templates, { channel, timeZone });
      if (!check.ok) throw new CliFailure(`${manifest.templates.origin}: ${describeTemplateProblem(check)}`, EXIT.failed);
    }
    for (const route of routes) {
      if (!route.spec.topic) continue;
      const named = await checkTopicName(pool, route.spec.topic.name, timeZone);
      if (!named.ok && named.failure) throw new CliFailure(`spec.routes[${route.index}].topic.name: ${named.what}`, EXIT.failed);
    }
    const messages = await renderMessages(notification, {
      pool,
      spec,
      channel,
      ...(manifest.templates ? { templates: manifest.templates } : {}),
      routes,
      ...(quietHours ? { quietHours } : {}),
      render: (part) => sourceOf(notification).render(part),
      timeZone,
      at: cmd.at ?? new Date(),
    });
    print(messages, cmd.output, io);
    return EXIT.ok;
  } finally {
    await pool.close();
  }
}

function print(messages: RenderedMessage[], output: 'text' | 'html', io: CliIO): void {
  const parts = messages.flatMap((message) => splitMessage(message.html, 'HTML').map((html) => ({ message, html })));
  parts.forEach(({ message, html }, i) => {
    const flags = [
      message.silent ? 'silent' : 'with notification',
      ...(message.templateNote ? ['built-in format: the template failed'] : []),
    ];
    io.out(`── message ${i + 1} of ${parts.length} · ${message.route} → ${message.destination} · ${flags.join(' · ')}`);
    io.out(output === 'html' ? html : shown(html));
    io.out('');
  });
}

/** The text as Telegram displays it: markup applied (dropped here), entities decoded. */
function shown(html: string): string {
  const parsed = parseHtml(html);
  return parsed.ok ? parsedText(parsed.pieces) : html;
}

function sample(name: string): Notification {
  const resolved = name.endsWith('-resolved');
  const base = resolved ? name.slice(0, -'-resolved'.length) : name;
  const found = templateSamples(resolved ? 'resolved' : 'firing').find((candidate) => candidate.name === base);
  if (!found) throw new UsageError(`unknown sample ${JSON.stringify(name)}: the samples are ${sampleNames().join(', ')}`, 'render');
  return found.notification;
}

/** A webhook body of any source: the first source whose parser takes it (Alertmanager's wants version "4"). */
async function readPayload(file: string): Promise<Notification> {
  const text = await readText(file, 'payload');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliFailure(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`, EXIT.failed);
  }
  const refusals: string[] = [];
  for (const source of SOURCES) {
    const parsed = source.parse(json);
    if (parsed.ok) return parsed.notification;
    refusals.push(`as ${source.displayName}'s: ${parsed.error}`);
  }
  throw new CliFailure(`${file} is not a webhook payload the operator takes; ${refusals.join('; ')}`, EXIT.failed);
}

function sourceOf(notification: Notification): WebhookSource {
  const source = SOURCES.find((candidate) => candidate.name === notification.source);
  if (!source) throw new Error(`no webhook source is named ${JSON.stringify(notification.source)}`);
  return source;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliFailure(`cannot read the ${what} ${file}${code ? ` (${code})` : ''}`, EXIT.failed);
  }
}
