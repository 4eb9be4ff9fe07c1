// A plain HTTP server on a free loopback port that records every request reaching it (URL, headers,
// body) and answers as the test says: a stand-in for a peer the operator calls (a leader, a relay).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from './controlPlane.js';

export interface RecordedRequest {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  url: string;
  seen: RecordedRequest[];
  server: http.Server;
  close: () => Promise<void>;
}

/** Starts `server` on a free loopback port: its URL, and its host:port as an allow-list names it. */
export async function listenOnLoopback(server: http.Server): Promise<{ url: string; host: string }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `http://${host}`, host };
}

export async function recordingServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<RecordingServer> {
  const seen: RecordedRequest[] = [];
  const port = await freePort();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { url: `http://127.0.0.1:${port}`, seen, server, close };
}
