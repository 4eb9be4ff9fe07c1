// The Helm chart (charts/telegram-channel-operator) against the kustomize manifests (deploy/) and a real
// kube-apiserver. One source of truth: for every kustomization, `helm template` with the matching values
// must render the same objects, compared on what matters (RBAC rules and bindings, the Deployment's pod
// spec, Service, PodDisruptionBudget, NetworkPolicy, ServiceMonitor); labels may differ (the chart adds
// Helm's own) and so may selectors, as long as each selects the operator's pods. Every render is also
// applied with a server-side dry run, and one install is applied for real to check its RBAC with
// `kubectl auth can-i`. helm itself is built from the Go module proxy (hack/helm.sh, cached).
// js-yaml is @kubernetes/client-node's own parser (a runtime dependency of it); used directly because
// client-node's loadAllYaml maps objects onto its typed models, which drop fields they do not know.
import { loadAll } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { installCrds, installServiceMonitorStandIn, kubectl, kubectlResult, serverDryRunApplied } from '../harness/crds.js';

const CHART = path.join(REPO_ROOT, 'charts/telegram-channel-operator');
const NAME = 'telegram-channel-operator';
const OPERATOR_NS = 'telegram-system';
const FIELD_MANAGER = 'helm-test';

type Values = Record<string, unknown>;
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: any;
}

/** Each kustomization and the chart values that mean the same install. */
const EQUIVALENTS: { kustomization: string; values: Values }[] = [
  { kustomization: 'deploy/base', values: {} },
  { kustomization: 'deploy/overlays/namespaced', values: { watchNamespaces: [OPERATOR_NS] } },
  { kustomization: 'deploy/overlays/secrets-get-only', values: { watchSecrets: false } },
  { kustomization: 'deploy/overlays/servicemonitor', values: { metrics: { serviceMonitor: { enabled: true } } } },
  { kustomization: 'deploy/overlays/networkpolicy', values: { networkPolicy: { enabled: true } } },
  { kustomization: 'deploy/overlays/alertmanagerconfig', values: { alertmanagerConfig: { enabled: true } } },
];

let helmPath = '';
const workDir = mkdtempSync(path.join(tmpdir(), 'tgc-helm-test-'));

