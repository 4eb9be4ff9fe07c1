// Where the CLI gets the bot token: a file, standard input, or a cluster Secret. Never an argument.
// The value is trimmed and checked exactly as the controller checks a Secret's value.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { checkToken } from '../api/values.js';
import { toKubeError } from '../kube/errors.js';
import type { TokenOptions } from './args.js';
import { CliFailure, EXIT, type CliIO, type Env, type SecretRead } from './io.js';

export interface ResolvedToken {
  token: string;
  /** Where it came from, for messages ("file ./token", "Secret monitoring/telegram-bot key \"token\""). */
  where: string;
  /** Set when read from a Secret: the manifest can then reference that Secret. */
  secret?: { namespace: string; name: string; key: string };
}

export const NO_TOKEN_SOURCE =
  'no bot token given. Pass it with --token-file PATH, on standard input (`… | telegram-channel-operator chats -`), ' +
  'or from a cluster Secret with --secret namespace/name[:key]. It is never accepted as an argument, so it stays out of your shell history.';

export async function resolveToken(opts: TokenOptions, io: CliIO, defaultNamespace?: string): Promise<ResolvedToken> {
  let raw: string;
  let where: string;
  let secret: ResolvedToken['secret'];
  if (opts.tokenFile !== undefined) {
    where = `file ${opts.tokenFile}`;
    try {
      raw = await readFile(opts.tokenFile, 'utf8');
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why =
        code === 'ENOENT'
          ? 'it does not exist'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (code ?? 'unreadable');
      throw new CliFailure(`cannot read the token from ${where}: ${why}`, EXIT.failed, 'SecretNotFound');
    }
  } else if (opts.secret) {
    const { name, key } = opts.secret;
    const read = await (io.readSecret ?? readSecretFromCluster)(opts.secret.namespace ?? defaultNamespace, name, key, io.env);
    where = `Secret ${read.namespace}/${name} key "${key}"`;
    raw = read.value;
    secret = { namespace: read.namespace, name, key };
  } else if (opts.stdin || !io.stdin.isTTY) {
    where = 'standard input';
    raw = await io.stdin.readAll();
  } else {
    throw new CliFailure(NO_TOKEN_SOURCE, EXIT.usage);
  }
  if (raw.trim() !== '') io.onToken?.(raw.trim());
  const checked = checkToken(raw, where);
  if (!checked.ok) throw new CliFailure(checked.message, EXIT.failed, 'InvalidTokenFormat');
  return { token: checked.value, where, ...(secret ? { secret } : {}) };
}

/** Reads a Secret with KUBECONFIG (or ~/.kube/config, or the in-cluster ServiceAccount). */
export async function readSecretFromCluster(namespace: string | undefined, name: string, key: string, env: Env): Promise<SecretRead> {
  // Loaded only for --secret: client-node is most of the CLI's start-up time.
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  let kc: k8s.KubeConfig;
  try {
    kc = new KubeConfig();
    const file = env.KUBECONFIG;
    if (file && !file.includes(path.delimiter)) kc.loadFromFile(file);
    else kc.loadFromDefault();
    if (!kc.getCurrentCluster()) throw new Error('no cluster in the kubeconfig');
  } catch (e) {
    throw new CliFailure(
      `cannot load a kubeconfig to read the Secret (set KUBECONFIG): ${e instanceof Error ? e.message : String(e)}`,
      EXIT.failed,
    );
  }
  const ns = namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const core = kc.makeApiClient(CoreV1Api);
  let secret: k8s.V1Secret;
  try {
    secret = await core.readNamespacedSecret({ namespace: ns, name });
  } catch (e) {
    const err = toKubeError(e);
    if (err.code === 404) throw new CliFailure(`Secret ${ns}/${name} not found`, EXIT.failed, 'SecretNotFound');
    if (err.code === 403)
      throw new CliFailure(`you may not read Secret ${ns}/${name} (forbidden): ${err.message}`, EXIT.failed, 'SecretNotFound');
    if (err.code === 401)
      throw new CliFailure(
        `the cluster rejected your credentials reading Secret ${ns}/${name}: ${err.message}`,
        EXIT.failed,
        'SecretNotFound',
      );
    throw new CliFailure(`cannot read Secret ${ns}/${name}: ${err.message}`, EXIT.transient);
  }
  const data = secret.data ?? {};
  const b64 = data[key];
  if (b64 === undefined) {
    const keys = Object.keys(data);
    throw new CliFailure(
      `Secret ${ns}/${name} has no key "${key}"${keys.length ? ` (it has: ${keys.slice(0, 10).join(', ')}; choose one with --secret ${ns}/${name}:KEY)` : ' (it is empty)'}`,
      EXIT.failed,
      'SecretKeyNotFound',
    );
  }
  return { namespace: ns, value: Buffer.from(b64, 'base64').toString('utf8') };
}
