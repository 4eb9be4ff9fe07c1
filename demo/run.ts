// `make demo`: the whole product in one command, on this machine, with nothing to install or sign up for.
//
//   1. a local kube-apiserver + etcd of its own (.dev/demo-cluster) and the Telegram emulator (demo scenario);
//   2. the CRD and the operator (dist/main.js; its logs go to .dev/demo-operator.log);
//   3. demo/manifests/: a Secret and three TelegramChannels (healthy, missing minus sign, upgraded group);
//   4. an alert relayed through an annotation, and what the chat received;
//   5. the life of an alert: a channel with resolved: Edit and Silence buttons on a bot of its own, an
//      Alertmanager notification that fires, one press of "Silence 1h" by a chat administrator (a real
//      Alertmanager, when installed, creates the silence), and the resolve editing the same message;
//   6. the CLI: `chats` (find the chat id) and `check` (try a token + chat id from the terminal);
//   7. tear-down, or with KEEP=1 everything stays up until Ctrl-C.
//
// Environment: KEEP=1 stays up. DEMO_WITHOUT_ALERTMANAGER=1 runs step 5 as without prometheus-alertmanager.
// DEMO_CLUSTER_DIR / DEMO_OPERATOR_LOG move the control plane's directory
// and the operator's log (the integration test runs the demo next to its own control plane this way).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  freePort,
  readState,
  isRunning,
  startControlPlane,
  stopControlPlane,
  ensureBinaries,
  type ControlPlaneState,
} from '../test/harness/controlPlane.js';
import { startAlertmanager, ALERTMANAGER_BIN, type AlertmanagerProcess } from '../test/harness/alertmanager.js';
import { dashboardSummary } from './dashboardSummary.js';
import { DEMO, bot, demoScenario } from '../test/emulator/scenario.js';
import { TelegramEmulator } from '../test/emulator/server.js';

// ---- settings ------------------------------------------------------------------------------------

const NS = 'demo';
const KEEP = /^(1|true|yes|on)$/i.test(process.env.KEEP ?? '');
/** Runs the lifecycle step as on a machine without prometheus-alertmanager. */
const WITHOUT_ALERTMANAGER = /^(1|true|yes|on)$/i.test(process.env.DEMO_WITHOUT_ALERTMANAGER ?? '');
const CLUSTER_DIR = path.resolve(REPO_ROOT, process.env.DEMO_CLUSTER_DIR || '.dev/demo-cluster');
const OPERATOR_LOG = path.resolve(REPO_ROOT, process.env.DEMO_OPERATOR_LOG || '.dev/demo-operator.log');
const MANIFESTS = path.join(REPO_ROOT, 'demo/manifests');
const OPERATOR_MAIN = path.join(REPO_ROOT, 'dist/main.js');
const CLI_MAIN = path.join(REPO_ROOT, 'dist/cli/index.js');

/** What the sample channels in demo/manifests/20-channels.yaml point at. */
const CHANNELS = {
  healthy: { name: 'ops', chatId: String(DEMO.chats.ops) },
  noMinus: { name: 'ops-no-minus', chatId: String(-DEMO.chats.ops) },
  migrated: { name: 'legacy-ops', chatId: String(DEMO.chats.legacyGroup) },
} as const;
const ALERT_TEXT = 'DiskPressure on node-3: /var/lib/etcd is 91% full (sample alert from make demo)';
/**
 * The alert-lifecycle step's bot: a bot of its own, because a channel with Silence buttons makes the
 * operator consume the bot's updates (getUpdates), and the CLI step reads @ops_alerts_bot's.
 */
const ONCALL_BOT = bot(7000000003, 'ops_oncall_bot', 'Ops On-call');
const LIFECYCLE = { channel: 'ops-oncall', webhookToken: 'demo-alertmanager-webhook-token-0001' } as const;
/** What Alertmanager would group and send: one group, one alert. */
const LIFECYCLE_LABELS = { alertname: 'KubePodCrashLooping', namespace: 'payments', pod: 'checkout-7d9f8', severity: 'critical' };

// ---- output --------------------------------------------------------------------------------------

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const yellow = paint('33');
const cyan = paint('36');

