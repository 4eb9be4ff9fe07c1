import { loadConfig } from '../../src/config.js';

test('HTTP_PORT defaults to 8080', () => {
  expect(loadConfig({}).httpPort).toBe(8080);
});
