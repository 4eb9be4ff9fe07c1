// After the acts: the numbers of the dashboard's top row, from the series its panels query (no
// Prometheus here: the operator's /metrics read directly).
import { dashboardSummary } from '../dashboardSummary.js';
import { bold, cyan, note, ok, say } from '../console.js';
import { getChannels, sleep } from '../kubectl.js';

export async function showDashboardSummary(operatorUrl: string): Promise<void> {
  say();
  say(bold(cyan("━━ The dashboard's summary (monitoring/dashboard.json's top row, from the operator's /metrics)")));
  // The channel gauges are refreshed every 5 s: wait until they count every channel there is.
  const channels = (await getChannels()).length;
  const deadline = Date.now() + 10_000;
  let s = dashboardSummary(await (await fetch(`${operatorUrl}/metrics`)).text());
  while (s.channelsReady + s.notReady.length < channels && Date.now() < deadline) {
    await sleep(250);
    s = dashboardSummary(await (await fetch(`${operatorUrl}/metrics`)).text());
  }
  const total = s.channelsReady + s.notReady.length;
  ok(`channels Ready: ${s.channelsReady} of ${total}${s.notReady.length ? `; not Ready: ${s.notReady.join(', ')}` : ''}`);
  ok(`messages sent: ${s.sent}; failed: ${s.failedTotal}${s.failed.length ? ` (${s.failed.join(', ')})` : ''}`);
  note('alerts and the full dashboard for a real install: docs/operations.md, "The operator\'s own alerts"');
}