function helm(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(helmPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** `helm template` with these values; the raw YAML (throws with helm's message if it refuses). */
function templateYaml(values: Values, opts: { release?: string; namespace?: string } = {}): string {
  const file = path.join(workDir, `values-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(values));
  const r = helm(['template', opts.release ?? NAME, CHART, '--namespace', opts.namespace ?? OPERATOR_NS, '--values', file]);
  if (r.code !== 0) throw new Error(r.stderr.trim());
  return r.stdout;
}

const parse = (yaml: string): Obj[] => (loadAll(yaml) as (Obj | null)[]).filter((o): o is Obj => !!o);
const template = (values: Values, opts?: { release?: string; namespace?: string }) => parse(templateYaml(values, opts));
const kustomize = (k: string) => parse(kubectl(['kustomize', path.join(REPO_ROOT, k)]));
const find = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const only = (objs: Obj[], kind: string): Obj => {
  const found = find(objs, kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};

function applyDryRun(yaml: string) {
  const args = ['apply', '--server-side', '--dry-run=server', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', '-'];
  return kubectlResult(args, yaml);
}

const sortedRules = (rules: any[]) =>
  rules
    .map((r) => ({
      apiGroups: [...(r.apiGroups ?? [])].sort(),
      resources: [...(r.resources ?? [])].sort(),
      resourceNames: [...(r.resourceNames ?? [])].sort(),
      verbs: [...r.verbs].sort(),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Replaces every label map equal to `selector` with one placeholder, so different but correct selectors compare equal. */
function withPlaceholder(value: unknown, selector: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withPlaceholder(v, selector));
  if (value && typeof value === 'object') {
    if (JSON.stringify(sortKeys(value)) === JSON.stringify(sortKeys(selector))) return '<the operator pods>';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlaceholder(v, selector)]));
  }
  return value;
}
const sortKeys = (o: object) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The parts of an install that decide what it does, keyed by namespace/kind/name. Labels are left out;
 * the Namespace (kustomize creates it, Helm installs into it) and the CRD (compared with crds/ below) too.
 */
function essentials(objs: Obj[]): Record<string, unknown> {
  const deployment = only(objs, 'Deployment');
  const selector = deployment.spec.selector.matchLabels as Record<string, string>;
  // Every selector is replaced by a placeholder below: first make sure it really selects the pods.
  expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(selector));
  const out: Record<string, unknown> = {};
  for (const o of objs) {
    if (o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition') continue;
    const key = `${o.metadata.namespace ?? ''}/${o.kind}/${o.metadata.name}`;
    switch (o.kind) {
      case 'ClusterRole':
      case 'Role':
        out[key] = sortedRules(o.rules);
        break;
      case 'ClusterRoleBinding':
      case 'RoleBinding':
        out[key] = { roleRef: o.roleRef, subjects: o.subjects };
        break;
      case 'Deployment': {
        const spec = JSON.parse(JSON.stringify(o.spec));
        for (const c of spec.template.spec.containers) c.env = [...c.env].sort((a: any, b: any) => a.name.localeCompare(b.name));
        out[key] = { ...spec, template: { annotations: spec.template.metadata.annotations, spec: spec.template.spec } };
        break;
      }
      case 'ServiceAccount':
        out[key] = { automountServiceAccountToken: o.automountServiceAccountToken };
        break;
      default:
        out[key] = o.spec;
    }
  }
  return withPlaceholder(out, selector) as Record<string, unknown>;
}

beforeAll(() => {
  // Builds helm on first use (a few minutes), then prints the cached binary's path.
  const stdio: ['ignore', 'pipe', 'inherit'] = ['ignore', 'pipe', 'inherit'];
  helmPath = execFileSync('bash', [path.join(REPO_ROOT, 'hack/helm.sh')], { encoding: 'utf8', stdio }).trim();
  installCrds();
  installServiceMonitorStandIn();
  if (kubectlResult(['get', 'namespace', OPERATOR_NS]).code !== 0) kubectl(['create', 'namespace', OPERATOR_NS]);
}, 900_000);

describe('helm lint', () => {
  it('passes --strict with no warnings', () => {
    const r = helm(['lint', '--strict', CHART]);
    expect(r.stderr).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(r.code).toBe(0);
  });
});

describe('the chart renders what deploy/ installs (one source of truth)', () => {
  it.each(EQUIVALENTS)('$kustomization = helm template with $values', ({ kustomization, values }) => {
    expect(essentials(template(values))).toEqual(essentials(kustomize(kustomization)));
  });

  it('the comparison notices a drift (a changed limit, a missing verb, an extra env var)', () => {
    const base = essentials(kustomize('deploy/base'));
    expect(essentials(template({ resources: { limits: { cpu: '500m', memory: '512Mi' } } }))).not.toEqual(base);
    expect(essentials(template({ watchSecrets: false }))).not.toEqual(base);
    expect(essentials(template({ alertmanagerConfig: { enabled: true } }))).not.toEqual(base);
    expect(essentials(template({ env: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }] }))).not.toEqual(base);
  });
});

describe('every render passes server-side validation', () => {
  it.each(EQUIVALENTS)('helm template with $values', ({ values }) => {
    const yaml = templateYaml(values);
    const r = applyDryRun(yaml);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // One "(server dry run)" line per object: nothing skipped.
    expect(serverDryRunApplied(r.stdout)).toHaveLength(parse(yaml).length);
  });

  it('and a broken render is refused by the same check', () => {
    const broken = templateYaml({}).replace('containerPort: 8080', 'containerPort: 80800');
    const r = applyDryRun(broken);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Deployment.*is invalid.*containerPort/s);
  });
});

/** Every CRD in crds/ (TelegramChannel, ClusterTelegramBot), by name. */
const crdFiles = (): Obj[] =>
  ['telegram.notify.dev_telegramchannels.yaml', 'telegram.notify.dev_clustertelegrambots.yaml']
    .map((f) => parse(readFileSync(path.join(REPO_ROOT, 'crds', f), 'utf8'))[0]!)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
const crdsOf = (objs: Obj[]) => find(objs, 'CustomResourceDefinition').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

describe('the CRDs', () => {
  it('are the ones in crds/, kept on uninstall by default', () => {
    const crds = crdsOf(template({}));
    expect(crds.map((c) => c.metadata.name)).toEqual(crdFiles().map((c) => c.metadata.name));
    crds.forEach((crd, i) => {
      expect(crd.spec).toEqual(crdFiles()[i]!.spec);
      expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    });
  });

  it('crds.keep=false drops the keep policy; crds.install=false leaves the CRDs out', () => {
    for (const crd of crdsOf(template({ crds: { keep: false } }))) expect(crd.metadata.annotations).toBeUndefined();
    expect(find(template({ crds: { install: false } }), 'CustomResourceDefinition')).toEqual([]);
  });
});

describe('helm package, install, upgrade and uninstall', () => {
  it('the packaged chart (what a release pushes) carries the CRD itself, not a link to it', () => {
    const r = helm(['package', CHART, '--destination', workDir]);
    expect(r.code).toBe(0);
    const tgz = path.join(workDir, `${NAME}-${parse(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'))[0]!.version}.tgz`);
    const out = helm(['template', NAME, tgz, '--namespace', OPERATOR_NS]);
    expect(out.code).toBe(0);
    expect(crdsOf(parse(out.stdout)).map((c) => c.spec)).toEqual(crdFiles().map((c) => c.spec));
  });

  it('installs, upgrades and uninstalls a release against the API server', () => {
    // The CRD is already in the test cluster, owned by kubectl: a Helm release would refuse to adopt it.
    const ns = `tgc-helm-install-${randomBytes(3).toString('hex')}`;
    const release = ['--namespace', ns, '--set', `watchNamespaces={${ns}}`, '--set', 'crds.install=false'];
    const install = helm(['install', 'tgc', CHART, '--create-namespace', ...release]);
    expect(install.stderr.replace(/^.*symbolic link.*\n/gm, '')).toBe('');
    expect(install.code).toBe(0);
    expect(install.stdout).toContain(`http://tgc-${NAME}.${ns}.svc:8080/webhooks/alertmanager/<namespace>/<name>`);
    const deployment = () => JSON.parse(kubectl(['get', 'deployment', `tgc-${NAME}`, '-n', ns, '-o', 'json']));
    const env = () => deployment().spec.template.spec.containers[0].env;
    expect(env()).toContainEqual({ name: 'LOG_LEVEL', value: 'info' });

    const upgrade = helm(['upgrade', 'tgc', CHART, ...release, '--set', 'logLevel=debug']);
    expect(upgrade.code).toBe(0);
    expect(env()).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });

    expect(helm(['uninstall', 'tgc', '--namespace', ns]).code).toBe(0);
    expect(kubectlResult(['get', 'deployment', `tgc-${NAME}`, '-n', ns]).code).not.toBe(0);
    expect(kubectlResult(['get', 'role', `tgc-${NAME}`, '-n', ns]).code).not.toBe(0);
    kubectlResult(['delete', 'namespace', ns, '--wait=false']);
  });
});

describe('Artifact Hub annotations in Chart.yaml', () => {
  const chart = parse(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8'))[0] as any;
  const annotation = (k: string) => parse(chart.annotations[`artifacthub.io/${k}`])[0] as any;
  it('name the CRDs, the image and the license the chart really ships', () => {
    expect(chart.annotations['artifacthub.io/operator']).toBe('true');
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(chart.annotations['artifacthub.io/license']).toBe(pkg.license);
    const listed = (annotation('crds') as { name: string }[]).sort((a, b) => a.name.localeCompare(b.name));
    expect(listed).toEqual(
      crdFiles().map((f) => expect.objectContaining({ kind: f.spec.names.kind, name: f.metadata.name, version: f.spec.versions[0].name })),
    );
    const image = only(template({}), 'Deployment').spec.template.spec.containers[0].image;
    expect(annotation('images')).toEqual([expect.objectContaining({ image })]);
    expect(chart.appVersion).toBe(pkg.version);
    for (const link of annotation('links')) expect(new URL(link.url).protocol).toBe('https:');
  });

  it('the CRD examples are valid for the API server, one per kind', () => {
    const examples = annotation('crdsExamples') as Obj[];
    expect(examples.map((e) => e.kind).sort()).toEqual(['ClusterTelegramBot', 'TelegramChannel']);
    for (const ex of examples) {
      const namespace = ex.kind === 'ClusterTelegramBot' ? {} : { namespace: OPERATOR_NS };
      const r = applyDryRun(JSON.stringify({ ...ex, metadata: { ...ex.metadata, ...namespace } }));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });
});

describe('values beyond the kustomize overlays', () => {
  it('watchNamespaces with several namespaces: a Role and RoleBinding in each, no ClusterRole, WATCH_NAMESPACE lists them', () => {
    const objs = template({ watchNamespaces: ['team-a', 'team-b'] });
    expect(find(objs, 'ClusterRole')).toEqual([]);
    const roles = find(objs, 'Role').filter((r) => r.metadata.name === NAME);
    expect(roles.map((r) => r.metadata.namespace)).toEqual(['team-a', 'team-b']);
    expect(
      find(objs, 'RoleBinding')
        .filter((r) => r.metadata.name === NAME)
        .map((r) => r.subjects),
    ).toEqual([
      [{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NS }],
      [{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NS }],
    ]);
    const env = only(objs, 'Deployment').spec.template.spec.containers[0].env;
    expect(env.filter((e: any) => e.name === 'WATCH_NAMESPACE')).toEqual([{ name: 'WATCH_NAMESPACE', value: 'team-a,team-b' }]);
  });

  it("env replaces a variable the chart sets (once) and adds new ones after the chart's", () => {
    const env = only(
      template({
        env: [
          { name: 'LOG_LEVEL', value: 'debug' },
          { name: 'NO_PROXY', value: '.svc' },
        ],
      }),
      'Deployment',
    ).spec.template.spec.containers[0].env;
    expect(env.filter((e: any) => e.name === 'LOG_LEVEL')).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(env.at(-1)).toEqual({ name: 'NO_PROXY', value: '.svc' });
  });

  it('conventional values reach the pod: image, pull secrets, scheduling, annotations, ServiceAccount', () => {
    const objs = template({
      image: { repository: 'registry.example.com/tgc', tag: '1.2.3', pullPolicy: 'Always' },
      imagePullSecrets: [{ name: 'regcred' }],
      replicaCount: 3,
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: {} },
      podAnnotations: { 'example.com/a': 'b' },
      serviceAccount: { name: 'custom-sa', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } },
    });
    const d = only(objs, 'Deployment');
    const pod = d.spec.template.spec;
    expect(d.spec.replicas).toBe(3);
    expect(pod.containers[0].image).toBe('registry.example.com/tgc:1.2.3');
    expect(pod.containers[0].imagePullPolicy).toBe('Always');
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.tolerations).toHaveLength(1);
    expect(pod.affinity).toEqual({ nodeAffinity: {} });
    expect(d.spec.template.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/default-container': 'operator', 'example.com/a': 'b' });
    expect(pod.serviceAccountName).toBe('custom-sa');
    const sa = only(objs, 'ServiceAccount');
    expect(sa.metadata.name).toBe('custom-sa');
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' });
    for (const b of [...find(objs, 'ClusterRoleBinding'), ...find(objs, 'RoleBinding')]) expect(b.subjects[0].name).toBe('custom-sa');
  });

  it('rbac.create=false and serviceAccount.create=false install no RBAC and no ServiceAccount', () => {
    const objs = template({ rbac: { create: false }, serviceAccount: { create: false, name: 'existing' } });
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount']) expect(find(objs, kind)).toEqual([]);
    expect(only(objs, 'Deployment').spec.template.spec.serviceAccountName).toBe('existing');
  });

  it('leaderElection.enabled=false with one replica: no Lease Role, LEADER_ELECTION=false', () => {
    const objs = template({ leaderElection: { enabled: false }, replicaCount: 1 });
    expect(find(objs, 'Role').filter((r: any) => r.metadata.name.endsWith('-leader-election'))).toEqual([]);
    const env = only(objs, 'Deployment').spec.template.spec.containers[0].env;
    expect(env.filter((e: any) => e.name === 'LEADER_ELECTION')).toEqual([{ name: 'LEADER_ELECTION', value: 'false' }]);
  });

  it('alertmanagerConfig: its rule on the ClusterRole, or on the Role in each watched namespace; WEBHOOK_BASE_URL is the Service', () => {
    const rule = { apiGroups: ['monitoring.coreos.com'], resources: ['alertmanagerconfigs'], verbs: expect.any(Array) };
    const cluster = template({ alertmanagerConfig: { enabled: true } }, { release: 'obs', namespace: 'ops' });
    expect(only(cluster, 'ClusterRole').rules).toContainEqual(rule);
    const env = only(cluster, 'Deployment').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'WEBHOOK_BASE_URL', value: `http://obs-${NAME}.ops.svc:8080` });
    const namespaced = template({ alertmanagerConfig: { enabled: true }, watchNamespaces: ['team-a'] });
    expect(find(namespaced, 'Role').find((r) => r.metadata.namespace === 'team-a')!.rules).toContainEqual(rule);
    const custom = template({ alertmanagerConfig: { enabled: true, webhookBaseUrl: 'https://tgc.example.com' } });
    expect(only(custom, 'Deployment').spec.template.spec.containers[0].env).toContainEqual({
      name: 'WEBHOOK_BASE_URL',
      value: 'https://tgc.example.com',
    });
    expect(only(template({}), 'ClusterRole').rules).not.toContainEqual(rule);
  });

  it('the ServiceMonitor takes extra labels (e.g. for kube-prometheus-stack) and selects the Service', () => {
    const objs = template({ metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } });
    const sm = only(objs, 'ServiceMonitor');
    expect(sm.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(only(objs, 'Service').metadata.labels).toEqual(expect.objectContaining(sm.spec.selector.matchLabels));
  });
});

