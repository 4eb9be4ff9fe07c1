// fetchImage against real local HTTP servers: the host list, redirects, content types, the size cap
// enforced while reading, the deadline, a good PNG; and no note ever repeats the URL's query or user.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silenceHostAllowed } from '../../../src/api/silenceHosts.js';
import { fetchImage, MAX_IMAGE_REDIRECTS } from '../../../src/net/imageFetch.js';
import { OUTBOUND } from '../../../src/net/outbound.js';
import { pngHeader } from '../../emulator/imageBytes.js';

interface TestServer {
  host: string;
  requests: string[];
  /** Bytes the handler managed to write before the client went away (for the streaming cases). */
  written: { bytes: number; closedEarly: boolean; closed: Promise<void> };
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse, self: TestServer) => void): Promise<TestServer> {
  const self: TestServer = {
    host: '',
    requests: [],
    written: { bytes: 0, closedEarly: false, closed: Promise.resolve() },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    self.requests.push(req.url ?? '');
    handler(req, res, self);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  self.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  servers.push(self);
  return self;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A 64-byte PNG, as the image host serves it (a Buffer, as fetchImage hands bytes back). */
const png = (width: number, height: number): Buffer => Buffer.from(pngHeader(width, height, 64));

const allowing = (...hosts: string[]) => ({ isHostAllowed: (url: string) => silenceHostAllowed(url, hosts) });

/** A URL carrying a user, a password and a token, as Grafana image URLs may. */
const withSecrets = (host: string, path: string) => `http://viewer:hunter2@${host}${path}?token=s3cr3t-token&x=1`;

function expectNoSecrets(why: string): void {
  for (const secret of ['hunter2', 'viewer', 's3cr3t-token', 'token=', '?']) expect(why).not.toContain(secret);
}

test('a good PNG is fetched whole, with its content type and a file name', async () => {
  const image = png(800, 600);
  const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(image));
  const result = await fetchImage(`http://${s.host}/render/panel.png?orgId=1`, allowing(s.host));
  expect(result).toEqual({ ok: true, bytes: image, contentType: 'image/png', filename: 'image.png' });
});

test('a host not in the list is refused without any request; the note names the host only', async () => {
  const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png(1, 1)));
  const result = await fetchImage(withSecrets(s.host, '/img.png'), allowing('grafana.monitoring.svc:3000'));
  expect(result).toEqual({ ok: false, why: `the image host ${s.host} is not listed in IMAGE_URL_HOSTS` });
  expect(s.requests).toEqual([]);
  if (!result.ok) expectNoSecrets(result.why);
  // The same host on another port is another host.
  const [, port] = s.host.split(':');
  const otherPort = await fetchImage(`http://127.0.0.1:${Number(port) + 1}/img.png`, allowing(s.host));
  expect(otherPort.ok).toBe(false);
});

test('only http and https', async () => {
  const allowAll = { isHostAllowed: () => true };
  expect(await fetchImage('file:///etc/passwd', allowAll)).toEqual({ ok: false, why: 'the image URL is not http or https' });
  expect(await fetchImage('ftp://grafana/x.png', allowAll)).toEqual({ ok: false, why: 'the image URL is not http or https' });
  expect(await fetchImage('not a url ?token=s3cr3t-token', allowAll)).toEqual({ ok: false, why: 'the image URL is not a valid URL' });
});

test('a redirect to another host (another port of the same name included) is refused, and never followed', async () => {
  const elsewhere = await serve((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png(1, 1)));
  const s = await serve((_req, res) => res.writeHead(302, { location: `http://${elsewhere.host}/img.png?token=s3cr3t-token` }).end());
  const result = await fetchImage(withSecrets(s.host, '/img.png'), allowing(s.host, elsewhere.host));
  expect(result).toEqual({ ok: false, why: `the image host ${s.host} redirected to another host` });
  expect(elsewhere.requests).toEqual([]);
  if (!result.ok) expectNoSecrets(result.why);
});

