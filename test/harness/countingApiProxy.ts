// A plain-HTTP front for the test control plane's kube-apiserver that counts the requests going
// through it: an operator started with `kubeconfig()` talks to the real apiserver (as the test's admin
// user, over TLS from here on), and the test asks how many times it called a path. Counting at the
// wire, per operator process, stays exact while other test files use the same apiserver.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { kubeConfig } from './kube.js';

export class CountingApiProxy {
  private server: http.Server | undefined;
  /** "METHOD path" of every request, in order. */
  readonly requests: string[] = [];

  /** Starts listening on 127.0.0.1; resolves with the path of a kubeconfig that points at it. */
  async start(): Promise<string> {
    const kc = kubeConfig();
    const cluster = kc.getCurrentCluster()!;
    const user = kc.getCurrentUser()!;
    const upstream = new URL(cluster.server);
    const tls = {
      ca: readFileSync(cluster.caFile!),
      cert: readFileSync(user.certFile!),
      key: readFileSync(user.keyFile!),
    };
    this.server = http.createServer((req, res) => {
      this.requests.push(`${req.method} ${(req.url ?? '/').split('?')[0]}`);
      const out = https.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, ...tls },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      res.on('close', () => out.destroy());
      req.pipe(out);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    const file = path.join(os.tmpdir(), `counting-proxy-${process.pid}-${port}.kubeconfig`);
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters:
- name: proxy
  # client-node speaks plain HTTP only with this set; this hop has no TLS to verify.
  cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}
users:
- name: proxied
  user: {}
contexts:
- name: proxy
  context: {cluster: proxy, user: proxied}
current-context: proxy
`,
    );
    return file;
  }

  /** How many requests were `METHOD path` exactly. */
  count(method: string, urlPath: string): number {
    return this.requests.filter((r) => r === `${method} ${urlPath}`).length;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
