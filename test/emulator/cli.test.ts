// The standalone runner: starts, tells where it listens and what it serves without leaking tokens,
// answers real requests, and exits cleanly on SIGTERM.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { demoScenario, DEMO } from './scenario.js';
import { describeScenario, redactToken } from './summary.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

test('tokens are shown as id:****', () => {
  expect(redactToken(DEMO.bot.token)).toBe(`${DEMO.bot.id}:****`);
  expect(redactToken('garbage')).toBe('****');
});

test('the summary lists bots and chats but never a token secret', () => {
  const text = describeScenario(demoScenario()).join('\n');
  expect(text).toContain('@ops_alerts_bot');
  expect(text).toContain(String(DEMO.chats.legacyGroup));
  expect(text).toContain(`upgraded to ${DEMO.chats.upgradedTo}`);
  expect(text).toContain('forum topics 42,77');
  expect(text).toContain(`${DEMO.bot.id}:administrator(topics)`);
  for (const b of demoScenario().bots) expect(text).not.toContain(b.token.split(':')[1]);
});

test('cli serves the demo scenario and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1] && out.includes('chats:')) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const res = await fetch(`${base}/bot${DEMO.bot.token}/getMe`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { username: string } }).result.username).toBe('ops_alerts_bot');
    expect(out).toContain(`${DEMO.bot.id}:****`);
    expect(out).not.toContain(DEMO.bot.token);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(out).toContain('SIGTERM: stopping');
}, 30_000);
