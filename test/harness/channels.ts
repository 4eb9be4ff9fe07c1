// TelegramChannel helpers for integration tests, bound to one namespace.
import { clients, eventually } from './kube.js';
import { CHANNELS, CHANNEL_TYPE } from './resources.js';

export const G = CHANNELS;

export interface Cond {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export interface Channel {
  metadata: { name: string; generation: number; resourceVersion?: string; annotations?: Record<string, string> };
  status?: {
    observedGeneration?: number;
    conditions?: Cond[];
    bot?: { username: string };
    chat?: { title?: string; type?: string };
    delivery?: {
      sent?: number;
      failed?: number;
      lastMessageId?: number;
      lastAlertDigest?: string;
      lastTestDigest?: string;
      pendingAlertDigest?: string;
      lastError?: string;
    };
  };
}

export const cond = (ch: Channel, type: string): Cond | undefined => ch.status?.conditions?.find((c) => c.type === type);

export function channelHelpers(defaultNamespace: () => string) {
  const { core, custom } = clients();
  const secret = async (name: string, data: Record<string, string>, namespace = defaultNamespace()) => {
    const body = { metadata: { name }, stringData: data };
    try {
      await core.createNamespacedSecret({ namespace, body });
    } catch {
      await core.replaceNamespacedSecret({ namespace, name, body });
    }
  };
  const channel = async (
    name: string,
    spec: Record<string, unknown>,
    namespace = defaultNamespace(),
    annotations?: Record<string, string>,
  ) => {
    await custom.createNamespacedCustomObject({
      ...G,
      namespace,
      body: { ...CHANNEL_TYPE, metadata: { name, annotations }, spec },
    });
  };
  const get = async (name: string, namespace = defaultNamespace()) =>
    (await custom.getNamespacedCustomObject({ ...G, namespace, name })) as Channel;
  const annotate = async (name: string, annotations: Record<string, string | null>, namespace = defaultNamespace()) => {
    await custom.patchNamespacedCustomObject(
      { ...G, namespace, name, body: { metadata: { annotations } } },
      // A merge patch: client-node's default for this call is a JSON patch.
      (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'),
    );
  };
  const readyReason = (name: string, reason: string, timeoutMs = 20_000, namespace = defaultNamespace()) =>
    eventually(
      async () => {
        const ch = await get(name, namespace);
        const r = cond(ch, 'Ready');
        return r?.reason === reason && r.observedGeneration === ch.metadata.generation ? ch : undefined;
      },
      timeoutMs,
      `${namespace}/${name} Ready reason ${reason}`,
    );
  /** Polls the channel until its condition `type` passes `ok`; resolves with that condition. */
  const conditionWhen = (
    name: string,
    type: string,
    ok: (c: Cond) => boolean,
    {
      timeoutMs = 20_000,
      what = `${name} ${type}`,
      namespace = defaultNamespace(),
    }: { timeoutMs?: number; what?: string; namespace?: string } = {},
  ) =>
    eventually(
      async () => {
        const c = cond(await get(name, namespace), type);
        return c && ok(c) ? c : undefined;
      },
      timeoutMs,
      what,
    );
  /** Polls the channel until it passes `ok`; resolves with it. */
  const channelWhen = (name: string, ok: (ch: Channel) => boolean, timeoutMs = 15_000, what = `${name} as awaited`) =>
    eventually(
      async () => {
        const ch = await get(name);
        return ok(ch) ? ch : undefined;
      },
      timeoutMs,
      what,
    );
  /** Polls the channel until its last delivery error is of `reason` (the error's first word); resolves with the channel. */
  const deliveryError = (name: string, reason: string, timeoutMs = 15_000, what = `${reason} in ${name}'s delivery`) =>
    channelWhen(name, (ch) => ch.status?.delivery?.lastError?.startsWith(reason) ?? false, timeoutMs, what);
  return { core, custom, secret, channel, get, annotate, readyReason, conditionWhen, channelWhen, deliveryError };
}
