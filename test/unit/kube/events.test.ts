import { EVENT_LIMITS, eventName, truncateUtf8 } from '../../../src/kube/events.js';
import { ELLIPSIS } from '../../../src/kube/statusLimits.js';

describe('eventName', () => {
  const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

  test('is the channel name and a unique suffix', () => {
    expect(eventName('alerts', new Date(0x18f0000000))).toMatch(/^alerts\.18f0000000[0-9a-f]{4}$/);
  });

  test('a 253-character channel name still makes a valid name', () => {
    const name = eventName(`${'a'.repeat(230)}.${'b'.repeat(22)}`, new Date('2099-12-31T00:00:00Z'));
    expect(name.length).toBeLessThanOrEqual(EVENT_LIMITS.name);
    expect(name).toMatch(DNS_SUBDOMAIN);
  });

  test('a cut that lands after a dot or dash does not leave it dangling', () => {
    const name = eventName(`${'a'.repeat(235)}-.x${'b'.repeat(15)}`, new Date());
    expect(name).toMatch(DNS_SUBDOMAIN);
  });
});

describe('truncateUtf8', () => {
  test('keeps short text', () => {
    expect(truncateUtf8('hello', 1024)).toBe('hello');
  });

  test('multi-byte text is cut by bytes, on a character boundary', () => {
    const out = truncateUtf8('ж'.repeat(1000), EVENT_LIMITS.messageBytes);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1024);
    expect(out.endsWith(ELLIPSIS)).toBe(true);
    expect(out.slice(0, -1)).toMatch(/^ж+$/);
  });
});
