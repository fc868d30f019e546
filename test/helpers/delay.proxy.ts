import { connect, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy that can hold every client write for a while (a slow network to Redis). */
export class DelayProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  delayMs = 0;
  /** Client writes seen so far. */
  writes = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      client.on('data', (d) => {
        this.writes++;
        if (this.delayMs > 0) setTimeout(() => upstream.write(d), this.delayMs);
        else upstream.write(d);
      });
      upstream.on('data', (d) => client.write(d));
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