const TOTAL_STEPS = 7;
let stepNo = 0;
const started = Date.now();
const rel = (p: string) => (p.startsWith(REPO_ROOT + path.sep) ? path.relative(REPO_ROOT, p) : p);
const say = (line = '') => process.stdout.write(`${line}\n`);
const section = (title: string) => {
  stepNo++;
  say();
  say(bold(cyan(`━━ ${stepNo}/${TOTAL_STEPS}  ${title}`)));
};
const ok = (msg: string) => say(`  ${green('✔')} ${msg}`);
const bad = (msg: string) => say(`  ${red('✘')} ${msg}`);
const note = (msg: string) => say(`  ${dim(msg)}`);
const progress = (msg: string) => say(`  ${yellow('…')} ${msg}`);
const indent = (text: string, prefix = '    ') =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : `${prefix}${l}`))
    .join('\n');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

// ---- tear-down -----------------------------------------------------------------------------------

type Cleanup = { what: string; run: () => Promise<void> | void };
const cleanups: Cleanup[] = [];
let tearingDown: Promise<void> | undefined;

/** Registers something to undo; if tear-down already started, undoes it at once. */
function onTeardown(what: string, run: () => Promise<void> | void): void {
  if (tearingDown)
    void Promise.resolve()
      .then(run)
      .catch(() => undefined);
  else cleanups.push({ what, run });
}

function teardown(): Promise<void> {
  tearingDown ??= (async () => {
    while (cleanups.length > 0) {
      const c = cleanups.pop()!;
      try {
        await c.run();
        ok(c.what);
      } catch (e) {
        bad(`${c.what}: ${(e as Error).message}`);
      }
    }
  })();
  return tearingDown;
}

class Interrupted extends Error {}
let interrupted: NodeJS.Signals | undefined;
let keepingUp: (() => void) | undefined;

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    say(red(`\n${signal} again: exiting without finishing the tear-down (see ${rel(CLUSTER_DIR)}/state.json for pids)`));
    process.exit(130);
  }
  interrupted = signal;
  if (keepingUp) {
    keepingUp();
    return;
  }
  say();
  say(yellow(`${signal}: stopping the demo and tearing everything down…`));
  for (const child of running) child.kill('SIGTERM');
  void teardown().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

function checkInterrupted(): void {
  if (interrupted) throw new Interrupted(interrupted);
}

// ---- small helpers -------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Commands running right now (kubectl, the CLI): a tear-down stops them too. */
const running = new Set<ChildProcess>();

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  // After Ctrl-C nothing new starts: the tear-down may already have stopped what it would talk to.
  if (interrupted) return Promise.reject(new Interrupted(interrupted));
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { cwd: REPO_ROOT, env: opts.env ?? process.env, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        running.delete(child);
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        if (err && code === -1) reject(err instanceof Error ? err : new Error('the command failed', { cause: err }));
        else resolve({ code, stdout, stderr });
      },
    );
    running.add(child);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

let kubeconfig = '';
async function kubectl(...args: string[]): Promise<string> {
  const r = await run('kubectl', ['--kubeconfig', kubeconfig, ...args]);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}
interface Channel {
  metadata: { name: string; generation: number };
  spec: { chatId?: string };
  status?: {
    conditions?: Condition[];
    bot?: { username?: string };
    chat?: { title?: string; id?: string };
    delivery?: Record<string, unknown>;
  };
}
const readyOf = (ch: Channel) => ch.status?.conditions?.find((c) => c.type === 'Ready');

