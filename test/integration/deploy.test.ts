// The install manifests against a real kube-apiserver: every kustomization under deploy/ builds,
// passes server-side validation as shipped (server-side dry-run), and — applied for real into
// namespaces of their own — grants the operator's ServiceAccount exactly what it needs, proven with
// `kubectl auth can-i --as=system:serviceaccount:...` (impersonation; the test user is a cluster admin).
// There is no kubelet or controller-manager: the Deployment is stored and validated, never run.
import { loadAllYaml } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { installCrds, installServiceMonitorStandIn, kubectl, kubectlResult, serverDryRunApplied } from '../harness/crds.js';
import { clients } from '../harness/kube.js';

const FIELD_MANAGER = 'deploy-test';
const OPERATOR_NS = 'telegram-system';
const NAME = 'telegram-channel-operator';
const IMAGE = 'ghcr.io/telegram-channel-operator/telegram-channel-operator:0.1.0';

const KUSTOMIZATIONS = [
  'deploy/base',
  'deploy/overlays/namespaced',
  'deploy/overlays/servicemonitor',
  'deploy/overlays/networkpolicy',
] as const;
type Kustomization = (typeof KUSTOMIZATIONS)[number];

/** The least-privilege set, rule by rule (apiGroup|resource → verbs). */
const EXPECTED_RULES: Record<string, string[]> = {
  'telegram.notify.dev|telegramchannels': ['get', 'list', 'watch'],
  'telegram.notify.dev|telegramchannels/status': ['get', 'patch', 'update'],
  '|secrets': ['get', 'list', 'watch'],
  '|events': ['create', 'patch'],
  // spec.template.configMapRef: the one ConfigMap named, by GET only.
  '|configmaps': ['get'],
  // The cluster's Warning events for spec.kubernetesEvents (docs/kubernetes-events.md).
  'events.k8s.io|events': ['list', 'watch'],
};

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const rendered = new Map<Kustomization, string>();
const objects = (k: Kustomization): Obj[] => JSON.parse(JSON.stringify(loadAllYaml(rendered.get(k)!).filter(Boolean))) as Obj[];
const find = (objs: Obj[], kind: string, name?: string) =>
  objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objs: Obj[], kind: string, name?: string) => {
  const found = find(objs, kind, name);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** Rules flattened to "group|resource" → sorted verbs, failing on anything a least-privilege role must not contain. */
function flatten(rules: Rule[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rules) {
    expect(r.nonResourceURLs ?? []).toEqual([]);
    expect(r.resourceNames ?? []).toEqual([]);
    for (const g of r.apiGroups ?? []) {
      expect(g).not.toBe('*');
      for (const res of r.resources ?? []) {
        expect(res).not.toContain('*');
        for (const v of r.verbs) expect(v).not.toBe('*');
        const key = `${g}|${res}`;
        out[key] = [...new Set([...(out[key] ?? []), ...r.verbs])].sort();
      }
    }
  }
  return out;
}
const sortedExpected = Object.fromEntries(Object.entries(EXPECTED_RULES).map(([k, v]) => [k, [...v].sort()]));
/** The ClusterRole adds what only a cluster-wide install can have: ClusterTelegramBots and namespace metadata. */
const sortedExpectedCluster = {
  ...sortedExpected,
  'telegram.notify.dev|clustertelegrambots': ['get', 'list', 'watch'],
  'telegram.notify.dev|clustertelegrambots/status': ['patch'],
  '|namespaces': ['list', 'watch'],
};

function applyDryRun(yaml: string) {
  return kubectlResult(['apply', '--server-side', '--dry-run=server', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], yaml);
}

/**
 * The same objects, moved from telegram-system into `ns` (metadata, subjects, WATCH_NAMESPACE, the
 * Namespace itself), with cluster-scoped names made unique, so variants and reruns never collide.
 */
function relocate(objs: Obj[], ns: string): Obj[] {
  const moved = JSON.parse(JSON.stringify(objs).replaceAll(JSON.stringify(OPERATOR_NS), JSON.stringify(ns))) as Obj[];
  for (const o of moved) {
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') o.metadata.name = `${o.metadata.name}-${ns}`;
    if (o.kind === 'ClusterRoleBinding') o.roleRef.name = `${o.roleRef.name}-${ns}`;
  }
  return moved;
}

function applyForReal(objs: Obj[]): string {
  return kubectl(
    ['apply', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }),
  );
}

