// A Grafana storm: `alerts` Grafana alerts, each with its panel image, fire at once into ONE
// supergroup under the emulator's default Telegram limits (1/s per chat with a burst of 3, 20/min per
// group, 30/s per bot). Each alert is its own notification (Grafana's contact point posts one per
// group), POSTed straight to /webhooks/grafana/{ns}/{name} the way Grafana does, and retried on a
// 5xx answer as Grafana retries. The operator fetches every image from a local image server (the
// one host in IMAGE_URL_HOSTS) and uploads it as a photo; photos cannot share a message, so the
// limits alone set a floor for the last one (floorSeconds): 3 at once then 1/s per chat, and 20 per
// minute per group (the emulator refills all 20 each minute), 120 s for the 60th.
// Measured: POST → photo accepted (p50/p99/max), photos vs text fallbacks, 429s, retries.
import http from 'node:http';
import { ScenarioBuilder, bot, supergroupId } from '../../test/emulator/scenario.js';
import { TelegramEmulator } from '../../test/emulator/server.js';
import { DEFAULT_LIMITS } from '../../test/emulator/limits.js';
import { freePort } from '../../test/harness/operator.js';
import { ChannelWatch, clientsFor, createChannels, createSecret, sleep } from '../lib/kube.js';
import { requestsByMethod } from '../lib/lifecycle.js';
import { launchOperator } from '../lib/operator.js';
import { round } from '../lib/proc.js';
import { summarize, type LatencySummary } from '../lib/stats.js';
import { stormHead, type StormHead } from '../lib/stormHead.js';

export interface GrafanaStormSizes {
  alerts: number;
  /** How long the storm may take; what has not arrived by then counts as not delivered. */
  capMs: number;
}

export const GRAFANA_STORM_TARGETS = { rateLimited: 0, textFallbacks: 0 } as const;

export interface GrafanaStormResult extends StormHead<'grafana-storm', GrafanaStormSizes, typeof GRAFANA_STORM_TARGETS> {
  alerts: number;
  /** Alerts shown as a photo with their caption. */
  photos: number;
  /** Alerts shown as text (the image could not be had): none expected here. */
  textFallbacks: number;
  /** Alerts shown more than once. */
  duplicates: number;
  /** POST → the photo accepted by Telegram. */
  latencyMs: LatencySummary;
  /** The earliest the last photo can go under the limits alone (see above): the storm's floor. */
  floorSeconds: number;
  rateLimited: number;
  requests: Record<string, number>;
  /** Webhook answers by status, retries included. */
  answers: Record<string, number>;
  imagesServed: number;
}

const WEBHOOK_TOKEN = 'bench-grafana-webhook-token-0123456789';
const alertName = (i: number) => `Panel${String(i).padStart(3, '0')}`;

/** A PNG header (signature and IHDR) padded to `size` bytes: what Telegram reads of an upload. */
function png(width: number, height: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(b);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

/** Grafana's webhook payload for one alert rule's group (one alert), its panel image at `imageURL`. */
function grafanaPayload(name: string, imageURL: string, startsAt: string) {
  const labels = { alertname: name, grafana_folder: 'Bench', team: 'storage' };
  return {
    receiver: 'telegram',
    status: 'firing',
    orgId: 1,
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `Disk latency on ${name} is high`, description: 'p99 write latency above 250 ms for 5 minutes' },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `http://grafana.bench:3000/alerting/grafana/${name}/view`,
        fingerprint: Buffer.from(name).toString('hex').slice(0, 16),
        silenceURL: `http://grafana.bench:3000/alerting/silence/new?matcher=alertname%3D${name}`,
        dashboardURL: 'http://grafana.bench:3000/d/disk',
        panelURL: 'http://grafana.bench:3000/d/disk?viewPanel=2',
        values: { B: 312.5, C: 1 },
        imageURL,
      },
    ],
    groupLabels: { alertname: name },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://grafana.bench:3000/',
    version: '1',
    groupKey: `{}:{alertname="${name}"}`,
    truncatedAlerts: 0,
    title: `[FIRING:1] ${name} Bench (storage)`,
    state: 'alerting',
    message: '',
  };
}

/** The earliest second the n-th message to one group can go: per chat 3 at once then 1/s; per group 20 a minute. */
function floorSeconds(messages: number): number {
  const last = messages - 1;
  const chat = DEFAULT_LIMITS.perChat ?? { capacity: Infinity, refill: 1, intervalMs: 0 };
  const group = DEFAULT_LIMITS.perGroup ?? { capacity: Infinity, refill: 1, intervalMs: 0 };
  const byChat = (Math.max(0, last - (chat.capacity - 1)) * chat.intervalMs) / chat.refill;
  const byGroup = Math.floor(last / group.capacity) * group.intervalMs;
  return round(Math.max(byChat, byGroup) / 1000, 1);
}

