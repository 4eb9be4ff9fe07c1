// The PrometheusRule and the dashboard ConfigMap as users install them, against the real API server with
// the Prometheus Operator's own PrometheusRule CRD (its schema validates every rule): the chart's
// `helm template --set prometheusRule.enabled=true --set dashboards.enabled=true` and the kustomize
// components are applied for real, carry the same rules and dashboard as monitoring/, and a broken rule
// is refused by the same validation.
import { load, loadAll } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { installCrds, kubectl, kubectlResult } from '../harness/crds.js';
import { createNamespace } from '../harness/kube.js';
import { installPrometheusOperatorCrds } from '../harness/prometheusOperator.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
}

const CHART = path.join(REPO_ROOT, 'charts/telegram-channel-operator');
const rulesFile = load(readFileSync(path.join(REPO_ROOT, 'monitoring/rules.yaml'), 'utf8')) as { groups: unknown[] };
const dashboardJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'monitoring/dashboard.json'), 'utf8'));
const parse = (yaml: string) => (loadAll(yaml) as (Obj | null)[]).filter((o): o is Obj => !!o);
let helmPath = '';
let ns = '';

function helmTemplate(args: string[]): Obj[] {
  return parse(
    execFileSync(helmPath, ['template', 'tgc', CHART, '--namespace', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}
const one = (objs: Obj[], kind: string): Obj => {
  const found = objs.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const apply = (o: Obj) => kubectlResult(['apply', '--server-side', '--field-manager=tgc-test', '-f', '-'], JSON.stringify(o));

beforeAll(() => {
  const stdio: ['ignore', 'pipe', 'inherit'] = ['ignore', 'pipe', 'inherit'];
  helmPath = execFileSync('bash', [path.join(REPO_ROOT, 'hack/helm.sh')], { encoding: 'utf8', stdio }).trim();
  installPrometheusOperatorCrds(['prometheusrules']);
}, 900_000);

beforeEach(async () => {
  ns = await createNamespace('promrule');
});

describe('the chart', () => {
  it('renders nothing of either by default', () => {
    const objs = helmTemplate([]);
    expect(objs.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(objs.filter((o) => o.metadata.labels?.grafana_dashboard)).toEqual([]);
  });

  it('prometheusRule.enabled=true: a PrometheusRule with the rules of monitoring/rules.yaml, which the API server accepts', () => {
    const rule = one(
      helmTemplate(['--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.labels.release=kube-prometheus-stack']),
      'PrometheusRule',
    );
    expect(rule.metadata.namespace).toBe(ns);
    expect(rule.metadata.labels).toEqual(
      expect.objectContaining({ release: 'kube-prometheus-stack', 'app.kubernetes.io/part-of': 'telegram-channel-operator' }),
    );
    expect(rule.spec).toEqual(rulesFile);
    const r = apply(rule);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const stored = JSON.parse(kubectl(['get', 'prometheusrule', '-n', ns, rule.metadata.name, '-o', 'json']));
    expect(stored.spec).toEqual(rulesFile);
  });

  it('prometheusRule.namespace puts it elsewhere', async () => {
    const other = await createNamespace('promrule-other');
    const rule = one(
      helmTemplate(['--set', 'prometheusRule.enabled=true', '--set', `prometheusRule.namespace=${other}`]),
      'PrometheusRule',
    );
    expect(rule.metadata.namespace).toBe(other);
    expect(apply(rule).code).toBe(0);
  });

  it('dashboards.enabled=true: a ConfigMap labelled grafana_dashboard: "1" holding monitoring/dashboard.json', () => {
    const objs = helmTemplate(['--set', 'dashboards.enabled=true', '--set', 'dashboards.annotations.grafana_folder=Telegram']);
    const cm = one(objs, 'ConfigMap');
    expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Telegram' });
    expect(JSON.parse(cm.data['telegram-channel-operator.json'])).toEqual(dashboardJson);
    expect(apply(cm).code).toBe(0);
  });

  it('a broken rule is refused by the same validation', () => {
    const rule = one(helmTemplate(['--set', 'prometheusRule.enabled=true']), 'PrometheusRule');
    rule.spec.groups[0].rules[0].for = '15 minutes';
    const r = apply(rule);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/spec\.groups\[0\]\.rules\[0\]\.for/);
  });
});

describe('the kustomize components', () => {
  const kustomize = (dir: string) => parse(kubectl(['kustomize', path.join(REPO_ROOT, dir)]));

  it('deploy/overlays/prometheusrule: the same rules as the chart, accepted by the API server', () => {
    const rule = one(kustomize('deploy/overlays/prometheusrule'), 'PrometheusRule');
    expect(rule.metadata.namespace).toBe('telegram-system');
    expect(rule.spec).toEqual(rulesFile);
    const r = apply({ ...rule, metadata: { ...rule.metadata, namespace: ns } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('deploy/overlays/dashboards: the same dashboard as the chart, labelled for the Grafana sidecar', () => {
    const cm = one(kustomize('deploy/overlays/dashboards'), 'ConfigMap');
    expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(cm.data['telegram-channel-operator.json'])).toEqual(dashboardJson);
    expect(apply({ ...cm, metadata: { ...cm.metadata, namespace: ns } }).code).toBe(0);
  });
});

describe('docs/operations.md', () => {
  it("the TelegramChannel that routes the operator's own alerts is valid for the API server", () => {
    installCrds();
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/operations.md'), 'utf8');
    const section = doc.slice(doc.indexOf("### Routing the operator's alerts to Telegram through the operator"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const ch = load(yaml!) as Obj;
    expect(ch.kind).toBe('TelegramChannel');
    const r = kubectlResult(
      ['apply', '--server-side', '--dry-run=server', '--field-manager=tgc-test', '-f', '-'],
      JSON.stringify({ ...ch, metadata: { ...ch.metadata, namespace: ns } }),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