/** `kubectl auth can-i` as the operator's ServiceAccount in `saNs` (with the groups a real SA token carries). */
function can(saNs: string, verb: string, resource: string, opts: { ns?: string; all?: boolean; subresource?: string } = {}): boolean {
  const args = [
    'auth',
    'can-i',
    verb,
    resource,
    `--as=system:serviceaccount:${saNs}:${NAME}`,
    '--as-group=system:serviceaccounts',
    `--as-group=system:serviceaccounts:${saNs}`,
    '--as-group=system:authenticated',
  ];
  if (opts.subresource) args.push(`--subresource=${opts.subresource}`);
  if (opts.all) args.push('--all-namespaces');
  else args.push('-n', opts.ns ?? saNs);
  const r = kubectlResult(args);
  const answer = r.stdout.trim();
  if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return answer === 'yes';
}

const suffix = randomBytes(3).toString('hex');
const clusterNs = `tgc-deploy-cluster-${suffix}`;
const namespacedNs = `tgc-deploy-ns-${suffix}`;
const otherNs = `tgc-deploy-other-${suffix}`;
const { rbac, core } = clients();

beforeAll(async () => {
  installCrds();
  installServiceMonitorStandIn();
  // A server-side dry run does not persist the Namespace it creates, so the manifests' own namespace
  // must exist for their namespaced objects to be validated.
  if (kubectlResult(['get', 'namespace', OPERATOR_NS]).code !== 0) kubectl(['create', 'namespace', OPERATOR_NS]);
  await core.createNamespace({ body: { metadata: { name: otherNs } } });
  for (const k of KUSTOMIZATIONS) rendered.set(k, kubectl(['kustomize', path.join(REPO_ROOT, k)]));
});

afterAll(() => {
  for (const ns of [clusterNs, namespacedNs]) {
    kubectlResult(['delete', 'clusterrolebinding', `${NAME}-${ns}`, '--ignore-not-found']);
    kubectlResult(['delete', 'clusterrole', `${NAME}-${ns}`, '--ignore-not-found']);
  }
  // Namespaces never finish deleting without a controller-manager; ask anyway.
  kubectlResult(['delete', 'namespace', clusterNs, namespacedNs, otherNs, '--wait=false', '--ignore-not-found']);
});

describe('kustomizations build and pass server-side validation as shipped', () => {
  it.each(KUSTOMIZATIONS)('%s', (k) => {
    const objs = objects(k);
    for (const o of objs) {
      expect(o.metadata.labels?.['app.kubernetes.io/name']).toBe(NAME);
      expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe(NAME);
    }
    const r = applyDryRun(rendered.get(k)!);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // One "serverside-applied (server dry run)" line per object: nothing skipped.
    expect(serverDryRunApplied(r.stdout)).toHaveLength(objs.length);
  });

  it('a broken manifest is rejected by the same check (the dry run is not a no-op)', () => {
    // Well-formed YAML that only the apiserver's validation refuses (port out of range).
    const broken = rendered.get('deploy/base')!.replace('containerPort: 8080', 'containerPort: 80800');
    expect(broken).not.toBe(rendered.get('deploy/base'));
    const r = applyDryRun(broken);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Deployment.*is invalid.*containerPort/s);
  });
});

