// Serves the emulator on its own: `tsx test/emulator/cli.ts [--port N] [--scenario file.json]`.
// Point the operator at it with TELEGRAM_API_URL=<printed base URL>.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { demoScenario, type Scenario } from './scenario.js';
import { TelegramEmulator } from './server.js';
import { describeScenario } from './summary.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      scenario: { type: 'string' },
      'no-limits': { type: 'boolean' },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${values.port ?? process.env.PORT}`);
  const scenario: Scenario = values.scenario ? (JSON.parse(readFileSync(values.scenario, 'utf8')) as Scenario) : demoScenario();

  const emulator = new TelegramEmulator(scenario, values['no-limits'] ? { limits: false } : {});
  const base = await emulator.start(port, values.host ?? '127.0.0.1');
  console.log(`Telegram Bot API emulator listening on ${base}`);
  console.log(`  requests go to ${base}/bot<token>/<method>; set TELEGRAM_API_URL=${base}`);
  for (const line of describeScenario(scenario)) console.log(line);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (${emulator.requests.length} requests, ${emulator.messages.length} messages delivered)`);
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
