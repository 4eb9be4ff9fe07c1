// A TCP proxy on 127.0.0.1 that a test puts between a process and a server to cut the link the way a
// network partition does: `blackhole()` stops moving bytes in both directions without closing any
// socket (no RST, no FIN: the client just never hears back), and new connections are accepted but go
// nowhere. `holdResponses()` forwards requests but keeps the answers back until `release()`: the
// server has acted on a request whose reply is still "in flight". Works for TLS too (bytes only).
// Outside a blackhole, a peer that hangs up hangs up the other side too.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

type Mode = 'pass' | 'blackhole' | 'hold';

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes read but not yet passed on, per direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export class TcpProxy {
  private server: net.Server | undefined;
  private mode: Mode = 'pass';
  private readonly links = new Set<Link>();

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts listening; resolves with the port to connect to instead of the target's. */
  async start(): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Nothing moves any more, either way, on open or new connections. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /** Requests still reach the server; its answers wait in the proxy until release(). */
  holdResponses(): void {
    this.mode = 'hold';
  }

  /** Back to forwarding everything, including what was held. */
  release(): void {
    this.mode = 'pass';
    for (const l of this.links) this.flush(l);
  }

  async stop(): Promise<void> {
    for (const l of this.links) {
      l.client.destroy();
      l.upstream.destroy();
    }
    this.links.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    const link: Link = { client, upstream, toUpstream: [], toClient: [] };
    this.links.add(link);
    // Bytes are read and queued here rather than piped: a held or blackholed direction keeps them
    // until release (and a connection that is never released just never hears back).
    client.on('data', (d: Buffer) => {
      link.toUpstream.push(d);
      this.flush(link);
    });
    upstream.on('data', (d: Buffer) => {
      link.toClient.push(d);
      this.flush(link);
    });
    const close = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    // Across a partition the client would not hear the server hang up either.
    const upstreamClosed = () => (this.mode === 'blackhole' ? upstream.destroy() : close());
    upstream.on('error', upstreamClosed).on('close', upstreamClosed);
  }

  private flush(l: Link): void {
    if (this.mode === 'blackhole') return;
    for (const d of l.toUpstream.splice(0)) l.upstream.write(d);
    if (this.mode === 'hold') return;
    for (const d of l.toClient.splice(0)) l.client.write(d);
  }
}
