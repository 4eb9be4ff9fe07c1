// What the demo prints: numbered sections, marks for what worked and what did not, and indented
// command output. Colour only on a terminal, and never with NO_COLOR.
import path from 'node:path';
import { REPO_ROOT } from '../test/harness/controlPlane.js';

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const cyan = paint('36');

/** The acts run.ts plays, tear-down (or KEEP=1's "stays up") included. */
const TOTAL_STEPS = 9;
let stepNo = 0;

export const say = (line = '') => process.stdout.write(`${line}\n`);
/** Opens the next numbered act. */
export const section = (title: string) => {
  stepNo++;
  say();
  say(bold(cyan(`━━ ${stepNo}/${TOTAL_STEPS}  ${title}`)));
};
export const ok = (msg: string) => say(`  ${green('✔')} ${msg}`);
export const bad = (msg: string) => say(`  ${red('✘')} ${msg}`);
export const note = (msg: string) => say(`  ${dim(msg)}`);
export const progress = (msg: string) => say(`  ${yellow('…')} ${msg}`);
export const indent = (text: string, prefix = '    ') =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `${prefix}${l}`))
    .join('\n');
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
/** A path as the user would type it from the repository's root. */
export const rel = (p: string) => (p.startsWith(REPO_ROOT + path.sep) ? path.relative(REPO_ROOT, p) : p);
