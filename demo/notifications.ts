// What the acts that post as Alertmanager share: the POST, shown as the curl a user would type, and
// the wait for what the chat shows afterwards (which gives up pointing at the operator's log).
import { alertmanagerWebhookPath, postAlertmanagerWebhook } from '../test/harness/alertmanagerPayload.js';
import { indent, note, rel, say } from './console.js';
import { sleep } from './kubectl.js';
import { LIFECYCLE, NS, OPERATOR_LOG } from './settings.js';
import { checkInterrupted } from './teardown.js';

/** POSTs `payload` to the demo channel `channel`'s Alertmanager webhook (every demo channel shares the webhook token). */
export async function postNotification(operatorUrl: string, channel: string, payload: unknown, what: string): Promise<void> {
  const ref = { namespace: NS, name: channel };
  note(`$ curl -H 'Authorization: Bearer …' -d @${what}.json ${operatorUrl}${alertmanagerWebhookPath(ref)}`);
  const r = await postAlertmanagerWebhook(operatorUrl, ref, LIFECYCLE.webhookToken, payload);
  if (r.status !== 200)
    throw new Error(`the operator answered the ${what} notification with ${r.status}: ${r.body}; see ${rel(OPERATOR_LOG)}`);
  say(indent(`HTTP ${r.status} ${r.body.trim()}`.trim()));
}

/** Polls `probe` until it finds something, or throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    checkInterrupted();
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s; see ${rel(OPERATOR_LOG)}`);
    await sleep(200);
  }
}
