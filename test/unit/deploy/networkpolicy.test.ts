// The shipped NetworkPolicy, read from the manifests: it must let the replicas reach each other on the
// HTTP port (followers forward webhooks to the leader's pod IP), and let nothing else out but DNS, the
// API server and HTTPS. NetworkPolicy rules are additive, so each check looks for a rule that allows it.
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const load = (file: string) => k8s.loadAllYaml(readFileSync(path.join(root, file), 'utf8'));
const policy = load('deploy/components/networkpolicy/networkpolicy.yaml').find((o) => o.kind === 'NetworkPolicy');
const deployment = load('deploy/base/deployment.yaml').find((o) => o.kind === 'Deployment');
const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;
const httpPort: number = deployment.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'http').containerPort;

/** Whether a peer list (`from` / `to`) admits a pod with these labels in the policy's own namespace. */
function admitsOwnPods(peers: any[] | undefined): boolean {
  if (!peers || peers.length === 0) return true; // no peers: every address
  return peers.some((p) => {
    if (p.ipBlock) return false; // pod IPs may or may not fall in a block: not a guarantee
    if (p.namespaceSelector && Object.keys(p.namespaceSelector).length && !p.podSelector) return false;
    const sel = p.podSelector?.matchLabels ?? {};
    return Object.entries(sel).every(([k, v]) => podLabels[k] === v) && !p.podSelector?.matchExpressions?.length;
  });
}
/** client-node's typed model spells an ingress rule's `from` as `_from`. */
const fromOf = (rule: any): any[] | undefined => rule.from ?? rule._from;
const allowsPort = (rule: any, port: number) =>
  !rule.ports || rule.ports.some((p: any) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');

test('the policy selects the operator pods', () => {
  expect(policy.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
  for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) expect(podLabels[k]).toBe(v);
});

test('a follower may reach the leader pod on the HTTP port (egress), by a rule naming the operator pods', () => {
  const rules = policy.spec.egress.filter((r: any) => allowsPort(r, httpPort) && admitsOwnPods(r.to));
  expect(rules.length).toBeGreaterThan(0);
  // And that rule is specific: to the operator's own pods, not to every address.
  expect(rules.some((r: any) => r.to?.every((p: any) => p.podSelector && !p.namespaceSelector))).toBe(true);
});

test('the leader pod admits the follower on the HTTP port (ingress), by a rule of its own', () => {
  const rules = policy.spec.ingress.filter((r: any) => allowsPort(r, httpPort) && admitsOwnPods(fromOf(r)));
  expect(rules.some((r: any) => fromOf(r)?.some((p: any) => p.podSelector && !p.namespaceSelector))).toBe(true);
});

test('egress is DNS, the API server, HTTPS and the replicas only; ingress is the HTTP port only', () => {
  const egress = policy.spec.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`));
  expect([...new Set(egress)].sort()).toEqual(['TCP/443', 'TCP/53', 'TCP/6443', `TCP/${httpPort}`, 'UDP/53'].sort());
  const toOwnPodsOnly = policy.spec.egress.filter((r: any) => r.ports.some((p: any) => p.port === httpPort));
  for (const r of toOwnPodsOnly) expect(r.to.every((p: any) => !p.ipBlock && p.podSelector)).toBe(true);
  const ingress = policy.spec.ingress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`));
  expect([...new Set(ingress)]).toEqual([`TCP/${httpPort}`]);
});
