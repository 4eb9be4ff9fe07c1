// Runs the operator as the ServiceAccount that deploy/base defines: the same ClusterRole rules and
// namespaced Roles (leader election, remembered state), bound to a ServiceAccount in the test namespace, and a token obtained
// through the TokenRequest API. Proves the deployed RBAC is enough — and is all the operator gets.
import * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubectl } from './crds.js';
import { REPO_ROOT } from './controlPlane.js';
import { clients } from './kube.js';

interface Rendered {
  kind: string;
  metadata: { name: string };
  rules?: k8s.V1PolicyRule[];
}

/**
 * Returns the path of a kubeconfig that authenticates as the new ServiceAccount, with the RBAC of `kustomization`
 * (less the ClusterRole's rules `withheld` picks: what a cluster that has not granted them looks like).
 */
export async function deployedServiceAccountKubeconfig(
  namespace: string,
  kustomization = 'deploy/base',
  withheld: (rule: k8s.V1PolicyRule) => boolean = () => false,
): Promise<string> {
  const { core, rbac } = clients();
  const docs = k8s.loadAllYaml(kubectl(['kustomize', path.join(REPO_ROOT, kustomization)])) as Rendered[];
  const clusterRole = docs.find((d) => d.kind === 'ClusterRole')!;
  const roles = docs.filter((d) => d.kind === 'Role');
  const sa = 'telegram-channel-operator';
  const crName = `${clusterRole.metadata.name}-${namespace}`;
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: sa } } });
  await rbac.createClusterRole({ body: { metadata: { name: crName }, rules: clusterRole.rules?.filter((r) => !withheld(r)) } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: crName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: crName },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
    },
  });
  // Every namespaced Role (the leader-election Lease, the remembered state's ConfigMaps), in the test namespace.
  for (const role of roles) {
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: role.metadata.name }, rules: role.rules } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: role.metadata.name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
      },
    });
  }
  return tokenKubeconfig(namespace, sa);
}

/**
 * A ServiceAccount `name` in `namespace` with a Role of exactly `rules` there (nothing else), and a
 * kubeconfig that authenticates with its own token: what an application team is given.
 */
export async function namespacedServiceAccountKubeconfig(namespace: string, name: string, rules: k8s.V1PolicyRule[]): Promise<string> {
  const { rbac, core } = clients();
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  return tokenKubeconfig(namespace, name);
}

/** A kubeconfig with the ServiceAccount's own token from the TokenRequest API (no impersonation). */
async function tokenKubeconfig(namespace: string, sa: string): Promise<string> {
  const { kc, core } = clients();
  const tr = await core.createNamespacedServiceAccountToken({
    namespace,
    name: sa,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster()!;
  const file = path.join(os.tmpdir(), `sa-kubeconfig-${namespace}-${sa}.yaml`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "${cluster.server}", certificate-authority: "${cluster.caFile}"}
users:
- name: sa
  user: {token: "${tr.status!.token}"}
contexts:
- name: sa
  context: {cluster: local, user: sa, namespace: ${namespace}}
current-context: sa
`,
  );
  return file;
}
