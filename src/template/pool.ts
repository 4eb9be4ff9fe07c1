// A small pool of worker threads that render Liquid templates. liquidjs' own limits are cooperative
// (its security model says so, and two 2026 CVEs bypassed them), so a render here also runs off the
// event loop that serves webhooks, reconciles and health checks, under a memory cap and a hard
// deadline: a worker that overruns either is terminated and replaced, and only its render fails.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OutputFormat, RenderErrorKind, RenderReply, RenderRequest, WorkerLimits } from './renderWorker.js';

export const DEFAULT_POOL_SIZE = 2;
/** Wall-clock time one render may take, queueing excluded. */
export const DEFAULT_DEADLINE_MS = 1_000;
/**
 * V8 old generation per worker; the pod's 256 Mi also holds the main heap and every worker's baseline.
 * Node ignores it when the process runs with --max-old-space-size (docs/architecture.md).
 */
export const DEFAULT_MAX_OLD_GENERATION_MB = 32;
const MAX_YOUNG_GENERATION_MB = 8;
const STACK_SIZE_MB = 4;
/** A worker that dies before it is ready (a broken install) is restarted after this, not in a tight loop. */
const RESTART_AFTER_START_FAILURE_MS = 1_000;
export const DEFAULT_WORKER_LIMITS: WorkerLimits = {
  renderLimitMs: 500,
  // Well under the heap cap: liquidjs counts only what its memory-sensitive filters allocate.
  memoryLimit: 8 * 1024 * 1024,
  parseLimit: 1024 * 1024,
  cacheSize: 64,
  // Far above what fits in a few Telegram messages (4,096 characters each), far below what hurts.
  maxOutputChars: 256 * 1024,
};

export type RenderFailureKind = RenderErrorKind | 'timeZone' | 'deadline' | 'memory' | 'crashed' | 'closed';

export interface RenderFailure {
  kind: RenderFailureKind;
  message: string;
  /** 1-based, in the template text, when the engine knows where. */
  line?: number;
  column?: number;
}

export type RenderResult = { ok: true; output: string } | { ok: false; failure: RenderFailure };

export interface RenderPoolOptions {
  size?: number;
  deadlineMs?: number;
  maxOldGenerationSizeMb?: number;
  /** liquidjs' cooperative limits; tests turn them off to prove the deadline and cap hold alone. */
  workerLimits?: Partial<WorkerLimits>;
  /** The worker's module; tests substitute one that fails to start. */
  workerUrl?: URL;
}

export interface RenderJob {
  template: string;
  data: Record<string, unknown>;
  /** IANA zone the `date` filter formats in; UTC when absent. */
  timeZone?: string;
  /** `html` (the default) escapes every output; `text` is for plain-text names such as forum topics. */
  format?: OutputFormat;
}

interface Task {
  request: RenderRequest;
  resolve: (result: RenderResult) => void;
}

interface Slot {
  worker: Worker;
  /** Loaded and listening: a render's deadline starts only then. */
  ready: boolean;
  restart?: NodeJS.Timeout;
  task?: Task;
  deadline?: NodeJS.Timeout;
}

/**
 * The compiled file next to this one in dist/, or this folder's .ts source when running from src/
 * (the tests), which Node runs by stripping its types.
 */
