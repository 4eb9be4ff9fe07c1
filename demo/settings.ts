// What the demo runs with: its namespace, where it keeps the control plane and the operator's log, and
// the sample channels and alerts the acts refer to.
//
// Environment: KEEP=1 stays up. DEMO_WITHOUT_ALERTMANAGER=1 plays the lifecycle act as without
// prometheus-alertmanager. DEMO_CLUSTER_DIR / DEMO_OPERATOR_LOG move the control plane's directory and
// the operator's log (the integration test runs the demo next to its own control plane this way).
import path from 'node:path';
import { REPO_ROOT } from '../test/harness/controlPlane.js';
import { DEMO, bot } from '../test/emulator/scenario.js';

const yes = (value: string | undefined) => /^(1|true|yes|on)$/i.test(value ?? '');

export const NS = 'demo';
export const KEEP = yes(process.env.KEEP);
/** Runs the lifecycle act as on a machine without prometheus-alertmanager. */
export const WITHOUT_ALERTMANAGER = yes(process.env.DEMO_WITHOUT_ALERTMANAGER);
export const CLUSTER_DIR = path.resolve(REPO_ROOT, process.env.DEMO_CLUSTER_DIR || '.dev/demo-cluster');
export const OPERATOR_LOG = path.resolve(REPO_ROOT, process.env.DEMO_OPERATOR_LOG || '.dev/demo-operator.log');
export const MANIFESTS = path.join(REPO_ROOT, 'demo/manifests');
export const OPERATOR_MAIN = path.join(REPO_ROOT, 'dist/main.js');
export const CLI_MAIN = path.join(REPO_ROOT, 'dist/cli/index.js');

/** What the sample channels in demo/manifests/20-channels.yaml point at. */
export const CHANNELS = {
  healthy: { name: 'ops', chatId: String(DEMO.chats.ops) },
  noMinus: { name: 'ops-no-minus', chatId: String(-DEMO.chats.ops) },
  migrated: { name: 'legacy-ops', chatId: String(DEMO.chats.legacyGroup) },
} as const;
export const ALERT_TEXT = 'DiskPressure on node-3: /var/lib/etcd is 91% full (sample alert from make demo)';
/**
 * The alert-lifecycle act's bot: a bot of its own, because a channel with Silence buttons makes the
 * operator consume the bot's updates (getUpdates), and the CLI act reads @ops_alerts_bot's.
 */
export const ONCALL_BOT = bot(7000000003, 'ops_oncall_bot', 'Ops On-call');
export const LIFECYCLE = { channel: 'ops-oncall', webhookToken: 'demo-alertmanager-webhook-token-0001' } as const;
/** What Alertmanager would group and send: one group, one alert. */
export const LIFECYCLE_LABELS = { alertname: 'KubePodCrashLooping', namespace: 'payments', pod: 'checkout-7d9f8', severity: 'critical' };
/** The Kubernetes events act: its channel, and the pod whose container keeps crashing. */
export const CLUSTER_EVENTS = { channel: 'ops-events', pod: 'checkout-7d9f8' } as const;
/** The templates-and-topics act's channel, on the "Incidents" forum where the bot may manage topics. */
export const TOPICS = { channel: 'ops-topics' } as const;