test('redirects on the same host are followed, up to the limit', async () => {
  const image = png(10, 10);
  const s = await serve((req, res) => {
    const hop = Number(/hop=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    if (req.url?.startsWith('/loop')) res.writeHead(307, { location: `/loop?hop=${hop + 1}` }).end();
    else if (hop < MAX_IMAGE_REDIRECTS) res.writeHead(301, { location: `/img?hop=${hop + 1}` }).end();
    else res.writeHead(200, { 'content-type': 'image/png' }).end(image);
  });
  expect(await fetchImage(`http://${s.host}/img?hop=0`, allowing(s.host))).toEqual(expect.objectContaining({ ok: true, bytes: image }));
  const loop = await fetchImage(`http://${s.host}/loop?hop=0`, allowing(s.host));
  expect(loop).toEqual({ ok: false, why: `the image host ${s.host} redirected more than ${MAX_IMAGE_REDIRECTS} times` });
  expect(s.requests.filter((r) => r.startsWith('/loop'))).toHaveLength(MAX_IMAGE_REDIRECTS + 1);
});

test('text/html (a login page) is refused, and so is a content type that is not one', async () => {
  const s = await serve((req, res) => {
    const type = req.url?.startsWith('/html') ? 'text/html; charset=utf-8' : 'image/svg+xml';
    res.writeHead(200, { 'content-type': req.url === '/garbage' ? 'x<script>' : type }).end('<html>login</html>');
  });
  expect(await fetchImage(withSecrets(s.host, '/html'), allowing(s.host))).toEqual({
    ok: false,
    why: `the image host ${s.host} answered text/html, not PNG, JPEG, GIF or WebP`,
  });
  expect(await fetchImage(`http://${s.host}/svg`, allowing(s.host))).toEqual({
    ok: false,
    why: `the image host ${s.host} answered image/svg+xml, not PNG, JPEG, GIF or WebP`,
  });
  expect(await fetchImage(`http://${s.host}/garbage`, allowing(s.host))).toEqual({
    ok: false,
    why: `the image host ${s.host} answered an unknown content type, not PNG, JPEG, GIF or WebP`,
  });
});

test('an error status is refused with its code', async () => {
  const s = await serve((_req, res) => res.writeHead(403, { 'content-type': 'image/png' }).end('denied'));
  expect(await fetchImage(withSecrets(s.host, '/x.png'), allowing(s.host))).toEqual({
    ok: false,
    why: `the image host ${s.host} answered HTTP 403`,
  });
});

const FIFTY_MB = 50 * 1024 * 1024;

/** Streams `total` bytes of image/png in 64 KiB chunks, honouring backpressure, counting what it wrote. */
function streamLarge(total: number, declareLength: boolean) {
  return (_req: IncomingMessage, res: ServerResponse, self: TestServer) => {
    res.writeHead(200, { 'content-type': 'image/png', ...(declareLength ? { 'content-length': String(total) } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 1);
    self.written.closed = new Promise((resolve) =>
      res.on('close', () => {
        self.written.closedEarly = self.written.bytes < total;
        resolve();
      }),
    );
    const pump = () => {
      while (self.written.bytes < total && !res.destroyed) {
        self.written.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  };
}

test('a 50 MB answer that says so is refused without reading it', async () => {
  const s = await serve(streamLarge(FIFTY_MB, true));
  const result = await fetchImage(withSecrets(s.host, '/big.png'), allowing(s.host));
  expect(result).toEqual({ ok: false, why: `the image at ${s.host} is larger than 10 MiB` });
  if (!result.ok) expectNoSecrets(result.why);
  await s.written.closed;
  expect(s.written.closedEarly).toBe(true);
  expect(s.written.bytes).toBeLessThan(FIFTY_MB / 2);
});

test('a 50 MB answer without a length is cut off past the cap: the socket is destroyed, the rest never sent', async () => {
  const s = await serve(streamLarge(FIFTY_MB, false));
  const result = await fetchImage(`http://${s.host}/big.png`, allowing(s.host));
  expect(result).toEqual({ ok: false, why: `the image at ${s.host} is larger than 10 MiB` });
  await s.written.closed;
  expect(s.written.closedEarly).toBe(true);
  // The server stopped well short of 50 MB: what it wrote is the cap plus what sat in socket buffers.
  expect(s.written.bytes).toBeLessThan(FIFTY_MB / 2);
  expect(s.written.bytes).toBeGreaterThan(OUTBOUND.image.maxAnswerBytes);
});

test('exactly the cap is accepted, one byte more is not', async () => {
  const s = await serve((req, res) => {
    const size = req.url === '/at' ? 1000 : 1001;
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    res.end(Buffer.alloc(size, 7));
  });
  const at = await fetchImage(`http://${s.host}/at`, { ...allowing(s.host), maxBytes: 1000 });
  expect(at).toEqual(expect.objectContaining({ ok: true, contentType: 'image/jpeg', filename: 'image.jpg' }));
  expect(await fetchImage(`http://${s.host}/over`, { ...allowing(s.host), maxBytes: 1000 })).toEqual({
    ok: false,
    why: `the image at ${s.host} is larger than 1000 bytes`,
  });
});

test('a server that never answers is given up at the deadline', async () => {
  const s = await serve(() => {
    /* never answers */
  });
  const result = await fetchImage(withSecrets(s.host, '/slow.png'), { ...allowing(s.host), deadlineMs: 200 });
  expect(result).toEqual({ ok: false, why: `the image host ${s.host} did not answer within 0.2 s` });
});

test('a server that starts an image and stalls is given up at the deadline too (a wall clock, not an idle timer)', async () => {
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.write(png(1, 1));
  });
  const result = await fetchImage(`http://${s.host}/stall.png`, { ...allowing(s.host), deadlineMs: 300 });
  expect(result).toEqual({ ok: false, why: `the image host ${s.host} did not answer within 0.3 s` });
});

test("the caller's signal cancels the fetch", async () => {
  const s = await serve(() => {
    /* never answers */
  });
  const controller = new AbortController();
  const pending = fetchImage(`http://${s.host}/x.png`, { ...allowing(s.host), signal: controller.signal });
  controller.abort();
  expect(await pending).toEqual({ ok: false, why: 'the image fetch was cancelled' });
});

test('a refused connection names the error code, not the URL', async () => {
  const s = await serve(() => {});
  const host = s.host;
  await s.close();
  const result = await fetchImage(withSecrets(host, '/x.png'), allowing(host));
  expect(result).toEqual({ ok: false, why: `the image host ${host} could not be reached (ECONNREFUSED)` });
  if (!result.ok) expectNoSecrets(result.why);
});

test('the default deadline and cap come from the outbound table', () => {
  expect(OUTBOUND.image).toEqual({ deadlineMs: 5_000, maxAnswerBytes: 10 * 1024 * 1024 });
});
