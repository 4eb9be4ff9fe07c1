// What a template costs per notification, in-process: the compiled RenderPool (dist/template/pool.js,
// its workers as the operator starts them, TEMPLATE_WORKERS's default size) and renderBody, the
// sending path's own step (render in a worker, then the markup check). No cluster and no Telegram:
// what is timed is only the template's share of sending a notification.
//
// For each ready-to-paste template of docs/templates-and-routes.md and each of two built-in samples
// (one alert; fifty alerts, a third resolved), `renders` renders one after another (the latency of one
// render on an idle pool, queueing excluded), then the same number with as many in flight as the pool
// has workers (its throughput).
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as BodyModule from '../../src/template/body.js';
import type * as PoolModule from '../../src/template/pool.js';
import type * as SamplesModule from '../../src/template/samples.js';
import { REPO_ROOT } from '../../test/harness/controlPlane.js';
import { readyToPasteTemplates } from '../lib/docTemplates.js';
import { round } from '../lib/proc.js';
import { percentile } from '../lib/stats.js';

type Pool = typeof PoolModule;
type Body = typeof BodyModule;
type Samples = typeof SamplesModule;

export interface RenderCostSizes {
  /** Renders per template and sample, in each of the two modes (after `warmup` untimed ones). */
  renders: number;
  warmup: number;
}

/** Milliseconds, to the microsecond. */
export interface RenderLatency {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface RenderCostRow {
  template: string;
  sample: string;
  alerts: number;
  /** Characters of the rendered body (Telegram HTML). */
  outputChars: number;
  /** Renders that fell back to the built-in format (they would in the operator too): must be 0. */
  fellBack: number;
  sequentialMs: RenderLatency;
  /** With `poolSize` renders in flight. */
  rendersPerSecond: number;
}

export interface RenderCostResult {
  scenario: 'render-cost';
  sizes: RenderCostSizes;
  setup: string;
  poolSize: number;
  cpus: number;
  /** Templates parsed: once per worker and template, however many renders. */
  compilations: number;
  replacedWorkers: number;
  rows: RenderCostRow[];
}

const dist = (file: string) => pathToFileURL(path.join(REPO_ROOT, 'dist', 'template', file)).href;

function latency(samples: number[]): RenderLatency {
  const s = [...samples].sort((a, b) => a - b);
  const ms = (x: number | null) => round(x ?? 0, 3);
  return {
    p50: ms(percentile(s, 50)),
    p99: ms(percentile(s, 99)),
    max: ms(s.at(-1) ?? null),
    mean: ms(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

export async function runRenderCost(sizes: RenderCostSizes): Promise<RenderCostResult> {
  const { RenderPool, DEFAULT_POOL_SIZE } = (await import(dist('pool.js'))) as Pool;
  const { renderBody } = (await import(dist('body.js'))) as Body;
  const { templateSamples } = (await import(dist('samples.js'))) as Samples;
  const pool = new RenderPool();
  try {
    const samples = templateSamples('firing').filter((s) => s.name === 'one-alert' || s.name === 'fifty-mixed');
    const rows: RenderCostRow[] = [];
    for (const template of readyToPasteTemplates()) {
      for (const sample of samples) {
        let fellBack = 0;
        let outputChars = 0;
        const once = async () => {
          const body = await renderBody(sample.notification, () => 'built-in', {
            pool,
            templates: { firing: template.firing, ...(template.resolved ? { resolved: template.resolved } : {}) },
            channel: { namespace: 'monitoring', name: 'ops' },
            timeZone: 'Europe/Berlin',
          });
          if (!body.templated) fellBack++;
          outputChars = body.html.length;
        };
        for (let i = 0; i < sizes.warmup; i++) await once();
        fellBack = 0;
        const times: number[] = [];
        for (let i = 0; i < sizes.renders; i++) {
          const t0 = performance.now();
          await once();
          times.push(performance.now() - t0);
        }
        const t0 = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: DEFAULT_POOL_SIZE }, async () => {
            while (next++ < sizes.renders) await once();
          }),
        );
        const concurrentSeconds = (performance.now() - t0) / 1000;
        rows.push({
          template: template.title,
          sample: sample.name,
          alerts: sample.notification.alerts.length,
          outputChars,
          fellBack,
          sequentialMs: latency(times),
          rendersPerSecond: Math.round(sizes.renders / concurrentSeconds),
        });
      }
    }
    return {
      scenario: 'render-cost',
      sizes,
      setup: `in-process: the compiled RenderPool (dist/template/pool.js) with its default ${DEFAULT_POOL_SIZE} workers and limits, and renderBody (render, then the markup check), as the sending path calls it; time zone Europe/Berlin`,
      poolSize: DEFAULT_POOL_SIZE,
      cpus: os.cpus().length,
      compilations: pool.compilations,
      replacedWorkers: pool.replacedWorkers,
      rows,
    };
  } finally {
    await pool.close();
  }
}
