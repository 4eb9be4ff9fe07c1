// WEBHOOK_BASE_URL: the base of the webhook URL written into every generated AlertmanagerConfig.
import { loadConfig } from '../../src/config.js';

test('defaults to the in-cluster Service; a trailing slash is fine and dropped', () => {
  expect(loadConfig({}).webhookBaseUrl).toBe('http://telegram-channel-operator.telegram-system.svc:8080');
  expect(loadConfig({ WEBHOOK_BASE_URL: 'https://tgc.example.com/prefix/' }).webhookBaseUrl).toBe('https://tgc.example.com/prefix');
  expect(loadConfig({ WEBHOOK_BASE_URL: 'http://127.0.0.1:8080' }).webhookBaseUrl).toBe('http://127.0.0.1:8080');
});

test.each([
  ['http://user:s3cr3t-t0ken@tgc.example.com', /WEBHOOK_BASE_URL: must not contain a user or password/],
  ['http://onlyuser@tgc.example.com', /WEBHOOK_BASE_URL: must not contain a user or password/],
  ['http://tgc.example.com/?token=abc', /WEBHOOK_BASE_URL: must not have a query/],
  ['http://tgc.example.com/#x', /WEBHOOK_BASE_URL: must not have a fragment/],
  ['ftp://tgc.example.com', /WEBHOOK_BASE_URL: must be an http:\/\/ or https:\/\/ URL/],
  ['tgc.example.com:8080', /WEBHOOK_BASE_URL: must be an http:\/\/ or https:\/\/ URL/],
])('%s stops start-up with a clear message that does not echo the value', (value, message) => {
  let error = '';
  try {
    loadConfig({ WEBHOOK_BASE_URL: value });
  } catch (e) {
    error = (e as Error).message;
  }
  expect(error).toMatch(message);
  expect(error).not.toContain('s3cr3t');
  expect(error).not.toContain('token=abc');
});