describe('deploy/base', () => {
  it('contains the expected objects, all in telegram-system, and no CRD', () => {
    const objs = objects('deploy/base');
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        `ClusterRole/${NAME}`,
        `ClusterRoleBinding/${NAME}`,
        `Deployment/${NAME}`,
        `Namespace/${OPERATOR_NS}`,
        `PodDisruptionBudget/${NAME}`,
        `Role/${NAME}-leader-election`,
        `RoleBinding/${NAME}-leader-election`,
        `Role/${NAME}-state`,
        `RoleBinding/${NAME}-state`,
        `Service/${NAME}`,
        `ServiceAccount/${NAME}`,
      ].sort(),
    );
    for (const o of objs) {
      if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe(OPERATOR_NS);
    }
  });

  it('the ClusterRole is exactly the least-privilege set', () => {
    const role = one(objects('deploy/base'), 'ClusterRole', NAME);
    expect(role.aggregationRule).toBeUndefined();
    expect(flatten(role.rules)).toEqual(sortedExpectedCluster);
    const secrets = flatten(role.rules)['|secrets']!;
    for (const v of ['create', 'update', 'patch', 'delete', 'deletecollection']) expect(secrets).not.toContain(v);
  });

  it('the bindings bind the operator ServiceAccount, and leader election is a namespaced Role on leases only', () => {
    const objs = objects('deploy/base');
    const crb = one(objs, 'ClusterRoleBinding', NAME);
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME });
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NS }]);
    const le = one(objs, 'Role', `${NAME}-leader-election`);
    // Reading and renewing name the one Lease; create cannot be limited by name (RBAC never matches it).
    const named = le.rules.filter((r: Rule) => r.resourceNames?.length);
    expect(named).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [NAME], verbs: ['get', 'update'] }]);
    expect(flatten(le.rules.filter((r: Rule) => !r.resourceNames?.length))).toEqual({ 'coordination.k8s.io|leases': ['create'] });
    const rb = one(objs, 'RoleBinding', `${NAME}-leader-election`);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader-election` });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NS }]);
  });

  it('remembered state is a namespaced Role on ConfigMaps only, bound to the operator ServiceAccount', () => {
    const objs = objects('deploy/base');
    const state = one(objs, 'Role', `${NAME}-state`);
    expect(flatten(state.rules)).toEqual({ '|configmaps': ['create', 'delete', 'get', 'list', 'patch', 'update'] });
    const rb = one(objs, 'RoleBinding', `${NAME}-state`);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-state` });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NS }]);
  });

  it('the Deployment runs two hardened, probed, resource-bounded replicas with leader election', () => {
    const d = one(objects('deploy/base'), 'Deployment', NAME);
    expect(d.spec.replicas).toBe(2);
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe(NAME);
    expect(d.spec.selector.matchLabels).toEqual(expect.objectContaining({ 'app.kubernetes.io/name': NAME }));
    expect(d.spec.template.metadata.labels).toEqual(expect.objectContaining(d.spec.selector.matchLabels));
    expect(pod.securityContext).toEqual(
      expect.objectContaining({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } }),
    );
    expect(pod.topologySpreadConstraints?.length ?? 0).toBeGreaterThan(0);
    for (const t of pod.topologySpreadConstraints) {
      expect(t.whenUnsatisfiable).toBe('ScheduleAnyway');
      expect(t.labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
    }
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.image).toBe(IMAGE);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toEqual(
      expect.objectContaining({
        LEADER_ELECTION: 'true',
        HTTP_PORT: '8080',
        TELEGRAM_API_URL: 'https://api.telegram.org',
        WATCH_NAMESPACE: '',
        POD_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
        POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
      }),
    );
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '400Mi' } });
    expect(c.securityContext).toEqual(
      expect.objectContaining({
        runAsNonRoot: true,
        runAsUser: 65532,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      }),
    );
  });

  it('the PodDisruptionBudget covers the Deployment pods and lets a drain take one at a time', () => {
    const objs = objects('deploy/base');
    const pdb = one(objs, 'PodDisruptionBudget', NAME);
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(one(objs, 'Deployment', NAME).spec.selector.matchLabels);
  });

  it('the Service exposes port 8080 named http to the Deployment pods', () => {
    const objs = objects('deploy/base');
    const svc = one(objs, 'Service', NAME);
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    const d = one(objs, 'Deployment', NAME);
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(d.spec.template.metadata.labels[k]).toBe(v);
  });
});

