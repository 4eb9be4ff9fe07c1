// A watch that resumes where it ended: the API server closes every watch after a while (and a
// connection may drop), and a benchmark counts every event over runs longer than that. Each event's
// resourceVersion is remembered, so the next watch starts right after the last event seen.
import * as k8s from '@kubernetes/client-node';

export interface ResumingWatch {
  /** How many times the watch ended and was started again. */
  readonly restarts: number;
  stop(): void;
}

export async function resumingWatch<T extends { metadata?: { resourceVersion?: string } }>(
  kc: k8s.KubeConfig,
  path: string,
  opts: { resourceVersion: string; labelSelector?: string; timeoutSeconds?: number },
  onEvent: (type: string, obj: T) => void,
): Promise<ResumingWatch> {
  let rv = opts.resourceVersion;
  let controller: AbortController | undefined;
  let stopped = false;
  let restarts = 0;
  const connect = async (): Promise<void> => {
    controller = await new k8s.Watch(kc).watch(
      path,
      { ...opts, resourceVersion: rv, allowWatchBookmarks: true },
      (type, obj: T) => {
        if (obj?.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
        onEvent(type, obj);
      },
      () => {
        if (stopped) return;
        restarts++;
        setTimeout(() => {
          if (!stopped) void connect().catch(() => undefined);
        }, 200);
      },
    );
  };
  await connect();
  return {
    get restarts() {
      return restarts;
    },
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
