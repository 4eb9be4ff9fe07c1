// A manifest handed to kubectl on stdin, shown first as the heredoc a user would type.
import { indent, note, say } from './console.js';
import { kubectl } from './kubectl.js';

/** Runs `kubectl <args> -f -` with `manifest` on stdin and prints its answer; `shown` is what the heredoc shows (a secret masked). */
export async function kubectlHeredoc(args: string[], manifest: string, shown = manifest): Promise<void> {
  note(`$ kubectl ${args.join(' ')} -f - <<EOF`);
  say(indent(shown));
  note('EOF');
  say(indent(await kubectl([...args, '-f', '-'], manifest)));
}