describe('bad values are refused with a message that says what to change', () => {
  const refused = (values: Values) => {
    try {
      templateYaml(values);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error(`helm template accepted ${JSON.stringify(values)}`);
  };

  it.each([
    [{ leaderElection: { enabled: false } }, /leaderElection.enabled=false needs replicaCount: 1 \(got 2\)/],
    [{ watchNamespaces: ['Team_A'] }, /watchNamespaces\/0.*does not match pattern/s],
    [{ logLevel: 'verbose' }, /logLevel.*value must be one of/s],
    [{ replicaCount: 0 }, /replicaCount.*minimum/s],
    [{ resyncPeriodSeconds: -5 }, /resyncPeriodSeconds/],
    [{ telegramApiUrl: 'api.telegram.org' }, /telegramApiUrl.*does not match pattern/s],
    [{ image: { pullPolicy: 'Sometimes' } }, /pullPolicy.*value must be one of/s],
    // An empty `from` would admit everyone, the opposite of what an empty list looks like.
    [{ networkPolicy: { enabled: true, ingressFrom: [] } }, /ingressFrom.*minItems/s],
    [{ service: { port: 80800 } }, /service\/port.*maximum/s],
    // The URL goes into AlertmanagerConfigs that application teams can read.
    [{ alertmanagerConfig: { enabled: true, webhookBaseUrl: 'http://user:pass@tgc:8080' } }, /webhookBaseUrl.*does not match pattern/s],
    [{ alertmanagerConfig: { enabled: true, webhookBaseUrl: 'http://tgc:8080/?token=x' } }, /webhookBaseUrl.*does not match pattern/s],
  ] as [Values, RegExp][])('%j', (values, message) => {
    expect(refused(values)).toMatch(message);
  });
});

describe('installed for real under another release name and namespace', () => {
  const suffix = randomBytes(3).toString('hex');
  const ns = `tgc-helm-${suffix}`;
  const release = `tgc-${suffix}`;
  const fullname = `${release}-${NAME}`;
  let objs: Obj[] = [];

  beforeAll(() => {
    kubectl(['create', 'namespace', ns]);
    // What docs/install.md tells users to do: the restricted Pod Security Standard on the namespace.
    kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
    objs = template({ watchSecrets: false, crds: { install: false } }, { release, namespace: ns });
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs });
    kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], list);
  });

  afterAll(() => {
    kubectlResult(['delete', 'clusterrolebinding,clusterrole', fullname, '--ignore-not-found']);
    kubectlResult(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  const can = (verb: string, resource: string, where: string[]) => {
    const as = [`--as=system:serviceaccount:${ns}:${fullname}`, '--as-group=system:serviceaccounts'];
    const args = ['auth', 'can-i', verb, resource, ...as, ...where];
    return kubectlResult(args).stdout.trim();
  };

  it('names everything after the release', () => {
    expect(only(objs, 'Deployment').metadata.name).toBe(fullname);
    expect(only(objs, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: fullname, namespace: ns }]);
  });

  it('its ServiceAccount may do what the operator needs with watchSecrets=false, and no more', () => {
    expect(can('get', 'secrets', ['-n', 'default'])).toBe('yes');
    expect(can('list', 'secrets', ['--all-namespaces'])).toBe('no');
    expect(can('watch', 'secrets', ['-n', 'default'])).toBe('no');
    expect(can('watch', 'telegramchannels.telegram.notify.dev', ['--all-namespaces'])).toBe('yes');
    expect(can('patch', 'telegramchannels.telegram.notify.dev', ['-n', 'default', '--subresource=status'])).toBe('yes');
    expect(can('update', 'telegramchannels.telegram.notify.dev', ['-n', 'default'])).toBe('no');
    expect(can('update', 'leases.coordination.k8s.io/telegram-channel-operator', ['-n', ns])).toBe('yes');
    expect(can('update', 'leases.coordination.k8s.io/someone-elses', ['-n', ns])).toBe('no');
    expect(can('create', 'leases.coordination.k8s.io', ['-n', 'default'])).toBe('no');
  });

  it('its pod passes the "restricted" Pod Security Standard', () => {
    const d = only(objs, 'Deployment');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pss-probe', namespace: ns }, spec: d.spec.template.spec };
    const r = kubectlResult(['create', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
