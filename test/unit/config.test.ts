import { loadConfig } from '../../src/config.js';

test('HTTP_PORT defaults to 8080', () => {
  expect(loadConfig({}).httpPort).toBe(8080);
});

test('WEBHOOK_MAX_CONCURRENT defaults to 4 maximum-size bodies; a bad value stops start-up naming it', () => {
  expect(loadConfig({}).webhookMaxConcurrent).toBe(4);
  expect(loadConfig({ WEBHOOK_MAX_CONCURRENT: '2' }).webhookMaxConcurrent).toBe(2);
  for (const bad of ['0', '-1', '1.5', 'many', '1000'])
    expect(() => loadConfig({ WEBHOOK_MAX_CONCURRENT: bad })).toThrow(/WEBHOOK_MAX_CONCURRENT/);
});
