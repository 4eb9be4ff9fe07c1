// Every press is counted once by its action, whatever its outcome (here: episodes the store no longer
// has, and data that names no action), and the count reaches the metric main.ts wires it to.
import { PressAuthorizer } from '../../../src/interaction/authorize.js';
import { ANSWERS, PressHandler } from '../../../src/interaction/pressHandler.js';
import { createLogger } from '../../../src/observability/log.js';
import { createMetrics } from '../../../src/observability/metrics.js';

test('presses are counted by action: silence, unsilence, ack, unknown', async () => {
  const metrics = createMetrics();
  const answers: string[] = [];
  const handler = new PressHandler({
    episodes: { get: async () => undefined, update: async () => undefined },
    renderer: { refresh: async () => undefined },
    getChannel: () => undefined,
    botOf: () => undefined,
    alertmanagerFor: async () => ({ ok: false, reason: 'AlertmanagerUnreachable', message: 'not used' }),
    answer: async (_t, _id, text) => void answers.push(text),
    pressed: (action) => metrics.buttonPresses.inc({ action }),
    log: createLogger('silent'),
  });
  const bot = { token: '1:x', key: 'k', authorizer: new PressAuthorizer(async () => ({ status: 'left' })) };
  const from = { id: 1, first_name: 'A' };
  let n = 0;
  for (const data of ['s:ep1:0', 's:ep2:1', 'u:ep1', 'a:ep1', 'nonsense']) await handler.handle(bot, { id: String(++n), from, data });
  expect(answers).toEqual([ANSWERS.gone, ANSWERS.gone, ANSWERS.gone, ANSWERS.gone, ANSWERS.unknown]);
  const lines = (await metrics.registry.getSingleMetricAsString('telegram_operator_button_presses_total'))
    .split('\n')
    .filter((l) => l.startsWith('telegram_operator_button_presses_total'))
    .sort();
  expect(lines).toEqual([
    'telegram_operator_button_presses_total{action="ack"} 1',
    'telegram_operator_button_presses_total{action="silence"} 2',
    'telegram_operator_button_presses_total{action="unknown"} 1',
    'telegram_operator_button_presses_total{action="unsilence"} 1',
  ]);
});
