// `make demo` end to end, as a newcomer runs it: demo/run.ts as a child process (through tsx, as the Makefile
// does). It starts its own control plane in a directory of its own (never the test run's, never the
// developer's .dev/demo-cluster) on free ports, so it runs next to everything else. Asserts on what the user sees.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { ensureBuilt } from '../harness/operator.js';
import { DEMO, bot } from '../emulator/scenario.js';

const TSX = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');
const SECRET_PART = DEMO.bot.token.split(':')[1]!;
/** The lifecycle step's own bot (demo/run.ts, ONCALL_BOT): its token never shows either. */
const ONCALL_SECRET_PART = bot(7000000003, 'ops_oncall_bot').token.split(':')[1]!;
const OPS = String(DEMO.chats.ops); // -1001000000001
const OPS_UNSIGNED = OPS.slice(1); //   1001000000001

interface Demo {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
  dir: string;
  log: string;
}

function startDemo(name: string, env: Record<string, string> = {}): Demo {
  const dir = path.join(REPO_ROOT, '.dev', `demo-cluster-${name}-${process.pid}`);
  const log = path.join(REPO_ROOT, '.dev', `demo-operator-${name}-${process.pid}.log`);
  let out = '';
  const child = spawn(process.execPath, [TSX, 'demo/run.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, KUBECONFIG: '', KEEP: '', NO_COLOR: '1', DEMO_CLUSTER_DIR: dir, DEMO_OPERATOR_LOG: log, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exit, dir, log };
}

async function waitFor(demo: Demo, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!demo.output().includes(text)) {
    if (demo.child.exitCode !== null) throw new Error(`demo exited (${demo.child.exitCode}) before printing "${text}":\n${demo.output()}`);
    if (Date.now() > deadline) throw new Error(`demo did not print "${text}" within ${timeoutMs / 1000}s:\n${demo.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Processes still running from the demo's control-plane directory (kube-apiserver and etcd name it in their args). */
function processesUsing(dir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes(`${dir}/`) && !l.includes('ps -eo'));
}

const running: Demo[] = [];
beforeAll(() => ensureBuilt());
afterAll(async () => {
  // Only when a test failed half-way: the demo's own Ctrl-C path tears everything down.
  for (const d of running) {
    if (d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGTERM');
      await d.exit;
    }
  }
});

test('make demo: three channels with their reasons, an alert received, its life in the chat, the CLI, a Warning event relayed, a templated notification split into two forum topics, a clean tear-down', async () => {
  const demo = startDemo('e2e');
  running.push(demo);
  const code = await demo.exit;
  const out = demo.output();
  if (code !== 0) throw new Error(`demo exited ${code}:\n${out}`);

  // The three channels, each with the reason a user needs, and the right id named.
  expect(out).toMatch(/✔ ops\s+Ready=True\s+Verified: bot @ops_alerts_bot/);
  expect(out).toMatch(
    new RegExp(
      `✘ ops-no-minus\\s+Ready=False\\s+ChatIdMissingMinusSign: chat ${OPS_UNSIGNED} was not found, but ${OPS} is supergroup "Ops": set the chat id to "${OPS}"`,
    ),
  );
  expect(out).toMatch(new RegExp(`✘ legacy-ops\\s+Ready=False\\s+ChatMigrated: .*${DEMO.chats.legacyGroup}.*"${DEMO.chats.upgradedTo}"`));
  // kubectl get tgc, as printed.
  expect(out).toContain('$ kubectl get tgc -n demo');
  expect(out).toMatch(/^\s+NAME\s+READY\s+REASON\s+BOT\s+CHAT\s+AGE$/m);
  expect(out).toMatch(/^\s+ops\s+True\s+Verified\s+ops_alerts_bot\s+Ops\s+\S+$/m);
  expect(out).toMatch(/^\s+ops-no-minus\s+False\s+ChatIdMissingMinusSign\s+ops_alerts_bot\s+\S+$/m);
  expect(out).toMatch(/^\s+legacy-ops\s+False\s+ChatMigrated\s+ops_alerts_bot\s+Legacy Ops\s+\S+$/m);
  expect(out).toMatch(/^\s+NAME\s+READY\s+REASON\s+BOT\s+CHAT\s+MESSAGE\s+AGE$/m); // -o wide

  // The alert, as the chat received it, and the delivery recorded in status.
  expect(out).toMatch(
    new RegExp(
      `✔ the Ops supergroup \\(${OPS}\\) received message #1 from @ops_alerts_bot:\\n\\s+│ DiskPressure on node-3: /var/lib/etcd is 91% full`,
    ),
  );
  expect(out).toMatch(/^\s+sent:\s+1$/m);
  expect(out).toMatch(/^\s+lastAlertDigest:\s+sha256:[0-9a-f]{64}$/m);

  // The dashboard's top row at the end, from the operator's /metrics.
  expect(out).toMatch(
    /✔ channels Ready: \d+ of \d+; not Ready: demo\/legacy-ops \(ChatMigrated\), demo\/ops-no-minus \(ChatIdMissingMinusSign\)/,
  );
  expect(out).toMatch(/✔ messages sent: [1-9]\d*; failed: 0/);

  // The life of an alert: fire with buttons, one Silence press by an admin, the resolve edits the same message.
  const life = out.slice(out.indexOf('5/9  The life of an alert'), out.indexOf('6/9  The CLI'));
  expect(life.length).toBeGreaterThan(0);
  expect(life).toMatch(/✔ ops-oncall Ready=True\s+Verified/);
  const [fire, afterPress, afterResolve] = [
    life.slice(life.indexOf('Fire.'), life.indexOf('Press.')),
    life.slice(life.indexOf('Press.'), life.indexOf('Resolve.')),
    life.slice(life.indexOf('Resolve.')),
  ];
  expect(fire).toMatch(/✔ message #2 in Ops, with buttons:/);
  expect(fire).toMatch(/│ #2 from @ops_oncall_bot\n\s+│\s+🔥 FIRING \(1\)\n[\s│]+KubePodCrashLooping · severity: critical/);
  expect(fire).toContain('[ 🔕 Silence 1h ] [ 🔕 Silence 24h ]');
  expect(fire).toContain('[ ✋ Ack ]');
  // The press: answered, a silence in the real Alertmanager with the group's labels as exact matchers, the message shows it.
  expect(afterPress).toMatch(/✔ answered in \d+ ms; Telegram shows Olga: "Silenced for 1h, until /);
  expect(afterPress).toMatch(/silence \S+…\s+active, until .* UTC, createdBy telegram:@olga_oncall/);
  expect(afterPress).toContain(
    'matchers: alertname="KubePodCrashLooping", namespace="payments", pod="checkout-7d9f8", severity="critical"',
  );
  expect(afterPress).toMatch(/│ #2 from @ops_oncall_bot \(edited 1×\)/);
  expect(afterPress).toMatch(/🔕 Silenced by @olga_oncall until .* UTC/);
  expect(afterPress).toContain('[ 🔔 Unsilence ]');
  expect(afterPress.slice(afterPress.indexOf('✔ message #2 edited'))).not.toContain('Silence 1h ]');
  // The resolve: the same message #2, edited again, no buttons; no new message from the on-call bot.
  expect(afterResolve).toMatch(/✔ message #2 edited in place, buttons gone: the chat holds 1 message for this alert/);
  expect(afterResolve).toMatch(/┌─ Ops \(-1001000000001\): 2 messages/);
  expect(afterResolve).toMatch(/│ #2 from @ops_oncall_bot \(edited 2×\)\n\s+│\s+✅ RESOLVED \(1\)/);
  expect(afterResolve).not.toContain('FIRING');
  expect(afterResolve).not.toMatch(/│\s+\[ /);
  // The remembered state, where kubectl can see it.
  expect(afterResolve).toContain('$ kubectl get configmaps -n demo -l telegram.notify.dev/episodes');
  expect(afterResolve).toMatch(/^\s+telegram-episodes-\S+\s+1\s+\S+$/m);

  // The CLI: chats lists the chat ids with their sign; check diagnoses the missing minus sign.
  expect(out).toMatch(new RegExp(`^\\s+${OPS}\\s+supergroup\\s+Ops\\s+bot added \\(administrator\\)`, 'm'));
  expect(out).toMatch(
    new RegExp(`^\\s+${DEMO.chats.legacyGroup}\\s+group\\s+Legacy Ops\\s+.*upgraded to a supergroup: use ${DEMO.chats.upgradedTo}`, 'm'),
  );
  expect(out).toContain(`$ telegram-channel-operator check --token-file`);
  expect(out).toMatch(new RegExp(`✘ Chat\\s+ChatIdMissingMinusSign: chat ${OPS_UNSIGNED} was not found, but ${OPS}`));
  expect(out).toContain('(exit 1: Ready would be False');
  expect(out).toMatch(/✔ Ready: bot @ops_alerts_bot .* can post to supergroup "Ops"/);
  expect(out).toMatch(/`chats` confirmed nothing: all 3 updates are still pending/);

  // The cluster's own Warning event: a channel with spec.kubernetesEvents, one BackOff event, its message in Ops.
  const events = out.slice(out.indexOf("7/9  The cluster's own Warning events"), out.indexOf('8/9  Your words, your topics'));
  expect(events.length).toBeGreaterThan(0);
  expect(events).toMatch(/✔ ops-events Ready=True\s+Verified/);
  expect(events).toMatch(/EventsWatching=True\s+Watching/);
  expect(events).toContain('event.events.k8s.io/checkout-7d9f8.backoff created');
  expect(events).toMatch(/✔ message #\d+ in Ops: the reason, the object/);
  expect(events).toMatch(/│ #\d+ from @ops_alerts_bot\n\s+│\s+⚠️ BackOff · Pod demo\/checkout-7d9f8\n\s+│\s+last seen \d{4}-/);
  expect(events).toContain('Back-off restarting failed container checkout in pod checkout-7d9f8_demo');

  // Your words, your topics: a templated channel on the Incidents forum, a critical and a warning alert of one
  // notification each in a topic the operator created by name, resolved in place. What the demo prints of
  // the forum is the emulator's record of it (its topics, each message's thread, text and sound).
  const topics = out.slice(out.indexOf('8/9  Your words, your topics'), out.indexOf('9/9  Tear-down'));
  expect(topics.length).toBeGreaterThan(0);
  expect(topics).toMatch(/✔ ops-topics Ready=True\s+Verified: .*supergroup "Incidents"/);
  expect(topics).toMatch(/TemplateValid=True\s+Verified: spec\.template: renders every built-in sample/);
  expect(topics).toMatch(/RoutesValid=True\s+Verified: 2 routes compiled; the chat is a forum and the bot can manage its topics/);
  const [fired, resolvedTopics] = [
    topics.slice(topics.indexOf('Fire.'), topics.indexOf('Resolve.')),
    topics.slice(topics.indexOf('Resolve.')),
  ];
  expect(fired).toContain('HTTP 200 {"status":"delivered","messages":2,');
  const created = /✔ the operator created 2 topics with createForumTopic: "Critical" \((\d+)\), "Warnings" \((\d+)\)/.exec(fired);
  expect(created).not.toBeNull();
  const [critical, warning] = [created![1], created![2]];
  // Each alert in its own topic, in the template's words (the emoji and layout are the template's, not the built-in format).
  expect(fired).toMatch(
    new RegExp(
      `│ # Critical \\(topic ${critical}\\)\\n\\s+│\\s+#(\\d+)\\n\\s+│\\s+🔴 KubePodCrashLooping payments/checkout-7d9f8: restarted 5 times in 10 minutes\\n` +
        `\\s+│ # Warnings \\(topic ${warning}\\)\\n\\s+│\\s+#(\\d+) \\(silent\\)\\n\\s+│\\s+🟠 CPUThrottlingHigh payments/checkout-7d9f8: throttled 42% of the time\\n`,
    ),
  );
  expect(fired).not.toMatch(/FIRING/);
  expect(fired).toMatch(/^\s+telegram-topics-\S+\s+2\s+\S+$/m);
  // Resolved: the same two messages, each edited in its topic; no third message.
  expect(resolvedTopics).toMatch(/✔ each message edited in place, in its own topic: still 2 messages in the forum/);
  expect(resolvedTopics).toMatch(
    new RegExp(`│ # Critical \\(topic ${critical}\\)\\n\\s+│\\s+#\\d+ \\(edited 1×\\)\\n\\s+│\\s+✅ resolved: KubePodCrashLooping\\n`),
  );
  expect(resolvedTopics).toMatch(
    new RegExp(`│ # Warnings \\(topic ${warning}\\)\\n\\s+│\\s+#\\d+ \\(silent, edited 1×\\)\\n\\s+│\\s+✅ resolved: CPUThrottlingHigh\\n`),
  );

  // Tear-down, and nothing left behind.
  for (const what of [
    'removed the temporary token file',
    'stopped Alertmanager',
    'stopped the operator',
    'stopped the Telegram emulator',
    'stopped kube-apiserver and etcd',
  ]) {
    expect(out).toContain(`✔ ${what}`);
  }
  expect(out).toMatch(/✔ Demo complete in [\d.]+s/);
  expect(existsSync(demo.dir)).toBe(false);
  expect(processesUsing(demo.dir)).toEqual([]);

  // No operator JSON on the terminal (it is in the log file), and never the token.
  expect(out).not.toMatch(/^\{"level"/m);
  expect(out).toContain(path.relative(REPO_ROOT, demo.log));
  expect(out).not.toContain(SECRET_PART);
  expect(out).not.toContain(ONCALL_SECRET_PART);
  rmSync(demo.log, { force: true });
}, 240_000);

test('KEEP=1 stays up with a working kubeconfig until Ctrl-C, then tears everything down', async () => {
  const demo = startDemo('keep', { KEEP: '1' });
  running.push(demo);
  await waitFor(demo, 'Press Ctrl-C to tear everything down.', 180_000);
  const out = demo.output();
  const kubeconfig = /export KUBECONFIG=(\S+)/.exec(out)?.[1];
  expect(kubeconfig).toBe(path.join(demo.dir, 'kubeconfig'));
  expect(out).toMatch(/export TELEGRAM_API_URL=http:\/\/127\.0\.0\.1:\d+/);

  // The cluster is really there to explore: fix the minus sign, watch it turn Ready.
  const kubectl = (...args: string[]) => execFileSync('kubectl', ['--kubeconfig', kubeconfig!, ...args], { encoding: 'utf8' });
  kubectl('patch', 'tgc', 'ops-no-minus', '-n', 'demo', '--type', 'merge', '-p', JSON.stringify({ spec: { chatId: OPS } }));
  kubectl('wait', '--for=condition=Ready', '--timeout=30s', 'tgc/ops-no-minus', '-n', 'demo');
  // And an alert sent from "another terminal" shows up in the demo's output.
  kubectl('annotate', 'tgc', 'ops', '-n', 'demo', '--overwrite', 'telegram.notify.dev/alert=hello from my shell');
  await waitFor(demo, '│ hello from my shell', 30_000);
  expect(processesUsing(demo.dir).length).toBeGreaterThanOrEqual(2); // kube-apiserver and etcd

  demo.child.kill('SIGINT'); // Ctrl-C
  expect(await demo.exit).toBe(0);
  expect(demo.output()).toContain('SIGINT: tearing everything down');
  expect(demo.output()).toContain('✔ stopped kube-apiserver and etcd');
  expect(existsSync(demo.dir)).toBe(false);
  expect(processesUsing(demo.dir)).toEqual([]);
  rmSync(demo.log, { force: true });
}, 240_000);

test('Ctrl-C half-way through stops what was started and exits 130', async () => {
  const demo = startDemo('interrupt');
  running.push(demo);
  await waitFor(demo, '2/9  The CRD and the operator', 180_000);
  demo.child.kill('SIGINT');
  expect(await demo.exit).toBe(130);
  expect(demo.output()).toContain('SIGINT: stopping the demo and tearing everything down');
  expect(demo.output()).toContain('✔ stopped kube-apiserver and etcd');
  expect(processesUsing(demo.dir)).toEqual([]);
  rmSync(demo.log, { force: true });
}, 240_000);