async function kubectlStdin(input: string, ...args: string[]): Promise<string> {
  const r = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

async function getChannels(): Promise<Channel[]> {
  return (JSON.parse(await kubectl('get', 'tgc', '-n', NS, '-o', 'json')) as { items: Channel[] }).items;
}

// ---- the steps -----------------------------------------------------------------------------------

async function startCluster(): Promise<{ cp: ControlPlaneState; emulator: TelegramEmulator; emulatorUrl: string }> {
  section('A local control plane and the Telegram emulator');
  const previous = readState(CLUSTER_DIR);
  if (previous && isRunning(previous)) {
    throw new Error(
      `a demo control plane is still running in ${rel(CLUSTER_DIR)} (kube-apiserver pid ${previous.apiserverPid}, etcd pid ${previous.etcdPid}).\n` +
        `  If a \`make demo\` with KEEP=1 is still open, press Ctrl-C there. Otherwise stop it with: kill ${previous.apiserverPid} ${previous.etcdPid}`,
    );
  }
  progress('finding kube-apiserver and etcd (built once, several minutes, on a fresh machine)');
  const binDir = ensureBinaries();
  ok(`control plane binaries in ${binDir}`);
  checkInterrupted();

  progress(`starting etcd and kube-apiserver in ${rel(CLUSTER_DIR)} (a few seconds)`);
  const t0 = Date.now();
  onTeardown('stopped kube-apiserver and etcd', async () => {
    const s = readState(CLUSTER_DIR);
    if (s) await stopControlPlane(s);
    if (!KEEP_DIR_ON_EXIT) rmSync(CLUSTER_DIR, { recursive: true, force: true });
  });
  const cp = await startControlPlane(CLUSTER_DIR);
  kubeconfig = cp.kubeconfig;
  ok(`${cp.version} ready at https://127.0.0.1:${cp.apiserverPort} in ${secs(Date.now() - t0)}`);
  checkInterrupted();

  const emulator = new TelegramEmulator(demoScenario());
  const emulatorUrl = await emulator.start(0, '127.0.0.1');
  onTeardown('stopped the Telegram emulator', () => emulator.stop());
  ok(
    `Telegram Bot API emulator at ${emulatorUrl}: bot @${DEMO.bot.username}, ${demoScenario().chats.length} chats (one of every situation)`,
  );
  return { cp, emulator, emulatorUrl };
}

/** Set when something failed: the control plane's directory is kept for its logs. */
let KEEP_DIR_ON_EXIT = false;

async function startOperator(emulatorUrl: string): Promise<{ child: ChildProcess; url: string }> {
  section('The CRD and the operator');
  const crd = await kubectl('apply', '--server-side', '-f', path.join(REPO_ROOT, 'crds'));
  note(`$ kubectl apply --server-side -f crds/`);
  say(indent(crd));
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/telegramchannels.telegram.notify.dev');
  ok('CRD telegramchannels.telegram.notify.dev established (short name tgc)');
  checkInterrupted();

  if (!existsSync(OPERATOR_MAIN)) throw new Error(`${rel(OPERATOR_MAIN)} is missing: run \`npm run build\` first (\`make demo\` does)`);
  mkdirSync(path.dirname(OPERATOR_LOG), { recursive: true });
  const port = await freePort();
  const fd = openSync(OPERATOR_LOG, 'w');
  const child = spawn(process.execPath, [OPERATOR_MAIN], {
    cwd: REPO_ROOT,
    // A clean environment: only what the operator is configured with (no proxies from this shell).
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.homedir(),
      KUBECONFIG: kubeconfig,
      TELEGRAM_API_URL: emulatorUrl,
      WATCH_NAMESPACE: NS,
      // The operator's own namespace (in a cluster, from the downward API): its Lease and what it
      // remembers about alerts (episode ConfigMaps) go there.
      POD_NAMESPACE: NS,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onTeardown('stopped the operator', async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = sleep(10_000).then(() => 'timeout');
      if ((await Promise.race([exited.then(() => 'exited'), timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
  });
  const url = `http://127.0.0.1:${port}`;
  progress('starting the operator (node dist/main.js) and waiting for /readyz');
  const deadline = Date.now() + 30_000;
  for (;;) {
    checkInterrupted();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the operator exited (${child.exitCode ?? child.signalCode}); last lines of ${rel(OPERATOR_LOG)}:\n${tail(OPERATOR_LOG)}`,
      );
    }
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`the operator was not ready within 30 s; last lines of ${rel(OPERATOR_LOG)}:\n${tail(OPERATOR_LOG)}`);
    await sleep(150);
  }
  ok(`operator running (pid ${child.pid}), watching namespace "${NS}", Telegram API ${emulatorUrl}`);
  note(`its JSON logs go to ${rel(OPERATOR_LOG)}; /metrics and /healthz on ${url}`);
  return { child, url };
}

async function applyChannels(): Promise<void> {
  section('Sample channels: one healthy, two classic chat-id mistakes');
  note('$ kubectl apply --server-side -f demo/manifests/');
  say(indent(await kubectl('apply', '--server-side', '-f', MANIFESTS)));
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
  say(indent(await kubectl('get', 'tgc', '-n', NS)));
  say();
  note(`$ kubectl get tgc -n ${NS} -o wide`);
  say(indent(await kubectl('get', 'tgc', '-n', NS, '-o', 'wide')));
}

async function relayAlert(emulator: TelegramEmulator): Promise<void> {
  section('Relaying an alert through the healthy channel');
  const name = CHANNELS.healthy.name;
  note(`$ kubectl annotate tgc ${name} -n ${NS} telegram.notify.dev/alert="${ALERT_TEXT}"`);
  say(indent(await kubectl('annotate', 'tgc', name, '-n', NS, '--overwrite', `telegram.notify.dev/alert=${ALERT_TEXT}`)));
  progress('waiting for the message to reach the chat and the delivery to be recorded in status');
  const deadline = Date.now() + 30_000;
  for (;;) {
    checkInterrupted();
    const received = emulator.messagesTo(DEMO.chats.ops);
    const ch = (await getChannels()).find((c) => c.metadata.name === name);
    const delivery = ch?.status?.delivery;
    if (received.length > 0 && delivery?.lastAlertDigest) {
      const m = received[received.length - 1]!;
      const bot = demoScenario().bots.find((b) => b.id === m.botId);
      ok(`the Ops supergroup (${m.chatId}) received message #${m.messageId} from @${bot?.username ?? m.botId}:`);
      say(indent(m.text, `    ${dim('│')} `));
      say();
      note(`$ kubectl get tgc ${name} -n ${NS} -o jsonpath='{.status.delivery}'`);
      const width = Math.max(...Object.keys(delivery).map((k) => k.length));
      for (const [k, v] of Object.entries(delivery))
        say(`    ${`${k}:`.padEnd(width + 1)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      note(`  lastAlertDigest is what makes a restart, resync or re-apply never send this text again.`);
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the alert was not delivered within 30 s (messages in the chat: ${received.length}; status.delivery: ${JSON.stringify(delivery ?? null)}); see ${rel(OPERATOR_LOG)}`,
      );
    }
    await sleep(250);
  }
}

/** The chat as Telegram shows it now: every message, its current text and its buttons. */
function printChat(emulator: TelegramEmulator, chatId: number, title: string, highlight?: number): void {
  const bots = new Map([...demoScenario().bots, ONCALL_BOT].map((b) => [b.id, b.username]));
  const view = emulator.chatView(chatId);
  say(`    ${dim(`┌─ ${title} (${chatId}): ${view.length} message${view.length === 1 ? '' : 's'}`)}`);
  for (const m of view) {
    const mark = m.messageId === highlight ? bold(`#${m.messageId}`) : `#${m.messageId}`;
    say(`    ${dim('│')} ${mark} from @${bots.get(m.botId) ?? m.botId}${m.edits > 0 ? dim(` (edited ${m.edits}×)`) : ''}`);
    // Blank lines keep the frame's bar, so the message reads as one block.
    for (const line of m.text.replace(/\s+$/, '').split('\n')) say(`    ${dim('│')}${line.trim() === '' ? '' : `   ${line}`}`);
    const rows = m.replyMarkup?.inline_keyboard ?? [];
    for (const row of rows) say(`    ${dim('│')}   ${row.map((b) => cyan(`[ ${b.text} ]`)).join(' ')}`);
  }
  say(`    ${dim('└─')}`);
}

function lifecyclePayload(status: 'firing' | 'resolved', startsAt: string, endsAt?: string): unknown {
  const groupKey = `{}:{alertname="${LIFECYCLE_LABELS.alertname}"}`;
  const alert = {
    status,
    labels: LIFECYCLE_LABELS,
    annotations: { summary: 'Pod payments/checkout-7d9f8 restarted 5 times in 10 minutes' },
    startsAt,
    endsAt: endsAt ?? '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint: 'c0ffee0000000001',
  };
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status,
    receiver: 'telegram-ops',
    groupLabels: { alertname: LIFECYCLE_LABELS.alertname },
    commonLabels: LIFECYCLE_LABELS,
    commonAnnotations: alert.annotations,
    externalURL: '',
    alerts: [alert],
  };
}

async function postNotification(operatorUrl: string, payload: unknown, what: string): Promise<void> {
  const path_ = `/webhooks/alertmanager/${NS}/${LIFECYCLE.channel}`;
  note(`$ curl -H 'Authorization: Bearer …' -d @${what}.json ${operatorUrl}${path_}`);
  const r = await fetch(`${operatorUrl}${path_}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${LIFECYCLE.webhookToken}` },
    body: JSON.stringify(payload),
  });
  const body = await r.text();
  if (r.status !== 200)
    throw new Error(`the operator answered the ${what} notification with ${r.status}: ${body}; see ${rel(OPERATOR_LOG)}`);
  say(indent(`HTTP ${r.status} ${body.trim()}`.trim()));
}

async function waitForChat<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    checkInterrupted();
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s; see ${rel(OPERATOR_LOG)}`);
    await sleep(200);
  }
}

/** The oncall channel's manifest: its Alertmanager URL is only known once Alertmanager has started. */
function lifecycleManifest(alertmanagerUrl: string): string {
  return `# A bot of its own: with Silence buttons the operator consumes this bot's updates (getUpdates).
apiVersion: v1
kind: Secret
metadata: {name: oncall-bot, namespace: ${NS}}
stringData: {token: '${ONCALL_BOT.token}'}   # the emulator's fake @${ONCALL_BOT.username}
---
# What Alertmanager's webhook_configs sends as its Bearer token.
apiVersion: v1
kind: Secret
metadata: {name: alertmanager-webhook, namespace: ${NS}}
stringData: {token: ${LIFECYCLE.webhookToken}}
---
apiVersion: telegram.notify.dev/v1alpha1
kind: TelegramChannel
metadata: {name: ${LIFECYCLE.channel}, namespace: ${NS}}
spec:
  tokenSecretRef: {name: oncall-bot}
  chatId: '${DEMO.chats.ops}'
  alertmanager:
    tokenSecretRef: {name: alertmanager-webhook}
    resolved: Edit                  # later notifications of the group edit its message
    silence:                        # buttons under every firing notification
      url: ${alertmanagerUrl}
      durations: ['1h', '24h']
      allowed: Administrators       # chat admins, checked with getChatMember at press time
`;
}

async function alertLifecycle(emulator: TelegramEmulator, operatorUrl: string): Promise<void> {
  section('The life of an alert: fire, Silence from the chat, resolve on the same message');
  // The on-call bot joins Ops as an administrator (in Telegram: add it to the group).
  emulator.setBot(ONCALL_BOT);
  emulator.setMembership({ chatId: DEMO.chats.ops, botId: ONCALL_BOT.id, status: 'administrator' });

  let am: AlertmanagerProcess | undefined;
  let amUrl: string;
  if (ALERTMANAGER_BIN && !WITHOUT_ALERTMANAGER) {
    progress(`starting Alertmanager (${ALERTMANAGER_BIN}) for the silences the buttons create`);
    am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n- name: none\n');
    onTeardown('stopped Alertmanager', () => am?.stop());
    amUrl = am.url;
    ok(`Alertmanager API at ${amUrl}`);
  } else {
    amUrl = `http://127.0.0.1:${await freePort()}`;
    note(
      `prometheus-alertmanager is ${ALERTMANAGER_BIN ? 'turned off (DEMO_WITHOUT_ALERTMANAGER)' : 'not installed'}: nothing listens at ${amUrl}, so the press below is refused`,
    );
    note(`(apt-get install prometheus-alertmanager, then run the demo again, to see the silence made)`);
  }
  checkInterrupted();

  const manifest = lifecycleManifest(amUrl);
  note('$ kubectl apply --server-side -f - <<EOF');
  say(indent(manifest.replace(ONCALL_BOT.token, `${ONCALL_BOT.id}:…`)));
  note('EOF');
  say(indent(await kubectlStdin(manifest, 'apply', '--server-side', '-f', '-')));
  await waitForChannelReady(LIFECYCLE.channel);
  checkInterrupted();

  // 1. Firing: what Alertmanager's webhook_configs POSTs when the group fires.
  say();
  say(`  ${bold('Fire.')} Alertmanager sends the group's first notification (the demo posts it as Alertmanager would):`);
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const before = emulator.chatView(DEMO.chats.ops).length;
  await postNotification(operatorUrl, lifecyclePayload('firing', startsAt), 'firing');
  const firing = await waitForChat('the firing message', () =>
    emulator.chatView(DEMO.chats.ops).find((m) => m.botId === ONCALL_BOT.id && m.replyMarkup !== undefined),
  );
  ok(`message #${firing.messageId} in Ops, with buttons:`);
  printChat(emulator, DEMO.chats.ops, 'Ops', firing.messageId);

  // 2. One press: Olga, an administrator of Ops, taps "Silence 1h".
  say();
  say(`  ${bold('Press.')} @olga_oncall, an administrator of Ops, taps ${cyan('[ 🔕 Silence 1h ]')} (the emulator's press hook):`);
  const button = firing.replyMarkup!.inline_keyboard.flat().find((b) => /Silence 1h/.test(b.text));
  if (!button?.callback_data) throw new Error(`the firing message has no "Silence 1h" button: ${JSON.stringify(firing.replyMarkup)}`);
  const press = emulator.pressButton(ONCALL_BOT.token, {
    chatId: DEMO.chats.ops,
    messageId: firing.messageId,
    userId: DEMO.users.olga,
    button: button.callback_data,
  });
  const answer = await waitForChat('the answer to the press', () => emulator.callbackQueries.find((q) => q.id === press.id)?.answer);
  ok(`answered in ${answer.time - press.time} ms; Telegram shows Olga: "${answer.text}"`);
  if (am) {
    const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as {
      id: string;
      matchers: { name: string; value: string; isEqual?: boolean }[];
      createdBy: string;
      endsAt: string;
      status: { state: string };
    }[];
    const made = silences.find((x) => x.status.state === 'active');
    if (!made) throw new Error(`no active silence in Alertmanager after the press (answer: "${answer.text}")`);
    note(`$ curl ${am.url}/api/v2/silences`);
    say(
      `    silence ${made.id.slice(0, 8)}…  ${made.status.state}, until ${made.endsAt.slice(0, 16).replace('T', ' ')} UTC, createdBy ${made.createdBy}`,
    );
    say(`      matchers: ${made.matchers.map((x) => `${x.name}="${x.value}"`).join(', ')}`);
    note(`  Alertmanager itself now holds back this group's notifications until the silence ends.`);
  }
  if (am) {
    const pressed = await waitForChat('the message showing the silence', () => {
      const m = emulator.chatView(DEMO.chats.ops).find((x) => x.messageId === firing.messageId);
      return m && m.edits > 0 ? m : undefined;
    });
    ok(`message #${pressed.messageId} edited: who silenced it, until when, and an Unsilence button`);
    printChat(emulator, DEMO.chats.ops, 'Ops', firing.messageId);
  } else {
    note(`  nothing was silenced, so the message stays as it was`);
  }

  // 3. Resolved: the group's resolved notification edits the same message.
  say();
  say(`  ${bold('Resolve.')} The alert resolves; Alertmanager sends the resolved notification:`);
  await postNotification(operatorUrl, lifecyclePayload('resolved', startsAt, new Date().toISOString()), 'resolved');
  const resolved = await waitForChat('the resolve edit', () => {
    const m = emulator.chatView(DEMO.chats.ops).find((x) => x.messageId === firing.messageId);
    return m && /RESOLVED/.test(m.text) ? m : undefined;
  });
  const after = emulator.chatView(DEMO.chats.ops);
  ok(
    `message #${resolved.messageId} edited in place, buttons gone: the chat holds ${after.length - before} message for this alert, not one per notification`,
  );
  printChat(emulator, DEMO.chats.ops, 'Ops', firing.messageId);
  note(`  Alertmanager's own telegram_configs would have left two messages: the firing one, still firing, and a new resolved one.`);
  say();
  note(`What the operator remembers (group → message, silence) lives in a ConfigMap, so a restarted or new leader edits too:`);
  note(`$ kubectl get configmaps -n ${NS} -l telegram.notify.dev/episodes`);
  say(indent(await kubectl('get', 'configmaps', '-n', NS, '-l', 'telegram.notify.dev/episodes')));
}

