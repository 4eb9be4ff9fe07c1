// What an operator that cannot reach its API server says about it: the reason (ECONNREFUSED), not just
// "fetch failed". Runs the built operator as a process; the kubeconfig points at a port nobody listens on.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startOperator, type OperatorProcess } from '../harness/operator.js';

const TOKEN = '7000000001:AATZ1fepnt_C4hBzb8nKisoeXypZcV-GDIh';

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('logs name the reason a connection failed', () => {
  let op: OperatorProcess | undefined;
  afterEach(async () => {
    await op?.stop('SIGKILL');
    op = undefined;
  });

  test('an API server on a closed port: the watch failure names ECONNREFUSED, and the kubeconfig token stays out', async () => {
    const closed = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'closed-kubeconfig-'));
    const kubeconfig = path.join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${closed}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: u, user: {token: "${TOKEN}"}}]`,
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    op = await startOperator({ KUBECONFIG: kubeconfig }, { waitReady: false });
    const line = await waitFor('a "watch failed" log line', () => op!.logs().find((r) => r.msg === 'watch failed; retrying'));
    expect(JSON.stringify(line.err)).toContain('ECONNREFUSED');
    expect(line.err).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED', port: closed } });
    expect(op.output()).not.toContain(TOKEN.split(':')[1]);
  });

  test('a kubeconfig that does not exist: the start-up failure says why', async () => {
    op = await startOperator({ KUBECONFIG: path.join(os.tmpdir(), 'no-such-kubeconfig-here') }, { waitReady: false });
    const line = await waitFor('the fatal log line', () => op!.logs().find((r) => r.level === 'fatal'));
    expect(line.msg).toBe('operator failed to start');
    expect(line.err).toMatchObject({ code: 'ENOENT' });
    expect(op.output()).not.toContain('[object Object]');
  });

  test('the start-up line shows TELEGRAM_API_URL without its user:password', async () => {
    op = await startOperator({ TELEGRAM_API_URL: 'https://ops:hunter2-pass@127.0.0.1:9/' }, { waitReady: false });
    const line = await waitFor('the start-up log line', () => op!.logs().find((r) => r.msg === 'telegram-channel-operator started'));
    expect(line.telegramApiUrl).toBe('https://<redacted>@127.0.0.1:9');
    expect(op.output()).not.toContain('hunter2');
  });

  test('a plain http:// TELEGRAM_API_URL behind HTTP_PROXY: refused at start-up with a clear reason', async () => {
    const env = { TELEGRAM_API_URL: 'http://ops:hunter2-pass@bot-api.internal:8081', HTTP_PROXY: 'http://proxy.internal:3128' };
    op = await startOperator(env, { waitReady: false });
    const line = await waitFor('the fatal log line', () => op!.logs().find((r) => r.level === 'fatal'));
    expect(line.msg).toBe('operator failed to start');
    expect((line.err as { message: string }).message).toMatch(/plain http:\/\/.*in clear.*add bot-api\.internal to NO_PROXY/);
    expect(op.output()).not.toContain('hunter2');
    expect(await op.stop()).toBe(1);
  });
});
