// Grafana alerts with their panel image, end to end: the operator fetches the image from a local image
// server (the hosts in IMAGE_URL_HOSTS only), uploads it to the Telegram emulator as a photo with the
// alert as its caption, edits that caption on resolve, and sends the alert as text with a note saying
// why when the image cannot be had.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { ScenarioBuilder, bot, supergroupId } from '../emulator/scenario.js';
import { TelegramEmulator } from '../emulator/server.js';
import { channelHelpers } from '../harness/channels.js';
import { installCrds } from '../harness/crds.js';
import { createNamespace } from '../harness/kube.js';
import { freePort, startOperator, type OperatorProcess } from '../harness/operator.js';

const TOKEN = 'grafana-images-token-77';
const theBot = bot(7400000002, 'grafana_images_bot');
const chatId = supergroupId(3200000011);
const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/grafana-webhook-docs.json', import.meta.url), 'utf8')) as {
  alerts: Record<string, unknown>[];
} & Record<string, unknown>;

let ns: string;
let emulator: TelegramEmulator;
let operator: OperatorProcess;
let images: http.Server;
let imageHost: string;
const { secret, channel, readyReason } = channelHelpers(() => ns);

/** A PNG header (signature and IHDR with its size): what Telegram reads of an upload. */
function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(256);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).copy(b);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

beforeAll(async () => {
  installCrds();
  ns = await createNamespace('grafana-img');
  const port = await freePort();
  images = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === '/redirect') res.writeHead(302, { Location: `http://localhost:${port}/render/panel.png` }).end();
    else if (pathname === '/render/panel.png') res.writeHead(200, { 'Content-Type': 'image/png' }).end(png(800, 400));
    else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
  });
  await new Promise<void>((r) => images.listen(port, '127.0.0.1', r));
  imageHost = `127.0.0.1:${port}`;
  emulator = new TelegramEmulator(new ScenarioBuilder().bot(theBot).supergroup(chatId, 'Panels', theBot.id).build());
  const url = await emulator.start();
  await secret('bot', { token: theBot.token });
  await secret('grafana-webhook', { token: TOKEN });
  operator = await startOperator({ TELEGRAM_API_URL: url, WATCH_NAMESPACE: ns, IMAGE_URL_HOSTS: imageHost });
  await channel('panels', {
    tokenSecretRef: { name: 'bot' },
    chatId: String(chatId),
    grafana: { tokenSecretRef: { name: 'grafana-webhook' } },
  });
  await readyReason('panels', 'Verified');
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await emulator?.stop();
  await new Promise((r) => images?.close(r));
});

/** One Grafana alert named `name` with `imageURL`, firing or resolved. */
function payload(
  name: string,
  imageURL: string,
  status: 'firing' | 'resolved' = 'firing',
  description = 'The system has high memory usage',
) {
  const alert = {
    ...FIXTURE.alerts[0],
    status,
    labels: { alertname: name, team: 'blue' },
    annotations: { summary: `${name} summary`, description },
    fingerprint: name,
    endsAt: status === 'resolved' ? '2021-10-12T10:30:00Z' : '0001-01-01T00:00:00Z',
    imageURL,
  };
  return { ...FIXTURE, status, groupKey: `{}:{alertname="${name}"}`, title: `[${status.toUpperCase()}:1] ${name}`, alerts: [alert] };
}

const post = (body: unknown) =>
  fetch(`${operator.url}/webhooks/grafana/${ns}/panels`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
const about = (name: string) => emulator.messagesTo(chatId).filter((m) => (m.photo ? (m.caption ?? '') : m.text).includes(name));

test('an alert with an image from a listed host is one photo, uploaded, with the alert as its caption; its resolve edits the caption', async () => {
  expect((await post(payload('PanelGood', `http://${imageHost}/render/panel.png?token=abc`))).status).toBe(200);
  const [photo, ...others] = about('PanelGood');
  expect(others).toEqual([]);
  expect(photo!.photo).toMatchObject({ source: 'upload', contentType: 'image/png', width: 800, height: 400 });
  expect(photo!.caption).toContain('PanelGood summary');
  expect(photo!.caption).toContain('FIRING');

  expect((await post(payload('PanelGood', `http://${imageHost}/render/panel.png?token=abc`, 'resolved'))).status).toBe(200);
  const after = about('PanelGood');
  expect(after.map((m) => m.messageId)).toEqual([photo!.messageId]);
  expect(after[0]!.edits).toBe(1);
  expect(after[0]!.caption).toContain('RESOLVED');
  expect(after[0]!.caption).not.toContain('FIRING');
  // The image URL's token is never shown in the chat nor logged.
  expect(JSON.stringify(emulator.messagesTo(chatId))).not.toContain('token=abc');
  expect(operator.output()).not.toContain('token=abc');
});

test('a caption over 1,024 characters keeps what fits under the photo and continues as a reply to it', async () => {
  const long = 'memory pressure on every node of the pool; '.repeat(40);
  expect((await post(payload('PanelLong', `http://${imageHost}/render/panel.png`, 'firing', long))).status).toBe(200);
  const messages = emulator.messagesTo(chatId).filter((m) => m.messageId >= (about('PanelLong')[0]?.messageId ?? Infinity));
  const [photo, reply] = messages;
  expect(photo!.photo).toBeDefined();
  expect(reply!.photo).toBeUndefined();
  expect(reply!.replyToMessageId).toBe(photo!.messageId);
  // Nothing lost: the caption and the reply together carry the whole description.
  const shown = `${photo!.caption ?? ''}${reply!.text}`.replace(/\s+/g, ' ');
  expect(shown.split('memory pressure').length - 1).toBe(40);
});

test('an image on a host not in IMAGE_URL_HOSTS is not fetched: the alert goes as text with a note saying why', async () => {
  const elsewhere = `http://localhost:${imageHost.split(':')[1]}/render/panel.png`;
  expect((await post(payload('PanelElsewhere', elsewhere))).status).toBe(200);
  const [text, ...others] = about('PanelElsewhere');
  expect(others).toEqual([]);
  expect(text!.photo).toBeUndefined();
  expect(text!.text).toContain('PanelElsewhere summary');
  expect(text!.text).toContain(`Image not attached: the image host localhost:${imageHost.split(':')[1]} is not listed in IMAGE_URL_HOSTS`);
});

test('an image URL that answers text/html: the alert goes as text with a note naming the content type; its resolve edits that text', async () => {
  expect((await post(payload('PanelHtml', `http://${imageHost}/login`))).status).toBe(200);
  const [text] = about('PanelHtml');
  expect(text!.photo).toBeUndefined();
  expect(text!.text).toContain(`Image not attached: the image host ${imageHost} answered text/html, not PNG, JPEG, GIF or WebP`);

  expect((await post(payload('PanelHtml', `http://${imageHost}/login`, 'resolved'))).status).toBe(200);
  const after = about('PanelHtml');
  expect(after.map((m) => m.messageId)).toEqual([text!.messageId]);
  expect(after[0]!.text).toContain('RESOLVED');
});

test('an image URL that redirects to another host: not followed, the alert goes as text with a note saying so', async () => {
  expect((await post(payload('PanelRedirect', `http://${imageHost}/redirect`))).status).toBe(200);
  const [text, ...others] = about('PanelRedirect');
  expect(others).toEqual([]);
  expect(text!.photo).toBeUndefined();
  expect(text!.text).toContain(`Image not attached: the image host ${imageHost} redirected to another host`);
});
