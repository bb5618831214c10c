import { connect, createServer, type Server, type Socket } from 'node:net';

type Mode = 'pass' | 'blackhole' | 'refuse';

/**
 * A TCP proxy on 127.0.0.1 between the service and PostgreSQL, to make the database misbehave
 * without touching the shared server: `blackhole()` (it stops answering: bytes are swallowed and
 * connections hang), `refuse()` (it is down: new connections are reset at once), `cutAll()` (every
 * open connection is reset, as on a restart) and `restore()` (a restart is over: the connections of
 * the outage are reset, new ones pass).
 */
export class TcpProxy {
  private mode: Mode = 'pass';
  private readonly pairs = new Set<[Socket, Socket]>();
  private server?: Server;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no proxy address');
    this.port = address.port;
    return this;
  }

  /** The same URL, through this proxy. */
  via(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Swallows every byte in both directions, on open connections and new ones alike. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /** Back to normal; connections that lost bytes in a blackhole are reset (their protocol state is gone). */
  restore(): void {
    if (this.mode === 'blackhole') this.cutAll();
    this.mode = 'pass';
  }

  refuse(): void {
    this.mode = 'refuse';
  }

  cutAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (this.mode !== 'blackhole') upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode !== 'blackhole') client.write(chunk);
    });
  }
}