describe('deploy/overlays/namespaced', () => {
  it('has no ClusterRole or ClusterRoleBinding; a Role with the same least-privilege rules in telegram-system', () => {
    const objs = objects('deploy/overlays/namespaced');
    expect(find(objs, 'ClusterRole')).toEqual([]);
    expect(find(objs, 'ClusterRoleBinding')).toEqual([]);
    const role = one(objs, 'Role', NAME);
    expect(role.metadata.namespace).toBe(OPERATOR_NS);
    expect(flatten(role.rules)).toEqual(sortedExpected);
    const rb = one(objs, 'RoleBinding', NAME);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NS }]);
  });

  it('the template for another managed namespace grants the same rules to the same ServiceAccount', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'deploy/overlays/namespaced/watched-namespace.example.yaml'), 'utf8').replaceAll(
      'NAMESPACE',
      'monitoring',
    );
    const objs = JSON.parse(JSON.stringify(loadAllYaml(text).filter(Boolean))) as Obj[];
    const role = one(objs, 'Role', NAME);
    expect(role.metadata.namespace).toBe('monitoring');
    expect(flatten(role.rules)).toEqual(sortedExpected);
    const rb = one(objs, 'RoleBinding', NAME);
    expect(rb.metadata.namespace).toBe('monitoring');
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: NAME, namespace: OPERATOR_NS }]);
    // Valid as it stands for the API server, too.
    const r = applyDryRun(text.replaceAll('monitoring', otherNs));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('sets WATCH_NAMESPACE to telegram-system (once)', () => {
    const d = one(objects('deploy/overlays/namespaced'), 'Deployment', NAME);
    const watch = d.spec.template.spec.containers[0].env.filter((e: any) => e.name === 'WATCH_NAMESPACE');
    expect(watch).toEqual([{ name: 'WATCH_NAMESPACE', value: OPERATOR_NS }]);
  });
});

describe('deploy/overlays/servicemonitor and networkpolicy', () => {
  it('the ServiceMonitor scrapes /metrics on the http port of the operator Service', () => {
    const objs = objects('deploy/overlays/servicemonitor');
    const sm = one(objs, 'ServiceMonitor', NAME);
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.metadata.namespace).toBe(OPERATOR_NS);
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    const svc = one(objs, 'Service', NAME);
    expect(svc.metadata.labels).toEqual(expect.objectContaining(sm.spec.selector.matchLabels));
  });

  it("the NetworkPolicy admits only 8080 and lets out only DNS, the API server, HTTPS and the replicas' 8080", () => {
    const objs = objects('deploy/overlays/networkpolicy');
    const np = one(objs, 'NetworkPolicy', NAME);
    expect(np.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    const d = one(objs, 'Deployment', NAME);
    expect(np.spec.podSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
    const ingressPorts = np.spec.ingress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`));
    expect([...new Set(ingressPorts)]).toEqual(['TCP/8080']);
    const egressPorts = np.spec.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`));
    expect([...new Set(egressPorts)].sort()).toEqual(['TCP/443', 'TCP/53', 'TCP/6443', 'TCP/8080', 'UDP/53'].sort());
    // 8080 goes out to the operator's own pods only (a follower forwarding to the leader).
    for (const r of np.spec.egress.filter((r: any) => r.ports.some((p: any) => p.port === 8080))) {
      expect(r.to).toEqual([{ podSelector: { matchLabels: d.spec.selector.matchLabels } }]);
    }
    // (client-node's typed model spells an ingress rule's `from` as `_from`.)
    const fromOwnPods = JSON.stringify([{ podSelector: { matchLabels: d.spec.selector.matchLabels } }]);
    expect(np.spec.ingress.some((r: any) => JSON.stringify(r.from ?? r._from) === fromOwnPods)).toBe(true);
  });
});

