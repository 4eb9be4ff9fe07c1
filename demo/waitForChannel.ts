// The acts' wait for the channel they applied: verified by the operator, and the conditions the act
// is about True, each printed once it is.
import { cond, type Cond } from '../test/harness/channels.js';
import { bold, ok, progress, rel, say } from './console.js';
import { getChannels, readyOf, sleep } from './kubectl.js';
import { OPERATOR_LOG } from './settings.js';
import { checkInterrupted } from './teardown.js';

/**
 * Polls the demo channel `name` until Ready is True for its current generation and so is each
 * condition of `alsoTrue`; then prints them, and each condition of `alsoShown` the channel has.
 * Ready False (for the current generation) or a False condition of `alsoTrue` stops the demo with
 * its reason; so does 60 s without getting there. `doing` completes "waiting for NAME to be …".
 */
export async function waitForChannel(
  name: string,
  doing: string,
  conditions: { alsoTrue?: string[]; alsoShown?: string[] } = {},
): Promise<void> {
  const { alsoTrue = [], alsoShown = [] } = conditions;
  progress(`waiting for ${name} to be ${doing}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    checkInterrupted();
    const ch = (await getChannels()).find((c) => c.metadata.name === name);
    const ready = ch && readyOf(ch);
    const current = ch !== undefined && ready?.observedGeneration === ch.metadata.generation;
    const needed = alsoTrue.map((type) => ch && cond(ch, type));
    if (current && ready?.status === 'False') throw new Error(`${name} is not Ready: ${ready.reason}: ${ready.message}`);
    for (const c of needed) if (c?.status === 'False') throw new Error(`${name}: ${c.type}=False ${c.reason}: ${c.message}`);
    if (current && ready?.status === 'True' && needed.every((c) => c?.status === 'True')) {
      ok(`${bold(name)} Ready=True  ${bold(ready.reason)}: ${ready.message}`);
      const shown = [...needed, ...alsoShown.map((type) => cond(ch, type))].filter((c): c is Cond => c !== undefined);
      const width = Math.max(0, ...shown.map((c) => `${c.type}=${c.status}`.length));
      for (const c of shown) say(`    ${`${c.type}=${c.status}`.padEnd(width)}  ${c.reason}: ${c.message}`);
      return;
    }
    if (Date.now() > deadline) {
      const seen = Object.fromEntries([['Ready', ready], ...alsoTrue.map((type, i) => [type, needed[i]])]);
      throw new Error(`${name} was not ${doing} within 60 s: ${JSON.stringify(seen)}; see ${rel(OPERATOR_LOG)}`);
    }
    await sleep(300);
  }
}
