// The engine's safety settings, seen from outside: everything goes through the worker pool as it will
// in production.
import { RenderPool } from '../../../src/template/pool.js';

let pool: RenderPool;
beforeAll(() => {
  pool = new RenderPool({ size: 1 });
});
afterAll(() => pool.close());

const render = (template: string, data: Record<string, unknown> = {}, timeZone?: string) => pool.render({ template, data, timeZone });

describe('template engine', () => {
  it('escapes every output: a label value cannot open a link or close a tag', async () => {
    const result = await render('<b>{{ labels.alertname }}</b>', { labels: { alertname: '</b><a href="http://evil.example">x</a>' } });
    expect(result).toEqual({ ok: true, output: '<b>&lt;/b&gt;&lt;a href=&#34;http://evil.example&#34;&gt;x&lt;/a&gt;</b>' });
  });

  it('text format leaves values as they are, for plain-text names such as a forum topic', async () => {
    const result = await pool.render({ template: '{{ labels.team }} & friends', data: { labels: { team: 'R&D <core>' } }, format: 'text' });
    expect(result).toEqual({ ok: true, output: 'R&D <core> & friends' });
    // The same text in html format is escaped: each format has its own engine and cache entry.
    expect(await render('{{ labels.team }} & friends', { labels: { team: 'R&D <core>' } })).toEqual({
      ok: true,
      output: 'R&amp;D &lt;core&gt; & friends',
    });
  });

  it('the raw filter opts out of escaping', async () => {
    expect(await render('{{ link | raw }}', { link: '<a href="https://grafana.example">dashboard</a>' })).toEqual({
      ok: true,
      output: '<a href="https://grafana.example">dashboard</a>',
    });
  });

  it('sees own properties only: no constructor, __proto__ or inherited methods', async () => {
    const result = await render(
      '[{{ labels.constructor }}|{{ labels.__proto__ }}|{{ labels.toString }}|{{ labels.hasOwnProperty }}|{{ labels.constructor.constructor }}|{{ alerts.constructor.name }}]',
      { labels: { a: '1' }, alerts: [] },
    );
    expect(result).toEqual({ ok: true, output: '[|||||]' });
  });

  it('an unknown filter is an error with line and column', async () => {
    expect(await render('first line\n  {{ labels.severity | shout }}', { labels: {} })).toEqual({
      ok: false,
      failure: { kind: 'filter', message: 'shout', line: 2, column: 3 },
    });
  });

  it('a syntax error names its line and column', async () => {
    const result = await render('ok\n{% if %}yes{% endif %}');
    expect(result).toMatchObject({ ok: false, failure: { kind: 'syntax', line: 2, column: 6 } });
  });

  it('cannot read files: include and render fail instead of reaching the disk', async () => {
    for (const tag of ['{% include "/etc/passwd" %}', '{% render "/etc/hostname" %}', '{% layout "/etc/passwd" %}x']) {
      const result = await render(tag);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain('root:');
    }
  });

  it('renders a 64 KiB template', async () => {
    const line = '<b>{{ labels.alertname }}</b> {{ labels.instance | upcase }}\n';
    const lines = line.repeat(Math.floor((64 * 1024) / line.length));
    const template = lines + '.'.repeat(64 * 1024 - lines.length);
    expect(template.length).toBe(64 * 1024);
    const result = await render(template, { labels: { alertname: 'A&B', instance: 'web-1' } });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.output.startsWith('<b>A&amp;B</b> WEB-1\n')).toBe(true);
  });

  it('formats dates in the time zone it is given', async () => {
    const template = '{{ t | date: "%Y-%m-%d %H:%M %z" }}';
    expect(await render(template, { t: '2026-03-29T01:30:00Z' }, 'Europe/Berlin')).toEqual({ ok: true, output: '2026-03-29 03:30 +0200' });
    expect(await render(template, { t: '2026-03-29T01:30:00Z' })).toEqual({ ok: true, output: '2026-03-29 01:30 +0000' });
  });

  it('an unknown time zone is refused as such, not blamed on the template', async () => {
    expect(await render('{{ t | date: "%H:%M" }}', { t: '2026-03-29T01:30:00Z' }, 'Mars/Olympus_Mons')).toEqual({
      ok: false,
      failure: { kind: 'timeZone', message: 'unknown time zone "Mars/Olympus_Mons"' },
    });
  });

  it('compiles a template once per worker and reuses it with new data', async () => {
    const template = 'n = {{ n }}';
    const before = pool.compilations;
    const outputs = await Promise.all([1, 2, 3].map((n) => render(template, { n })));
    expect(outputs).toEqual([1, 2, 3].map((n) => ({ ok: true, output: `n = ${n}` })));
    expect(pool.compilations).toBe(before + 1); // this pool has one worker
    await render('n is {{ n }}', { n: 4 });
    expect(pool.compilations).toBe(before + 2);
  });
});