async function waitForChannelReady(name: string): Promise<void> {
  progress(`waiting for ${name} to be verified`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    checkInterrupted();
    const ch = (await getChannels()).find((c) => c.metadata.name === name);
    const r = ch && readyOf(ch);
    if (r && r.observedGeneration === ch.metadata.generation && r.status === 'True') {
      const interactive = ch.status?.conditions?.find((c) => c.type === 'Interactive');
      ok(`${bold(name)} Ready=True  ${bold(r.reason)}: ${r.message}`);
      if (interactive) say(`    Interactive=${interactive.status}  ${interactive.reason}: ${interactive.message}`);
      return;
    }
    if (r && r.observedGeneration === ch.metadata.generation && r.status === 'False')
      throw new Error(`${name} is not Ready: ${r.reason}: ${r.message}`);
    if (Date.now() > deadline) throw new Error(`${name} was not Ready within 60 s: ${JSON.stringify(r ?? null)}; see ${rel(OPERATOR_LOG)}`);
    await sleep(300);
  }
}

async function showCli(emulator: TelegramEmulator, emulatorUrl: string, tokenFile: string): Promise<void> {
  section('The CLI: find the chat id, check a token + chat id from the terminal');
  // What Telegram would have queued for the bot: it was added to Ops, and the legacy group was upgraded.
  const botUser = { id: DEMO.bot.id, is_bot: true, first_name: DEMO.bot.firstName, username: DEMO.bot.username };
  const ann = { id: DEMO.users.ann, is_bot: false, first_name: 'Ann' };
  const now = Math.floor(Date.now() / 1000);
  emulator.addUpdate(DEMO.bot.token, {
    my_chat_member: {
      chat: { id: DEMO.chats.legacyGroup, title: 'Legacy Ops', type: 'group' },
      from: ann,
      date: now - 3600,
      old_chat_member: { user: botUser, status: 'left' },
      new_chat_member: { user: botUser, status: 'member' },
    },
  });
  emulator.addUpdate(DEMO.bot.token, {
    message: {
      message_id: 17,
      chat: { id: DEMO.chats.legacyGroup, title: 'Legacy Ops', type: 'group' },
      from: ann,
      date: now - 1800,
      migrate_to_chat_id: DEMO.chats.upgradedTo,
    },
  });
  emulator.addUpdate(DEMO.bot.token, {
    my_chat_member: {
      chat: { id: DEMO.chats.ops, title: 'Ops', type: 'supergroup' },
      from: ann,
      date: now - 60,
      old_chat_member: { user: botUser, status: 'left' },
      new_chat_member: { user: botUser, status: 'administrator', can_post_messages: true },
    },
  });
  note(
    `the emulator now holds ${emulator.pendingUpdates(DEMO.bot.token).length} pending updates for @${DEMO.bot.username} (bot added to Ops, Legacy Ops upgraded)`,
  );
  note(`the token is read from a file (${tokenFile}), never from the command line`);

  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), TELEGRAM_API_URL: emulatorUrl };
  const cli = async (args: string[], expectCode: number, meaning: string) => {
    say();
    note(`$ telegram-channel-operator ${args.join(' ')}`);
    const r = await run(process.execPath, [CLI_MAIN, ...args], { env });
    if (r.stdout.trim()) say(indent(r.stdout));
    if (r.stderr.trim()) say(indent(r.stderr));
    const line = `exit ${r.code}: ${meaning}`;
    if (r.code === expectCode) note(`  (${line})`);
    else throw new Error(`telegram-channel-operator ${args.join(' ')} exited ${r.code}, expected ${expectCode} (${meaning})`);
    checkInterrupted();
  };
  await cli(['chats', '--token-file', tokenFile], 0, 'chats listed');
  await cli(
    ['check', '--token-file', tokenFile, '--chat', CHANNELS.noMinus.chatId],
    1,
    'Ready would be False, a human must fix the chat id',
  );
  await cli(['check', '--token-file', tokenFile, '--chat', CHANNELS.healthy.chatId], 0, 'Ready would be True');
  const left = emulator.pendingUpdates(DEMO.bot.token).length;
  say();
  ok(`\`chats\` confirmed nothing: all ${left} updates are still pending for the bot's own program`);
}

