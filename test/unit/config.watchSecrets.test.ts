import { loadConfig } from '../../src/config.js';

describe('WATCH_SECRETS', () => {
  test('defaults to true (unset or empty)', () => {
    expect(loadConfig({}).watchSecrets).toBe(true);
    expect(loadConfig({ WATCH_SECRETS: '' }).watchSecrets).toBe(true);
  });

  test.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['true', true],
    ['1', true],
    ['yes', true],
  ])('%j → %j', (value, expected) => {
    expect(loadConfig({ WATCH_SECRETS: value }).watchSecrets).toBe(expected);
  });

  test.each(['False', 'off', 'get-only', ' false'])('%j stops start-up with a message naming the variable', (value) => {
    expect(() => loadConfig({ WATCH_SECRETS: value })).toThrow(/invalid configuration: WATCH_SECRETS: /);
  });
});
