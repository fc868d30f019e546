import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of Redis that counts the client's writes:
 * each burst the client sends before waiting is one round trip. (INFO
 * commandstats would count the commands inside Lua scripts too.)
 */
export class CountingProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  clientWrites = 0;
  port = 0;
  /** From this client write on, Redis is "gone": the write is dropped and every connection cut. */
  private cutAtWrite = Infinity;

  /** `delayMs` holds each client write back that long, so a round trip costs a measurable time. */
  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
    /** May change while traffic flows (a Redis that becomes slow). */
    public delayMs = 0,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.clientWrites + 1 >= this.cutAtWrite) return void client.destroy();
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      client.on('data', (d) => {
        this.clientWrites++;
        if (this.clientWrites >= this.cutAtWrite) {
          for (const s of this.sockets) s.destroy();
          return;
        }
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

  reset(): void {
    this.clientWrites = 0;
    this.cutAtWrite = Infinity;
  }

  /** Lets `writes` more client writes through, then behaves as a Redis that went away. */
  cutAfter(writes: number): void {
    this.cutAtWrite = this.clientWrites + writes + 1;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