async function stayUp(ctx: {
  emulator: TelegramEmulator;
  emulatorUrl: string;
  operatorUrl: string;
  operator: ChildProcess;
  tokenFile: string;
}): Promise<void> {
  stepNo++;
  say();
  say(bold(cyan(`━━ ${stepNo}/${TOTAL_STEPS}  Everything stays up (KEEP=1): explore`)));
  say(`  In another terminal:`);
  say();
  say(`    ${bold(`export KUBECONFIG=${kubeconfig}`)}`);
  say(`    kubectl get tgc -n ${NS} -o wide`);
  say(`    kubectl describe tgc ${CHANNELS.noMinus.name} -n ${NS}`);
  say(`    kubectl describe tgc ${LIFECYCLE.channel} -n ${NS}          # the Interactive condition: presses, Alertmanager`);
  say(`    kubectl edit tgc ${CHANNELS.noMinus.name} -n ${NS}        # add the minus sign and watch it turn Ready`);
  say(`    kubectl annotate tgc ${CHANNELS.healthy.name} -n ${NS} --overwrite telegram.notify.dev/alert="hello from my shell"`);
  say(`    kubectl annotate tgc ${CHANNELS.healthy.name} -n ${NS} --overwrite telegram.notify.dev/test="$(date +%s)"`);
  say();
  say(`    export TELEGRAM_API_URL=${ctx.emulatorUrl}     # the Telegram emulator`);
  say(`    node dist/cli/index.js chats --token-file ${ctx.tokenFile}`);
  say(`    node dist/cli/index.js check --token-file ${ctx.tokenFile} --chat ${DEMO.chats.legacyGroup}`);
  say();
  say(`    curl -s ${ctx.operatorUrl}/metrics | grep ^telegram      # the operator's metrics`);
  say(`    tail -f ${rel(OPERATOR_LOG)}                        # its logs`);
  say();
  say(`  Messages the emulated chats receive are shown here as they arrive.`);
  say(`  ${bold('Press Ctrl-C to tear everything down.')}`);
  say();
  let shown = ctx.emulator.messages.length;
  const names = new Map(demoScenario().chats.map((c) => [c.id, c.title ?? String(c.id)]));
  const timer = setInterval(() => {
    const all = ctx.emulator.messages;
    for (; shown < all.length; shown++) {
      const m = all[shown]!;
      say(
        `  ${green('✉')} ${new Date().toTimeString().slice(0, 8)}  to ${names.get(m.chatId) ?? m.chatId} (${m.chatId}), message #${m.messageId}:`,
      );
      say(indent(m.text, `    ${dim('│')} `));
    }
  }, 500);
  ctx.operator.once('exit', (code, signal) => {
    if (interrupted) return;
    say(red(`  ✘ the operator exited (${code ?? signal}); see ${rel(OPERATOR_LOG)}. The rest stays up; press Ctrl-C to stop.`));
  });
  await new Promise<void>((resolve) => {
    keepingUp = resolve;
    if (interrupted) resolve();
  });
  clearInterval(timer);
  say();
  say(yellow(`${interrupted ?? 'stop'}: tearing everything down…`));
}

