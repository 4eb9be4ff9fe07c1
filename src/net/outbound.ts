// The one policy for every call that leaves the process: how long it may take, wall-clock from the
// first byte sent to the last byte read, and how many bytes of its answer are read. An idle timer is
// not a deadline (a server sending one byte a second never trips it), so every client here is given
// an AbortSignal that fires at the deadline, whatever the socket does. An answer longer than its cap
// is not read further: the socket is destroyed and the call fails.

export interface OutboundLimit {
  /** Wall-clock deadline of one call, answer included; undefined: given per call. */
  deadlineMs?: number;
  /** Bytes of the answer read at most; undefined: the client streams or bounds it itself. */
  maxAnswerBytes?: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** Long-poll seconds Telegram holds a getUpdates open when there is nothing to deliver. */
export const TELEGRAM_LONG_POLL_S = 25;

export const OUTBOUND = {
  /** Every Bot API method but the long poll. Its largest answer is a Message (a few KiB). */
  telegram: { deadlineMs: 15_000, maxAnswerBytes: 8 * MiB },
  /**
   * getUpdates: the long poll plus slack. Its largest legitimate answer is 100 updates, each at most a
   * callback_query carrying its message (4096 characters of text, entities, a keyboard): well under 8 MiB.
   */
  telegramLongPoll: { deadlineMs: TELEGRAM_LONG_POLL_S * 1000 + 10_000, maxAnswerBytes: 8 * MiB },
  /** A channel's Alertmanager (silence.url): a press must be answered within a second or two. */
  alertmanager: { deadlineMs: 3_000, maxAnswerBytes: 64 * KiB },
  /** Leader forwarding, the challenge: no alert content, answered at once. */
  leaderChallenge: { deadlineMs: 2_000, maxAnswerBytes: 1 * KiB },
  /**
   * Leader forwarding, the notification: the deadline is the leader's own wait for the delivery (9 s)
   * plus 5 s, passed per request by the webhook; this is the cap on its answer.
   */
  leaderNotification: { maxAnswerBytes: 64 * KiB },
  /**
   * An API server call that is not a watch (watches are long-lived; client-node bounds their idle
   * time). Half the API server's own request limit (60 s): a hung call fails on its own deadline, and
   * names itself in the log, well before the reconcile around it is abandoned.
   */
  kubeApi: { deadlineMs: 30_000 },
  /** A Secret's labels (the silence credentials opt-in), read during a reconcile or before a press is answered. */
  secretLabels: { deadlineMs: 10_000 },
  /** An episode ConfigMap: read and written before a webhook answers or a press is answered. */
  episodeConfigMaps: { deadlineMs: 5_000 },
  /** The chats ConfigMap (written from a bot's updates). */
  chatsConfigMap: { deadlineMs: 5_000 },
  /**
   * An alert's image (Grafana's imageURL), fetched before the webhook answers: an in-cluster Grafana
   * answers in well under a second. The cap is Telegram's limit for an uploaded photo (10 MB).
   */
  image: { deadlineMs: 5_000, maxAnswerBytes: 10 * MiB },
} satisfies Record<string, OutboundLimit>;

/**
 * A reconcile that takes longer than this is abandoned by the work queue: its worker is freed and the
 * key retried with backoff. Above a reconcile whose every call runs to its deadline (three Bot API calls
 * at 15 s, the Alertmanager check at 3 s, the status write at 30 s), so a reconcile is abandoned only
 * when something outside those calls hangs.
 */
export const RECONCILE_DEADLINE_MS = 90_000;

/**
 * A signal that fires at the deadline, or earlier when `signal` (a shutdown, a hung-up caller) does.
 * Its timer lives until the deadline: for calls made often, `withDeadline` clears it when the call ends.
 */
export function deadline(ms: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

/**
 * Runs one call with a signal that aborts at the deadline or when `signal` does; the timer and the
 * listener are gone as soon as the call ends (thousands of calls a minute leave nothing behind).
 * `run` learns which fired from `expired()`.
 */
export async function withDeadline<T>(
  ms: number,
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal, expired: () => boolean) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException('the call passed its deadline', 'TimeoutError'));
  }, ms);
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(controller.signal, () => expired);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
