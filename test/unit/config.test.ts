import { loadConfig } from '../../src/config.js';
import { DEFAULT_RATE_LIMITS } from '../../src/delivery/rateLimit.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT } from '../../src/http/requestBudget.js';

test('HTTP_PORT defaults to 8080', () => {
  expect(loadConfig({}).httpPort).toBe(8080);
});

test('WEBHOOK_MAX_CONCURRENT defaults to 4 maximum-size bodies; a bad value stops start-up naming it', () => {
  expect(loadConfig({}).webhookMaxConcurrent).toBe(4);
  expect(loadConfig({ WEBHOOK_MAX_CONCURRENT: '2' }).webhookMaxConcurrent).toBe(2);
  for (const bad of ['0', '-1', '1.5', 'many', '1000'])
    expect(() => loadConfig({ WEBHOOK_MAX_CONCURRENT: bad })).toThrow(/WEBHOOK_MAX_CONCURRENT/);
});

test('the defaults are the ones the sender and the webhook use when nothing is configured (one constant each)', () => {
  const c = loadConfig({});
  expect(c.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
  expect(c.rateLimits).toEqual({ perBotPerSecond: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20 });
  expect([c.webhookMaxBodyBytes, c.webhookMaxConcurrent]).toEqual([DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT]);
  expect([c.webhookMaxBodyBytes, c.webhookMaxConcurrent]).toEqual([4 * 1024 * 1024, 4]);
});