// ---- the dashboard's summary ----------------------------------------------------------------------

/** The numbers of the dashboard's top row, from the series its panels query (no Prometheus here). */
async function showDashboardSummary(operatorUrl: string): Promise<void> {
  say();
  say(bold(cyan("━━ The dashboard's summary (monitoring/dashboard.json's top row, from the operator's /metrics)")));
  // The channel gauges are refreshed every 5 s: wait until they count every channel there is.
  const channels = (await getChannels()).length;
  const deadline = Date.now() + 10_000;
  let s = dashboardSummary(await (await fetch(`${operatorUrl}/metrics`)).text());
  while (s.channelsReady + s.notReady.length < channels && Date.now() < deadline) {
    await sleep(250);
    s = dashboardSummary(await (await fetch(`${operatorUrl}/metrics`)).text());
  }
  const total = s.channelsReady + s.notReady.length;
  ok(`channels Ready: ${s.channelsReady} of ${total}${s.notReady.length ? `; not Ready: ${s.notReady.join(', ')}` : ''}`);
  ok(`messages sent: ${s.sent}; failed: ${s.failedTotal}${s.failed.length ? ` (${s.failed.join(', ')})` : ''}`);
  note('alerts and the full dashboard for a real install: docs/operations.md, "The operator\'s own alerts"');
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<number> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  say(bold('telegram-channel-operator demo'));
  say(
    dim(
      `a local kube-apiserver + etcd, the Telegram Bot API emulator, the operator, three channels, an alert, its life in the chat and the CLI${KEEP ? ' (KEEP=1: stays up at the end)' : ''}`,
    ),
  );

  let failed = false;
  try {
    const { emulator, emulatorUrl } = await startCluster();
    const { child: operator, url: operatorUrl } = await startOperator(emulatorUrl);
    await applyChannels();
    await relayAlert(emulator);
    await alertLifecycle(emulator, operatorUrl);

    const tokenDir = mkdtempSync(path.join(os.tmpdir(), 'tgc-demo-'));
    onTeardown('removed the temporary token file', () => rmSync(tokenDir, { recursive: true, force: true }));
    const tokenFile = path.join(tokenDir, 'ops-bot.token');
    writeFileSync(tokenFile, `${DEMO.bot.token}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    await showCli(emulator, emulatorUrl, tokenFile);
    await showDashboardSummary(operatorUrl);

    if (KEEP) await stayUp({ emulator, emulatorUrl, operatorUrl, operator, tokenFile });
    else {
      stepNo++;
      say();
      say(bold(cyan(`━━ ${stepNo}/${TOTAL_STEPS}  Tear-down`)));
      note('(run `KEEP=1 make demo` to keep everything up and explore it)');
    }
  } catch (e) {
    if (e instanceof Interrupted || interrupted) {
      // The signal handler tears down and exits (a step may also fail because tear-down already began).
      await new Promise(() => undefined);
    }
    failed = true;
    KEEP_DIR_ON_EXIT = true;
    say();
    bad(red(`the demo failed: ${(e as Error).message}`));
    note(`control plane logs: ${rel(CLUSTER_DIR)}/kube-apiserver.log, etcd.log; operator log: ${rel(OPERATOR_LOG)}`);
    say();
    say(yellow('tearing down…'));
  }
  await teardown();
  say();
  if (failed) return 1;
  say(
    `${green('✔')} ${bold('Demo complete')} in ${secs(Date.now() - started)}: everything is stopped. The operator's log is in ${rel(OPERATOR_LOG)}.`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
