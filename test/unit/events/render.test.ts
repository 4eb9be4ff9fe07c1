// The event messages in Telegram HTML: everything from the cluster escaped, a note of 10 KiB of markup
// cut so the message is valid and fits one Telegram message; the overflow message fits too.
import { checkMarkup, parsedLength } from '../../../src/format/markup.js';
import { TELEGRAM_TEXT_LIMIT } from '../../../src/format/split.js';
import { Aggregates } from '../../../src/events/aggregation.js';
import { renderAggregate, renderOverflow } from '../../../src/events/render.js';
import { toWarningEvent } from '../../../src/events/warningEvent.js';
import { T0, warningEvent } from './fixtures.js';

const markup = '<b>bold</b> <a href="x">&amp; <pre>`</pre></i> &#x1F600; <tg-spoiler>'.repeat(160);

test('a note of 10 KiB of markup is escaped and cut: valid HTML, one message', () => {
  expect(markup.length).toBeGreaterThan(10 * 1024);
  const aggs = new Aggregates();
  const e = toWarningEvent({
    metadata: { name: 'e1', namespace: 'team-a' },
    type: 'Warning',
    reason: '<b>BackOff</b>',
    note: markup,
    regarding: { kind: 'Pod', name: 'web-<1>', namespace: 'team-a', uid: 'u1' },
    eventTime: new Date(T0).toISOString(),
  });
  const html = renderAggregate(aggs.observe('team-a/ch', 600_000, e, T0)!);
  expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });
  expect(parsedLength(html, 'HTML')).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  expect(html).toContain('&lt;b&gt;BackOff&lt;/b&gt;');
  expect(html).toContain('Pod team-a/web-&lt;1&gt;');
  expect(html).not.toContain('<tg-spoiler>');
});

test('a repeat shows its count and when it was last seen', () => {
  const aggs = new Aggregates();
  aggs.observe('team-a/ch', 600_000, warningEvent(), T0);
  const a = aggs.observe('team-a/ch', 600_000, warningEvent({ count: 12, lastSeenMs: T0 + 90_000 }), T0 + 90_000)!;
  const html = renderAggregate(a);
  expect(html).toContain('×12');
  expect(html).toContain('last seen 2026-12-07T06:01:30Z');
});

test('the overflow message of 300 objects with long names fits one message and says how many', () => {
  const aggs = new Aggregates();
  const folded = Array.from({ length: 300 }, (_, i) =>
    aggs.observe('team-a/ch', 600_000, warningEvent({ object: `${'x'.repeat(240)}-${i}`, lastSeenMs: T0 + i }), T0 + 300)!,
  );
  const html = renderOverflow(folded);
  expect(checkMarkup(html, 'HTML')).toEqual({ ok: true });
  expect(parsedLength(html, 'HTML')).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  expect(html).toContain('and 300 more');
  expect(html).toContain('… and 285 others');
});
