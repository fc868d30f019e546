import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of Redis that counts the client's writes:
 * each burst the client sends before waiting is one round trip. (INFO
 * commandstats would count the commands inside Lua scripts too.)
 */
export class CountingProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** The client side of every open connection, with whether it has gone silent (stallCurrent). */
  private readonly stalled = new Map<Socket, boolean>();
  clientWrites = 0;
  /** Connections accepted and forwarded to Redis since start (a reconnect adds one). */
  accepted = 0;
  port = 0;
  /** Sees every client write that reaches Redis (not those dropped by a stall or a cut). */
  onForward?: (data: Buffer) => void;
  /** From this client write on, Redis is "gone": the write is dropped and every connection cut. */
  private cutAtWrite = Infinity;

  /** `delayMs` holds each client write back that long, so a round trip costs a measurable time. */
  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
    /** May change while traffic flows (a Redis that becomes slow). */
    public delayMs = 0,
  ) {}

  /** Holds back each write of connections accepted while it is set (a node slow to answer newcomers only). */
  newConnectionDelayMs = 0;

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.clientWrites + 1 >= this.cutAtWrite) return void client.destroy();
      const upstream = connect(this.targetPort, this.targetHost);
      this.accepted++;
      this.sockets.add(client).add(upstream);
      this.stalled.set(client, false);
      const connectionDelayMs = this.newConnectionDelayMs;
      client.on('data', (d) => {
        this.clientWrites++;
        if (this.clientWrites >= this.cutAtWrite) {
          for (const s of this.sockets) s.destroy();
          return;
        }
        if (this.stalled.get(client)) return;
        const forward = () => {
          // A stall that began while the write was held back drops it too.
          if (this.stalled.get(client)) return;
          this.onForward?.(d);
          upstream.write(d);
        };
        const delayMs = Math.max(this.delayMs, connectionDelayMs);
        if (delayMs > 0) setTimeout(forward, delayMs);
        else forward();
      });
      upstream.on('data', (d) => {
        if (!this.stalled.get(client)) client.write(d);
      });
      const end = () => {
        this.stalled.delete(client);
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

  /**
   * A half-open path: the connections open now go silent, both ways (what
   * the client sends is taken and dropped, nothing comes back), and stay
   * open; connections made from now on are forwarded as usual. Returns how
   * many went silent.
   */
  stallCurrent(): number {
    for (const client of this.stalled.keys()) this.stalled.set(client, true);
    return this.stalled.size;
  }

  /** Connections open now that are silent. */
  get stalledOpen(): number {
    return [...this.stalled.values()].filter(Boolean).length;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