export async function runGrafanaStorm(kubeconfig: string, namespace: string, sizes: GrafanaStormSizes): Promise<GrafanaStormResult> {
  const c = clientsFor(kubeconfig);
  const theBot = bot(7400000021, 'grafana_storm_bot');
  const chat = supergroupId(5000000021);
  const emulator = new TelegramEmulator(new ScenarioBuilder().bot(theBot).supergroup(chat, 'Grafana storm', theBot.id).build(), {
    limits: DEFAULT_LIMITS,
  });
  const url = await emulator.start();
  // A Grafana image renderer stand-in: a 1200×600 PNG of 60 KB per panel.
  let imagesServed = 0;
  const image = png(1200, 600, 60 * 1024);
  const imagePort = await freePort();
  const images = http.createServer((_req, res) => {
    imagesServed++;
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': image.length }).end(image);
  });
  await new Promise<void>((r) => images.listen(imagePort, '127.0.0.1', r));
  const imageHost = `127.0.0.1:${imagePort}`;
  const watch = new ChannelWatch(c, namespace);
  let operator: Awaited<ReturnType<typeof launchOperator>> | undefined;
  try {
    await createSecret(c, namespace, 'bot', { token: theBot.token });
    await createSecret(c, namespace, 'grafana-webhook', { token: WEBHOOK_TOKEN });
    await createChannels(c, namespace, [
      {
        name: 'grafana',
        spec: { tokenSecretRef: { name: 'bot' }, chatId: String(chat), grafana: { tokenSecretRef: { name: 'grafana-webhook' } } },
      },
    ]);
    await watch.start();
    operator = await launchOperator(kubeconfig, {
      TELEGRAM_API_URL: url,
      WATCH_NAMESPACE: namespace,
      POD_NAMESPACE: namespace,
      IMAGE_URL_HOSTS: imageHost,
    });
    await watch.waitReady(1, 60_000);

    const names = Array.from({ length: sizes.alerts }, (_, i) => alertName(i));
    const startsAt = new Date().toISOString();
    const answers: Record<string, number> = {};
    const postedAt = Date.now();
    const deadline = postedAt + sizes.capMs;
    const opUrl = operator.op.url;
    // Every alert at once, each retried on 5xx (Grafana retries a failed webhook), within the cap.
    await Promise.all(
      names.map(async (name) => {
        const body = JSON.stringify(grafanaPayload(name, `http://${imageHost}/render/d-solo/disk?panelId=2&alert=${name}`, startsAt));
        while (Date.now() < deadline) {
          const res = await fetch(`${opUrl}/webhooks/grafana/${namespace}/grafana`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_TOKEN}` },
            body,
          }).catch(() => undefined);
          const status = res ? String(res.status) : 'error';
          await res?.text();
          answers[status] = (answers[status] ?? 0) + 1;
          // A 4xx will not change on a retry (Grafana gives up on it too): only 5xx and network errors are retried.
          if (res && res.status < 500) return;
          await sleep(1_000);
        }
      }),
    );

    const messages = emulator.messagesTo(chat);
    const lat: number[] = [];
    let photos = 0;
    let textFallbacks = 0;
    let duplicates = 0;
    for (const name of names) {
      const showing = messages.filter((m) => (m.photo ? (m.caption ?? '') : m.text).includes(name));
      duplicates += Math.max(0, showing.length - 1);
      const first = showing[0];
      if (!first) continue;
      if (first.photo) {
        photos++;
        lat.push(first.time - postedAt);
      } else textFallbacks++;
    }
    const requests = requestsByMethod(emulator.requests, theBot.token);
    const setup =
      `${sizes.alerts} Grafana notifications of one alert each, every one with an imageURL on a local image server ` +
      `(60 KB PNG, the host in IMAGE_URL_HOSTS), POSTed at once to /webhooks/grafana and retried on 5xx; ` +
      `one supergroup, the emulator's default limits; channel grafana.resolved Edit (default).`;
    return {
      ...stormHead('grafana-storm', sizes, GRAFANA_STORM_TARGETS, setup),
      alerts: sizes.alerts,
      photos,
      textFallbacks,
      duplicates,
      latencyMs: summarize(lat),
      floorSeconds: floorSeconds(sizes.alerts),
      rateLimited: requests.rateLimited,
      requests: requests.byMethod,
      answers,
      imagesServed,
    };
  } finally {
    await operator?.op.stop();
    watch.stop();
    await emulator.stop();
    await new Promise((r) => images.close(r));
  }
}
