// The operator's own alert rules and dashboard (monitoring/): promtool accepts the rules and their unit
// tests pass (each alert fires on the series that should fire it and stays quiet otherwise); every alert
// carries what an on-call engineer needs, with a runbook link to a heading that exists; every metric a rule
// or panel reads is one the operator exports; the kustomize copies agree with monitoring/.
import { load } from 'js-yaml';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMetrics } from '../../../src/observability/metrics.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
const RUNBOOK_BASE = 'https://github.com/telegram-channel-operator/telegram-channel-operator/blob/main/docs/troubleshooting.md#';

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (load(readFileSync(path.join(ROOT, 'monitoring/rules.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
const alerts = rules.filter((r) => r.alert);
const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'monitoring/dashboard.json'), 'utf8'));
const panelExprs: { title: string; expr: string }[] = dashboard.panels.flatMap((p: any) =>
  (p.targets ?? []).map((t: any) => ({ title: p.title, expr: t.expr })),
);

/** GitHub's anchor for a Markdown heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchors = new Set(
  readFileSync(path.join(ROOT, 'docs/troubleshooting.md'), 'utf8')
    .split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => slug(l.replace(/^#+ /, ''))),
);

function promtool(args: string[]): { code: number; out: string } {
  if (!PROMTOOL) throw new Error("promtool is not installed: apt-get install prometheus (Debian's package has it; .ci/run installs it)");
  const r = spawnSync(PROMTOOL, args, { cwd: path.join(ROOT, 'monitoring'), encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

describe('the alert rules', () => {
  it('pass promtool check rules', () => {
    const r = promtool(['check', 'rules', 'rules.yaml']);
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.code).toBe(0);
  });

  it('pass their promtool unit tests (rules.test.yaml)', () => {
    const r = promtool(['test', 'rules', 'rules.test.yaml']);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('and those unit tests notice an alert that no longer fires', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tgc-rules-'));
    try {
      cpSync(path.join(ROOT, 'monitoring/rules.test.yaml'), path.join(dir, 'rules.test.yaml'));
      const broken = readFileSync(path.join(ROOT, 'monitoring/rules.yaml'), 'utf8').replace('for: 15m', 'for: 30m');
      writeFileSync(path.join(dir, 'rules.yaml'), broken);
      const r = spawnSync(PROMTOOL!, ['test', 'rules', 'rules.test.yaml'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain('FAILED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cover what the operator can fail at, each alert tested in rules.test.yaml', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'ClusterTelegramBotNotReady',
      'TelegramChannelAlertmanagerConfigFailed',
      'TelegramChannelNotInteractive',
      'TelegramChannelNotReady',
      'TelegramDeliveriesFailing',
      'TelegramOperatorDown',
      'TelegramOperatorNoLeader',
      'TelegramRateLimited',
      'TelegramWebhookErrors',
    ]);
    const tests = readFileSync(path.join(ROOT, 'monitoring/rules.test.yaml'), 'utf8');
    for (const a of alerts) expect(tests).toMatch(new RegExp(`alertname: ${a.alert}\\n\\s+exp_alerts:`));
  });

  it.each(alerts.map((a) => [a.alert!, a]))(
    '%s has severity, summary, description and a runbook_url to a heading that exists',
    (_name, a) => {
      expect(['critical', 'warning']).toContain(a.labels?.severity);
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toBeTruthy();
      const url = a.annotations?.runbook_url ?? '';
      expect(url.startsWith(RUNBOOK_BASE)).toBe(true);
      expect([...anchors]).toContain(url.slice(RUNBOOK_BASE.length));
    },
  );

  it('every alert is listed in docs/operations.md', () => {
    const ops = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    for (const a of alerts) expect(ops).toContain(`\`${a.alert}\``);
  });
});

describe('the dashboard', () => {
  it('has the namespace and channel variables, and the per-channel panels use them', () => {
    const names = dashboard.templating.list.map((v: any) => v.name);
    expect(names).toEqual(expect.arrayContaining(['datasource', 'namespace', 'channel']));
    const perChannel = panelExprs.filter((p) => p.expr.includes('telegram_operator_channel_condition'));
    expect(perChannel.length).toBeGreaterThan(3);
    for (const p of perChannel) expect(p.expr).toContain('channel_namespace=~"$namespace", channel=~"$channel"');
  });

  it("lays its panels out on Grafana's 24-column grid without overlaps, each query with its own refId", () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`) ? `${p.title} overlaps at ${i},${j}` : '').toBe('');
          cells.add(`${i},${j}`);
        }
      const refIds = (p.targets ?? []).map((t: any) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('has the panels the issue lists', () => {
    const titles = dashboard.panels.map((p: any) => p.title);
    for (const t of [
      'Channels by Ready reason',
      'Messages sent by source',
      'Messages failed by source and reason',
      'Telegram request latency (p50, p99) by method',
      'Telegram 429 (Too Many Requests) by method',
      'Reconcile queue depth',
      'Reconcile latency (p50, p99)',
      'Webhook answers by code',
      'Button presses by action',
      'Silences from presses',
      'Episode writes',
    ])
      expect(titles).toContain(t);
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe('every metric a rule or panel reads is one the operator exports', () => {
  const exported = new Set(
    createMetrics()
      .registry.getMetricsAsArray()
      .map((m) => m.name),
  );
  const used = (expr: string) => [...expr.matchAll(/\btelegram_operator_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
  it.each([...rules.map((r) => [r.alert ?? r.expr, r.expr]), ...panelExprs.map((p) => [`panel ${p.title}`, p.expr])])(
    '%s',
    (_what, expr) => {
      const names = used(expr);
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) expect(exported).toContain(n);
    },
  );
});

describe('the kustomize copies (hack/monitoring.mjs)', () => {
  const script = path.join(ROOT, 'hack/monitoring.mjs');
  it('agree with monitoring/', () => {
    expect(() => execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });

  it('a changed rule makes the check fail, naming the stale copy', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tgc-monitoring-'));
    try {
      for (const f of ['monitoring', 'deploy/components/prometheusrule', 'deploy/components/dashboards'])
        cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
      const file = path.join(dir, 'monitoring/rules.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('for: 15m', 'for: 20m'));
      const r = spawnSync(process.execPath, [script, '--check', dir], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('deploy/components/prometheusrule/prometheusrule.yaml');
      expect(r.stderr).not.toContain('dashboards');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the chart links to monitoring/ rather than copying it', () => {
    for (const f of ['rules.yaml', 'dashboard.json'])
      expect(readFileSync(path.join(ROOT, 'charts/telegram-channel-operator/files/monitoring', f), 'utf8')).toBe(
        readFileSync(path.join(ROOT, 'monitoring', f), 'utf8'),
      );
  });
});
