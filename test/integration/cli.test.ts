// The package's command end to end: the built bin (node dist/cli/index.js) as a child process, the
// token read from a real Secret on the test kube-apiserver (or stdin, or a file), Telegram emulated.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { installCrds, kubectlResult } from '../harness/crds.js';
import { clients, createNamespace } from '../harness/kube.js';
import { ensureBuilt } from '../harness/operator.js';
import { DEMO, demoScenario } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';

const BIN = path.join(REPO_ROOT, 'dist/cli/index.js');
const TOKEN = DEMO.bot.token;
const SECRET_PART = TOKEN.split(':')[1]!;
const { core } = clients();

let ns: string;
let emu: TelegramEmulator;
let base: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', KUBECONFIG: process.env.KUBECONFIG ?? '', TELEGRAM_API_URL: base, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

beforeAll(async () => {
  ensureBuilt();
  ns = await createNamespace('cli');
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'telegram-bot' }, stringData: { token: `${TOKEN}\n`, chatId: String(DEMO.chats.ops) } },
  });
  emu = new TelegramEmulator(demoScenario(), { limits: false, pollingQuirks: false, conflictDelayMs: 0 });
  base = await emu.start();
  const bot = { id: DEMO.bot.id, is_bot: true, first_name: 'Ops Alerts', username: 'ops_alerts_bot' };
  emu.addUpdate(TOKEN, {
    my_chat_member: {
      chat: { id: DEMO.chats.ops, title: 'Ops', type: 'supergroup' },
      from: { id: DEMO.users.ann, is_bot: false, first_name: 'Ann' },
      date: 1731694471,
      old_chat_member: { user: bot, status: 'left' },
      new_chat_member: { user: bot, status: 'administrator' },
    },
  });
});

afterAll(async () => {
  await emu?.stop();
});

test('the bin has a shebang and prints usage', async () => {
  const r = await cli(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Usage:\n\s+telegram-channel-operator chats/);
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});

test('chats with the token from a Secret on the apiserver', async () => {
  const r = await cli(['chats', '--secret', `${ns}/telegram-bot`]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^-1001000000001\s+supergroup\s+Ops\s+bot added \(administrator\)/m);
  expect(r.stdout + r.stderr).not.toContain(SECRET_PART);
  expect(emu.pendingUpdates(TOKEN)).toHaveLength(1); // nothing confirmed
});

test('chats --chat -o json: a manifest that references the Secret it read', async () => {
  const r = await cli(['chats', '--secret', `${ns}/telegram-bot:token`, '--chat', '-1001000000001', '-o', 'json']);
  expect(r.code).toBe(0);
  const list = JSON.parse(r.stdout) as {
    items: { kind: string; metadata: { namespace: string }; spec: { chatId: string; tokenSecretRef: { name: string } } }[];
  };
  expect(list.items).toHaveLength(1);
  expect(list.items[0]).toMatchObject({
    kind: 'TelegramChannel',
    metadata: { namespace: ns },
    spec: { chatId: '-1001000000001', tokenSecretRef: { name: 'telegram-bot' } },
  });
});

test('the YAML manifest (placeholder Secret + channel) passes the CRD schema on the apiserver', async () => {
  installCrds();
  const r = await cli(['chats', '-', '--chat', '-1001000000001', '-n', ns, '--name', 'ops-from-cli'], { stdin: TOKEN });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('token: "<paste your token>"');
  expect(r.stdout).not.toContain(SECRET_PART);
  const applied = kubectlResult(['apply', '--dry-run=server', '-f', '-'], r.stdout);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  expect(applied.stdout).toMatch(/telegramchannel.telegram.notify.dev\/ops-from-cli created \(server dry run\)/);
});

test('a missing Secret or key: exit 1 with the reason', async () => {
  const missing = await cli(['check', '--secret', `${ns}/nope`, '--chat', '-1001000000001']);
  expect(missing.code).toBe(1);
  expect(missing.stdout).toMatch(/SecretNotFound: Secret .*\/nope not found/);
  const noKey = await cli(['check', '--secret', `${ns}/telegram-bot:missing`, '--chat', '-1001000000001']);
  expect(noKey.code).toBe(1);
  expect(noKey.stdout).toMatch(/SecretKeyNotFound: .*it has: .*token/);
});

test('check from a piped token: exit codes 0 / 1 / 3', async () => {
  const ok = await cli(['check', '--chat', String(DEMO.chats.ops)], { stdin: `${TOKEN}\n` });
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/✔ Ready/);

  const dir = mkdtempSync(path.join(tmpdir(), 'tgc-cli-'));
  writeFileSync(path.join(dir, 'token'), TOKEN);
  const migrated = await cli(['check', '--token-file', path.join(dir, 'token'), '--chat', String(DEMO.chats.legacyGroup)]);
  expect(migrated.code).toBe(1);
  expect(migrated.stdout).toMatch(/ChatMigrated/);

  const down = await cli(['check', '-', '--chat', String(DEMO.chats.ops)], {
    stdin: TOKEN,
    env: { TELEGRAM_API_URL: 'http://127.0.0.1:1' },
  });
  expect(down.code).toBe(3);
  for (const r of [ok, migrated, down]) expect(r.stdout + r.stderr).not.toContain(SECRET_PART);
});

test('--token is refused with exit 2', async () => {
  const r = await cli(['chats', '--token', TOKEN]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/shell history/);
  expect(r.stderr).not.toContain(SECRET_PART);
});