function workerFile(): URL {
  const compiled = new URL('./renderWorker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : new URL('./renderWorker.ts', import.meta.url);
}

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly deadlineMs: number;
  private readonly limits: WorkerLimits;
  private readonly maxOldGenerationSizeMb: number;
  private readonly file: URL;
  private readonly size: number;
  private nextId = 1;
  private closed = false;
  /** Workers terminated and replaced because a render overran or crashed them. */
  replacedWorkers = 0;
  /** Successful renders that had to parse their template (each worker caches what it parsed). */
  compilations = 0;

  constructor(options: RenderPoolOptions = {}) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.maxOldGenerationSizeMb = options.maxOldGenerationSizeMb ?? DEFAULT_MAX_OLD_GENERATION_MB;
    this.limits = { ...DEFAULT_WORKER_LIMITS, ...options.workerLimits };
    this.file = options.workerUrl ?? workerFile();
    const size = options.size ?? DEFAULT_POOL_SIZE;
    if (!Number.isInteger(size) || size < 1) throw new Error(`template render pool size must be a positive integer, got ${size}`);
    this.size = size;
  }

  /** Worker threads started so far: none until the first render. */
  get startedWorkers(): number {
    return this.slots.length;
  }

  /** Renders in the first free worker. Never rejects: every failure is a result. */
  render(job: RenderJob): Promise<RenderResult> {
    if (this.closed) return Promise.resolve(failed('closed', 'the template render pool is closed'));
    const timeZone = job.timeZone ?? 'UTC';
    // Checked here, or the engine would blame the template's first `date` filter for it.
    if (!isTimeZone(timeZone)) return Promise.resolve(failed('timeZone', `unknown time zone ${JSON.stringify(timeZone)}`));
    return new Promise((resolve) => {
      const format = job.format ?? 'html';
      const request: RenderRequest = { id: this.nextId++, template: job.template, data: job.data, timeZone, format };
      this.queue.push({ request, resolve });
      this.startWorkers();
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running renders end as `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.resolve(failed('closed', 'the template render pool is closed'));
    await Promise.all(
      this.slots.map((slot) => {
        clearTimeout(slot.restart);
        this.finish(slot, failed('closed', 'the template render pool is closed'));
        return slot.worker.terminate();
      }),
    );
  }

  /**
   * The workers start with the first render, not with the pool: an idle worker holds about 12 MB, and
   * an operator whose channels use no template (and no topic names) never needs one.
   */
  private startWorkers(): void {
    while (this.slots.length < this.size) this.slots.push({ worker: this.startWorker(), ready: false });
  }

  private startWorker(): Worker {
    const worker = new Worker(this.file, {
      // None of the parent's flags: one meant for the main script (--input-type, a loader) can keep
      // the worker from starting, and none of them is needed to render.
      execArgv: [],
      workerData: this.limits,
      resourceLimits: {
        maxOldGenerationSizeMb: this.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: MAX_YOUNG_GENERATION_MB,
        stackSizeMb: STACK_SIZE_MB,
      },
    });
    // An idle pool must not keep the process alive; a busy worker does (see dispatch).
    worker.unref();
    worker.on('message', (reply: RenderReply) => this.onReply(worker, reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.replace(
        worker,
        memory
          ? failed('memory', 'the render ran out of its memory cap')
          : failed('crashed', `the render worker crashed: ${error.message}`),
      );
    });
    worker.on('exit', () => this.replace(worker, failed('crashed', 'the render worker exited')));
    return worker;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.task || !slot.ready) continue;
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      slot.deadline = setTimeout(() => {
        this.replace(slot.worker, failed('deadline', `the render took longer than its deadline of ${this.deadlineMs} ms`));
      }, this.deadlineMs);
      slot.worker.postMessage(task.request);
    }
  }

  private onReply(worker: Worker, reply: RenderReply): void {
    const slot = this.slots.find((candidate) => candidate.worker === worker);
    if (!slot) return;
    if ('ready' in reply) {
      slot.ready = true;
      this.dispatch();
      return;
    }
    if (slot.task?.request.id !== reply.id) return;
    if (reply.ok) {
      if (reply.compiled) this.compilations++;
      this.finish(slot, { ok: true, output: reply.output });
      this.dispatch();
      return;
    }
    const failure = { kind: reply.kind, message: reply.message, line: reply.line, column: reply.column };
    // A render the engine stopped at its limits may leave the worker's heap at its cap, and the worker
    // can die of it moments later, under the next, innocent render: it is not given one.
    if (reply.kind === 'limit') this.replace(worker, { ok: false, failure });
    else this.finish(slot, { ok: false, failure });
    this.dispatch();
  }

  private finish(slot: Slot, result: RenderResult): void {
    clearTimeout(slot.deadline);
    slot.deadline = undefined;
    const task = slot.task;
    slot.task = undefined;
    slot.worker.unref();
    task?.resolve(result);
  }

  /** Ends `worker`'s render with `result` and puts a fresh worker in its place. Late events of a replaced worker are ignored. */
  private replace(worker: Worker, result: RenderResult): void {
    const slot = this.slots.find((candidate) => candidate.worker === worker);
    if (!slot || this.closed || slot.restart) return;
    this.finish(slot, result);
    void worker.terminate();
    this.replacedWorkers++;
    if (slot.ready) {
      slot.worker = this.startWorker();
      slot.ready = false;
      return;
    }
    // It never started: waiting renders would wait for nothing, and restarting at once would spin.
    if (!this.slots.some((other) => other.ready)) {
      const reason = result.ok ? 'the render worker could not start' : `the render worker could not start: ${result.failure.message}`;
      for (const task of this.queue.splice(0)) task.resolve(failed('crashed', reason));
    }
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (!this.closed) slot.worker = this.startWorker();
    }, RESTART_AFTER_START_FAILURE_MS);
    slot.restart.unref();
  }
}

function failed(kind: RenderFailureKind, message: string): RenderResult {
  return { ok: false, failure: { kind, message } };
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
