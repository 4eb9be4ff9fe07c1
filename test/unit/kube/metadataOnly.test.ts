// withAccept: the request client-node's Watch builds asks for metadata only, with auth unchanged.
import * as k8s from '@kubernetes/client-node';
import { ACCEPT_METADATA_LIST, ACCEPT_METADATA_WATCH, withAccept } from '../../../src/kube/metadataOnly.js';

function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://apiserver.example:6443', skipTLSVerify: false }],
    users: [{ name: 'u', token: 'sa-token-value' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

test('the media types are the ones the apiserver negotiates for metadata-only lists and watches', () => {
  expect(ACCEPT_METADATA_LIST).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
  expect(ACCEPT_METADATA_WATCH).toBe('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
});

test('a request authenticated through withAccept carries the Accept header and the same credentials', async () => {
  const kc = kubeConfig();
  const ctx = new k8s.RequestContext('https://apiserver.example:6443/api/v1/secrets?watch=true', k8s.HttpMethod.GET);
  await withAccept(kc, ACCEPT_METADATA_WATCH).applySecurityAuthentication(ctx);
  expect(ctx.getHeaders()).toEqual(expect.objectContaining({ Accept: ACCEPT_METADATA_WATCH, Authorization: 'Bearer sa-token-value' }));
});

test('the original KubeConfig is untouched: other requests keep their JSON objects', async () => {
  const kc = kubeConfig();
  withAccept(kc, ACCEPT_METADATA_WATCH);
  const ctx = new k8s.RequestContext('https://apiserver.example:6443/api/v1/namespaces', k8s.HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  expect(ctx.getHeaders().Accept).toBeUndefined();
  expect(withAccept(kc, ACCEPT_METADATA_WATCH).getCurrentCluster()?.server).toBe('https://apiserver.example:6443');
});
