// The three ready-to-paste templates of docs/templates-and-routes.md, read from the page itself: the
// benchmarks measure what a user copies, and a change to the page changes what is measured.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { REPO_ROOT } from '../../test/harness/controlPlane.js';

export interface DocTemplate {
  /** The comment that heads it on the page, e.g. "1. One line per alert, severity first." */
  title: string;
  firing: string;
  resolved?: string;
}

const PAGE = path.join(REPO_ROOT, 'docs', 'templates-and-routes.md');
const INTRO = 'Three templates to start from:';

export function readyToPasteTemplates(page = readFileSync(PAGE, 'utf8')): DocTemplate[] {
  const after = page.slice(page.indexOf(INTRO));
  const block = /```yaml\n([\s\S]*?)```/.exec(after)?.[1];
  if (!page.includes(INTRO) || block === undefined) throw new Error(`${PAGE}: no yaml block after "${INTRO}"`);
  // Each template starts at its "# N. title" comment.
  const parts = block.split(/^(?=# \d+\. )/m).filter((p) => p.trim() !== '');
  const templates = parts.map((part) => {
    const title = /^# (.*)$/m.exec(part)![1]!;
    const doc = k8s.loadYaml<{ firing?: unknown; resolved?: unknown }>(part);
    if (typeof doc?.firing !== 'string') throw new Error(`${PAGE}: template "${title}" has no firing text`);
    return { title, firing: doc.firing, ...(typeof doc.resolved === 'string' ? { resolved: doc.resolved } : {}) };
  });
  if (templates.length !== 3) throw new Error(`${PAGE}: expected three ready-to-paste templates, found ${templates.length}`);
  return templates;
}

export interface Idiom {
  go: string;
  liquid: string;
}

const IDIOMS_INTRO = "Alertmanager's Go templates translate like this:";

/** The rows of the page's table translating Alertmanager's Go template idioms into Liquid (cells without their backticks). */
export function goTemplateIdioms(page = readFileSync(PAGE, 'utf8')): Idiom[] {
  if (!page.includes(IDIOMS_INTRO)) throw new Error(`${PAGE}: no table after "${IDIOMS_INTRO}"`);
  const lines = page.slice(page.indexOf(IDIOMS_INTRO)).split('\n').slice(1);
  const rows = lines
    .slice(lines.findIndex((l) => l.startsWith('|')))
    .filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')));
  const cell = (text: string) => {
    const code = /`([^`]*)`/.exec(text.trim())?.[1] ?? text.trim();
    return code.replace(/\\\|/g, '|');
  };
  return rows
    .slice(2) // the header and its rule
    .map((row) => row.split(/(?<!\\)\|/).slice(1, -1))
    .map(([go, liquid]) => ({ go: cell(go ?? ''), liquid: cell(liquid ?? '') }));
}
