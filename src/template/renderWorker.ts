// The inside of a template render worker: the Liquid engine, configured so a user's template can only
// read the data it is given and write escaped text, and the loop that answers render requests.
// This file imports nothing of ours: it runs as dist/template/renderWorker.js in production and as
// this .ts file (Node's type stripping) under the tests, where a relative `.js` import would not
// resolve. Keep it erasable TypeScript only (no enums, no parameter properties).
import { parentPort, workerData } from 'node:worker_threads';
import { Liquid, type Template } from 'liquidjs';

export interface WorkerLimits {
  /** liquidjs' own, cooperative limits: the pool's deadline and memory cap stand behind them. */
  renderLimitMs: number;
  memoryLimit: number;
  parseLimit: number;
  /** Compiled templates kept per worker. */
  cacheSize: number;
  /** Longer output is refused in the worker rather than copied to the main thread. */
  maxOutputChars: number;
}

export interface RenderRequest {
  id: number;
  template: string;
  data: Record<string, unknown>;
  /** IANA zone for the `date` filter. */
  timeZone: string;
  /** `html` escapes every output (a message body); `text` does not (a forum topic's name, shown as typed). */
  format: OutputFormat;
}

export type OutputFormat = 'html' | 'text';

export type RenderErrorKind = 'syntax' | 'filter' | 'render' | 'limit';

export type RenderReply =
  | { ready: true }
  /** `compiled`: this render parsed the template (it was not in the worker's cache). */
  | { id: number; ok: true; output: string; compiled: boolean }
  | { id: number; ok: false; kind: RenderErrorKind; message: string; line?: number; column?: number };

/** Includes, partials and layouts would read files: every lookup fails instead. */
const NO_FILES = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: () => Promise.reject(new Error('templates cannot include files')),
  readFileSync: () => {
    throw new Error('templates cannot include files');
  },
  resolve: (_root: string, file: string) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
  sep: '/',
};

const limits = workerData as WorkerLimits;
const engines = new Map<string, Liquid>();
const compiled = new Map<string, Template[]>();

function engineFor(format: OutputFormat, timeZone: string): Liquid {
  const key = `${format} ${timeZone}`;
  let engine = engines.get(key);
  if (!engine) {
    engine = new Liquid({
      outputEscape: format === 'html' ? 'escape' : undefined,
      ownPropertyOnly: true,
      strictFilters: true,
      fs: NO_FILES,
      root: [],
      partials: [],
      layouts: [],
      relativeReference: false,
      cache: false,
      timezoneOffset: timeZone,
      parseLimit: limits.parseLimit,
      renderLimit: limits.renderLimitMs,
      memoryLimit: limits.memoryLimit,
    });
    if (engines.size >= 16) engines.clear();
    engines.set(key, engine);
  }
  return engine;
}

/** Parses once per (zone, text); least recently used first out. */
function compile(engine: Liquid, engineKey: string, text: string): { templates: Template[]; compiled: boolean } {
  const key = `${engineKey}\u0000${text}`;
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key);
    compiled.set(key, hit);
    return { templates: hit, compiled: false };
  }
  const templates = engine.parse(text);
  if (compiled.size >= limits.cacheSize) {
    const oldest = compiled.keys().next();
    if (!oldest.done) compiled.delete(oldest.value);
  }
  compiled.set(key, templates);
  return { templates, compiled: true };
}

interface LiquidLikeError {
  name?: unknown;
  message?: unknown;
  token?: { getPosition?: () => [number, number] };
}

const UNDEFINED_FILTER = /^undefined filter: /;

/** liquidjs errors carry the token's line and column; their message repeats them, which we drop. */
function explain(error: unknown): Omit<Extract<RenderReply, { ok: false }>, 'id' | 'ok'> {
  const e = (typeof error === 'object' && error !== null ? error : {}) as LiquidLikeError;
  const message = (typeof e.message === 'string' ? e.message : String(error)).replace(/, line:\d+, col:\d+$/, '');
  const position = typeof e.token?.getPosition === 'function' ? e.token.getPosition() : undefined;
  const where = position ? { line: position[0], column: position[1] } : {};
  if (/limit exceeded/.test(message)) return { kind: 'limit', message, ...where };
  if (UNDEFINED_FILTER.test(message)) return { kind: 'filter', message: message.replace(UNDEFINED_FILTER, ''), ...where };
  if (e.name === 'ParseError' || e.name === 'TokenizationError') return { kind: 'syntax', message, ...where };
  return { kind: 'render', message, ...where };
}

function render(request: RenderRequest): RenderReply {
  try {
    const engine = engineFor(request.format, request.timeZone);
    const { templates, compiled } = compile(engine, `${request.format} ${request.timeZone}`, request.template);
    const output = String(engine.renderSync(templates, request.data));
    if (output.length > limits.maxOutputChars) {
      return {
        id: request.id,
        ok: false,
        kind: 'limit',
        message: `the output is ${output.length} characters, over the limit of ${limits.maxOutputChars}`,
      };
    }
    return { id: request.id, ok: true, output, compiled };
  } catch (error) {
    return { id: request.id, ok: false, ...explain(error) };
  }
}

parentPort?.on('message', (request: RenderRequest) => {
  parentPort?.postMessage(render(request));
});
// Starting a worker (loading liquidjs) is not part of any render's deadline.
parentPort?.postMessage({ ready: true });