describe('least privilege, proven against the apiserver (real apply + kubectl auth can-i)', () => {
  beforeAll(() => {
    applyForReal(relocate(objects('deploy/base'), clusterNs));
    applyForReal(relocate(objects('deploy/overlays/namespaced'), namespacedNs));
  });

  it('the stored ClusterRole is exactly the least-privilege set', async () => {
    const role = await rbac.readClusterRole({ name: `${NAME}-${clusterNs}` });
    expect(flatten(JSON.parse(JSON.stringify(role.rules)))).toEqual(sortedExpectedCluster);
    const d = JSON.parse(kubectl(['get', 'deployment', NAME, '-n', clusterNs, '-o', 'json']));
    expect(d.spec.replicas).toBe(2);
  });

  it('the pod template passes the "restricted" Pod Security Standard its namespace enforces', () => {
    const ns = JSON.parse(kubectl(['get', 'namespace', clusterNs, '-o', 'json']));
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const d = JSON.parse(kubectl(['get', 'deployment', NAME, '-n', clusterNs, '-o', 'json']));
    const pod = (spec: unknown) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pss-probe', namespace: clusterNs, labels: d.spec.template.metadata.labels },
        spec,
      });
    const ok = kubectlResult(['create', '--dry-run=server', '-f', '-'], pod(d.spec.template.spec));
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // The same pod with one relaxation is refused: the admission check is really on.
    const relaxed = JSON.parse(JSON.stringify(d.spec.template.spec));
    relaxed.containers[0].securityContext.allowPrivilegeEscalation = true;
    const refused = kubectlResult(['create', '--dry-run=server', '-f', '-'], pod(relaxed));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/violates PodSecurity "restricted/);
  });

  it('cluster-wide install: may do what it needs in any namespace', () => {
    const sa = clusterNs;
    expect(can(sa, 'list', 'telegramchannels.telegram.notify.dev', { all: true })).toBe(true);
    expect(can(sa, 'watch', 'telegramchannels.telegram.notify.dev', { all: true })).toBe(true);
    expect(can(sa, 'get', 'telegramchannels.telegram.notify.dev', { ns: otherNs })).toBe(true);
    expect(can(sa, 'patch', 'telegramchannels.telegram.notify.dev', { ns: otherNs, subresource: 'status' })).toBe(true);
    expect(can(sa, 'get', 'secrets', { ns: otherNs })).toBe(true);
    expect(can(sa, 'watch', 'secrets', { all: true })).toBe(true);
    expect(can(sa, 'create', 'events', { ns: otherNs })).toBe(true);
    expect(can(sa, 'get', 'configmaps', { ns: otherNs })).toBe(true);
    expect(can(sa, 'create', 'leases.coordination.k8s.io', { ns: clusterNs })).toBe(true);
    expect(can(sa, 'get', `leases.coordination.k8s.io/${NAME}`, { ns: clusterNs })).toBe(true);
    expect(can(sa, 'update', `leases.coordination.k8s.io/${NAME}`, { ns: clusterNs })).toBe(true);
    // ClusterTelegramBots (cluster-scoped) and namespace metadata for their allowedNamespaces.
    expect(can(sa, 'watch', 'clustertelegrambots.telegram.notify.dev')).toBe(true);
    expect(can(sa, 'patch', 'clustertelegrambots.telegram.notify.dev', { subresource: 'status' })).toBe(true);
    expect(can(sa, 'watch', 'namespaces')).toBe(true);
  });

  it('cluster-wide install: may not do anything else', () => {
    const sa = clusterNs;
    expect(can(sa, 'delete', 'secrets', { ns: otherNs })).toBe(false);
    expect(can(sa, 'create', 'secrets', { ns: otherNs })).toBe(false);
    expect(can(sa, 'update', 'secrets', { ns: otherNs })).toBe(false);
    expect(can(sa, 'create', 'pods', { ns: otherNs })).toBe(false);
    expect(can(sa, 'create', 'pods', { ns: clusterNs })).toBe(false);
    // A template's ConfigMap is read by name; none is listed, watched or changed outside its own state.
    expect(can(sa, 'list', 'configmaps', { ns: otherNs })).toBe(false);
    expect(can(sa, 'watch', 'configmaps', { all: true })).toBe(false);
    expect(can(sa, 'update', 'configmaps', { ns: otherNs })).toBe(false);
    expect(can(sa, 'update', 'telegramchannels.telegram.notify.dev', { ns: otherNs })).toBe(false);
    expect(can(sa, 'patch', 'telegramchannels.telegram.notify.dev', { ns: otherNs })).toBe(false);
    expect(can(sa, 'create', 'telegramchannels.telegram.notify.dev', { ns: otherNs })).toBe(false);
    expect(can(sa, 'delete', 'telegramchannels.telegram.notify.dev', { ns: otherNs })).toBe(false);
    expect(can(sa, 'delete', 'events', { ns: otherNs })).toBe(false);
    expect(can(sa, 'create', 'leases.coordination.k8s.io', { ns: otherNs })).toBe(false);
    expect(can(sa, 'delete', 'leases.coordination.k8s.io', { ns: clusterNs })).toBe(false);
    // Only its own Lease: not another one in its namespace, and not Leases in general.
    expect(can(sa, 'update', 'leases.coordination.k8s.io/someone-elses-lease', { ns: clusterNs })).toBe(false);
    expect(can(sa, 'get', 'leases.coordination.k8s.io/someone-elses-lease', { ns: clusterNs })).toBe(false);
    expect(can(sa, 'update', 'leases.coordination.k8s.io', { ns: clusterNs })).toBe(false);
    expect(can(sa, 'list', 'leases.coordination.k8s.io', { ns: clusterNs })).toBe(false);
    expect(can(sa, 'patch', `leases.coordination.k8s.io/${NAME}`, { ns: clusterNs })).toBe(false);
    expect(can(sa, 'create', 'clusterrolebindings.rbac.authorization.k8s.io', { all: true })).toBe(false);
    // A bot's spec is the platform team's: the operator only writes its status. Namespaces: read only.
    expect(can(sa, 'patch', 'clustertelegrambots.telegram.notify.dev')).toBe(false);
    expect(can(sa, 'create', 'clustertelegrambots.telegram.notify.dev')).toBe(false);
    expect(can(sa, 'delete', 'clustertelegrambots.telegram.notify.dev')).toBe(false);
    expect(can(sa, 'patch', 'namespaces')).toBe(false);
    expect(can(sa, 'get', 'namespaces')).toBe(false);
  });

  it('namespaced install: may do what it needs in its watched namespace', () => {
    const sa = namespacedNs;
    const d = JSON.parse(kubectl(['get', 'deployment', NAME, '-n', namespacedNs, '-o', 'json']));
    const watch = d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'WATCH_NAMESPACE');
    expect(watch.value).toBe(namespacedNs);
    expect(can(sa, 'list', 'telegramchannels.telegram.notify.dev', { ns: namespacedNs })).toBe(true);
    expect(can(sa, 'watch', 'telegramchannels.telegram.notify.dev', { ns: namespacedNs })).toBe(true);
    expect(can(sa, 'patch', 'telegramchannels.telegram.notify.dev', { ns: namespacedNs, subresource: 'status' })).toBe(true);
    expect(can(sa, 'get', 'secrets', { ns: namespacedNs })).toBe(true);
    expect(can(sa, 'create', 'events', { ns: namespacedNs })).toBe(true);
    expect(can(sa, 'create', 'leases.coordination.k8s.io', { ns: namespacedNs })).toBe(true);
  });

  it('namespaced install: nothing outside its namespace, nothing beyond its needs inside it', () => {
    const sa = namespacedNs;
    expect(can(sa, 'get', 'secrets', { ns: otherNs })).toBe(false);
    expect(can(sa, 'get', 'secrets', { ns: 'default' })).toBe(false);
    expect(can(sa, 'list', 'secrets', { all: true })).toBe(false);
    expect(can(sa, 'list', 'telegramchannels.telegram.notify.dev', { all: true })).toBe(false);
    expect(can(sa, 'list', 'telegramchannels.telegram.notify.dev', { ns: otherNs })).toBe(false);
    expect(can(sa, 'create', 'events', { ns: otherNs })).toBe(false);
    expect(can(sa, 'get', 'configmaps', { ns: otherNs })).toBe(false);
    expect(can(sa, 'delete', 'secrets', { ns: namespacedNs })).toBe(false);
    expect(can(sa, 'create', 'pods', { ns: namespacedNs })).toBe(false);
    expect(can(sa, 'update', 'telegramchannels.telegram.notify.dev', { ns: namespacedNs })).toBe(false);
  });
});
