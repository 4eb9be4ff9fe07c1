// Dogfooding, as docs/operations.md describes it: the operator's own alerts, evaluated by a real Prometheus
// from the shipped rules and routed by a real Alertmanager, reach a Telegram chat through the operator
// itself. The rules are the shipped ones with every `for` set to 0s (nobody waits 15 minutes in a test);
// the message names the broken channel and the reason the rule's description looks up when it fires.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO } from '../emulator/scenario.js';
import type { TelegramEmulator } from '../emulator/server.js';
import { operatorReceiverConfig, startAlertmanager, type AlertmanagerProcess } from '../harness/alertmanager.js';
import { channelHelpers } from '../harness/channels.js';
import { REPO_ROOT } from '../harness/controlPlane.js';
import { startEmulatedOperator } from '../harness/emulatedOperator.js';
import { eventually } from '../harness/kube.js';
import type { OperatorProcess } from '../harness/operator.js';
import { startPrometheus, type PrometheusProcess } from '../harness/prometheus.js';
import { stopAll } from '../harness/stopAll.js';

const WEBHOOK_TOKEN = 'dogfood-webhook-secret';
const dir = mkdtempSync(path.join(tmpdir(), 'tgc-dogfood-'));
let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let alertmanager: AlertmanagerProcess;
let prometheus: PrometheusProcess;
const { channel, readyReason } = channelHelpers(() => ns);

beforeAll(async () => {
  ({ ns, emulator, operator } = await startEmulatedOperator('dogfood', { secrets: { 'am-webhook': { token: WEBHOOK_TOKEN } } }));
  await channel('platform-oncall', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(DEMO.chats.ops),
    alertmanager: { tokenSecretRef: { name: 'am-webhook' } },
  });
  await channel('team-alerts', { tokenSecretRef: { name: 'bot' }, chatId: String(DEMO.chats.kickedGroup) });
  await readyReason('platform-oncall', 'Verified');
  await readyReason('team-alerts', 'BotKicked');

  alertmanager = await startAlertmanager(
    operatorReceiverConfig(operator.url, { namespace: ns, name: 'platform-oncall' }, WEBHOOK_TOKEN, [
      'alertname',
      'channel_namespace',
      'channel',
    ]),
  );
  const rules = readFileSync(path.join(REPO_ROOT, 'monitoring/rules.yaml'), 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 0s');
  writeFileSync(path.join(dir, 'rules.yaml'), rules);
  prometheus = await startPrometheus(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${path.join(dir, 'rules.yaml')}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['${new URL(alertmanager.url).host}']
scrape_configs:
  - job_name: telegram-channel-operator
    static_configs:
      - targets: ['127.0.0.1:${operator.port}']
`);
}, 180_000);

afterAll(async () => {
  await stopAll(prometheus, alertmanager, operator, emulator);
  rmSync(dir, { recursive: true, force: true });
});

test("a channel that is not Ready is reported to the platform team's channel, through the operator, with its reason", async () => {
  const message = await eventually(
    async () => emulator.messagesTo(DEMO.chats.ops).find((m) => m.text.includes('TelegramChannelNotReady')),
    60_000,
    'the TelegramChannelNotReady alert in the platform chat',
  );
  expect(message.text).toContain('FIRING');
  expect(message.text).toContain(`TelegramChannel ${ns}/team-alerts has not been Ready for 15 minutes.`);
  expect(message.text).toContain('(Ready reason: BotKicked)');
  expect(message.text).toContain('severity: critical');
  // The healthy channel is not reported; the broken one once (one group per channel).
  const notReady = emulator.messagesTo(DEMO.chats.ops).filter((m) => m.text.includes('TelegramChannelNotReady'));
  expect(notReady).toHaveLength(1);
  expect(notReady[0]!.text).not.toContain(`${ns}/platform-oncall`);
});
