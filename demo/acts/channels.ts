// Act 3: the sample channels from demo/manifests/ (one healthy, two classic chat-id mistakes), each
// reported as the operator verifies it.
import { bold, green, indent, note, progress, red, rel, say, section } from '../console.js';
import { getChannels, kubectl, readyOf, sleep, type Channel } from '../kubectl.js';
import { CHANNELS, MANIFESTS, NS, OPERATOR_LOG } from '../settings.js';
import { checkInterrupted } from '../teardown.js';

export async function applyChannels(): Promise<void> {
  section('Sample channels: one healthy, two classic chat-id mistakes');
  note('$ kubectl apply --server-side -f demo/manifests/');
  say(indent(await kubectl(['apply', '--server-side', '-f', MANIFESTS])));
  say();
  note(`  ${CHANNELS.healthy.name.padEnd(13)} chatId "${CHANNELS.healthy.chatId}"  the Ops supergroup`);
  note(`  ${CHANNELS.noMinus.name.padEnd(13)} chatId "${CHANNELS.noMinus.chatId}"   the same id without its minus sign`);
  note(`  ${CHANNELS.migrated.name.padEnd(13)} chatId "${CHANNELS.migrated.chatId}"      a basic group that was upgraded to a supergroup`);
  say();
  progress('waiting for the operator to verify them (getMe → getChat → getChatMember)');

  const names: string[] = Object.values(CHANNELS).map((c) => c.name);
  const reported = new Set<string>();
  const deadline = Date.now() + 60_000;
  let last: Channel[];
  while (reported.size < names.length) {
    checkInterrupted();
    last = await getChannels();
    for (const ch of last) {
      const r = readyOf(ch);
      if (!r || reported.has(ch.metadata.name)) continue;
      if (r.observedGeneration !== ch.metadata.generation || r.status === 'Unknown') continue;
      reported.add(ch.metadata.name);
      const mark = r.status === 'True' ? green('✔') : red('✘');
      say(`  ${mark} ${bold(ch.metadata.name.padEnd(13))} Ready=${r.status}  ${bold(r.reason)}: ${r.message}`);
    }
    if (reported.size < names.length && Date.now() > deadline) {
      const pending = last
        .filter((c) => !reported.has(c.metadata.name))
        .map((c) => `${c.metadata.name}: ${JSON.stringify(readyOf(c) ?? 'no Ready condition yet')}`);
      throw new Error(`channels did not settle within 60 s:\n  ${pending.join('\n  ')}\nsee ${rel(OPERATOR_LOG)}`);
    }
    await sleep(300);
  }
  say();
  note(`$ kubectl get tgc -n ${NS}`);
  say(indent(await kubectl(['get', 'tgc', '-n', NS])));
  say();
  note(`$ kubectl get tgc -n ${NS} -o wide`);
  say(indent(await kubectl(['get', 'tgc', '-n', NS, '-o', 'wide'])));
}
