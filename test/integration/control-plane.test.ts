// Proves the control plane is real: schema + CEL validation, the status subresource, core objects,
// Leases, and RBAC with a ServiceAccount token from the TokenRequest API.
import * as k8s from '@kubernetes/client-node';
import { clients, createNamespace, eventually, kubeConfig, statusOf } from '../harness/kube.js';

const { kc, core, custom, ext, rbac, coordination } = clients();
let ns: string;
// A group of its own per run, so a CRD left by an earlier run against the same cluster never interferes.
const group = `smoke${Date.now().toString(36)}.test.dev`;

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { min: { type: 'integer' }, max: { type: 'integer' } },
                // client-node's serializer names this field x_kubernetes_validations and silently drops the YAML spelling.
                x_kubernetes_validations: [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }],
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

beforeAll(async () => {
  ns = await createNamespace('smoke');
  await ext.createCustomResourceDefinition({ body: widgetCrd });
  await eventually(
    async () => {
      const crd = await ext.readCustomResourceDefinition({ name: widgetCrd.metadata.name });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    30_000,
    'CRD established',
  );
});

test('/version reports the kube-apiserver that was built', async () => {
  const v = await kc.makeApiClient(k8s.VersionApi).getCode();
  expect(v.gitVersion).toMatch(/^v1\.\d+\.\d+/);
});

test('a CEL rule accepts a valid object and rejects a broken one with its message', async () => {
  const base = { group, version: 'v1', namespace: ns, plural: 'widgets' };
  await custom.createNamespacedCustomObject({
    ...base,
    body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'ok' }, spec: { min: 1, max: 2 } },
  });
  const err = await custom
    .createNamespacedCustomObject({
      ...base,
      body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { min: 3, max: 2 } },
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(statusOf(err)).toBe(422);
  expect(String((err as { body?: string }).body)).toContain('min must not exceed max');
});

test('the status subresource is separate from the main resource', async () => {
  const base = { group, version: 'v1', namespace: ns, plural: 'widgets' };
  await custom.createNamespacedCustomObject({
    ...base,
    body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'st' }, spec: { min: 1, max: 1 }, status: { phase: 'ignored' } },
  });
  const created = (await custom.getNamespacedCustomObject({ ...base, name: 'st' })) as { status?: unknown };
  expect(created.status).toBeUndefined();
  await custom.patchNamespacedCustomObjectStatus(
    { ...base, name: 'st', body: { status: { phase: 'Done' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  const patched = (await custom.getNamespacedCustomObjectStatus({ ...base, name: 'st' })) as { status?: { phase?: string } };
  expect(patched.status?.phase).toBe('Done');
});

test('Secrets, Events and Leases are stored', async () => {
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 's' }, stringData: { token: 'value' } } });
  const s = await core.readNamespacedSecret({ namespace: ns, name: 's' });
  expect(Buffer.from(s.data!.token!, 'base64').toString()).toBe('value');

  await core.createNamespacedEvent({
    namespace: ns,
    body: {
      metadata: { name: 'e1' },
      involvedObject: { kind: 'Secret', name: 's', namespace: ns },
      reason: 'Smoke',
      message: 'an event',
      type: 'Normal',
    },
  });
  const events = await core.listNamespacedEvent({ namespace: ns });
  expect(events.items.map((e) => e.reason)).toContain('Smoke');

  await coordination.createNamespacedLease({
    namespace: ns,
    body: { metadata: { name: 'l' }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } },
  });
  const lease = await coordination.readNamespacedLease({ namespace: ns, name: 'l' });
  expect(lease.spec?.holderIdentity).toBe('me');
});

test('RBAC denies a restricted ServiceAccount token obtained through TokenRequest', async () => {
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'restricted' } } });
  await rbac.createNamespacedRole({
    namespace: ns,
    body: { metadata: { name: 'read-configmaps' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'read-configmaps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
      subjects: [{ kind: 'ServiceAccount', name: 'restricted', namespace: ns }],
    },
  });
  const tr = await core.createNamespacedServiceAccountToken({
    namespace: ns,
    name: 'restricted',
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const token = tr.status!.token!;
  expect(token.split('.')).toHaveLength(3);

  const restricted = new k8s.KubeConfig();
  const cluster = kc.getCurrentCluster()!;
  restricted.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }],
    currentContext: 'sa',
  });
  const saCore = restricted.makeApiClient(k8s.CoreV1Api);
  await expect(saCore.listNamespacedConfigMap({ namespace: ns })).resolves.toBeDefined();
  const denied = await saCore.listNamespacedSecret({ namespace: ns }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(statusOf(denied)).toBe(403);
});

test('kubeConfig() reads the control plane that global setup wrote', () => {
  expect(kubeConfig().getCurrentCluster()?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
});
