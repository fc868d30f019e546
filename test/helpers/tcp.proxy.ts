import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of Redis that counts the client's writes:
 * each burst the client sends before waiting is one round trip. (INFO
 * commandstats would count the commands inside Lua scripts too.)
 */
export class CountingProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** The client side of every open connection: its Redis side, and whether it has gone silent (stallCurrent). */
  private readonly open = new Map<Socket, { upstream: Socket; silent: boolean }>();
  /** Connections whose writes are held back, not dropped (holdCurrent), with their Redis side and what they sent. */
  private readonly held = new Map<Socket, { upstream: Socket; data: Buffer[] }>();
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
      const connection = { upstream, silent: false };
      this.open.set(client, connection);
      const connectionDelayMs = this.newConnectionDelayMs;
      client.on('data', (d) => {
        this.clientWrites++;
        if (this.clientWrites >= this.cutAtWrite) {
          for (const s of this.sockets) s.destroy();
          return;
        }
        if (connection.silent) return;
        const holding = this.held.get(client);
        if (holding) return void holding.data.push(d);
        const forward = () => {
          // A stall that began while the write was held back drops it too.
          if (connection.silent) return;
          this.onForward?.(d);
          upstream.write(d);
        };
        const delayMs = Math.max(this.delayMs, connectionDelayMs);
        if (delayMs > 0) setTimeout(forward, delayMs);
        else forward();
      });
      upstream.on('data', (d) => {
        if (!connection.silent && !this.held.has(client)) client.write(d);
      });
      const end = () => {
        this.open.delete(client);
        client.destroy();
        // A held connection's Redis side outlives the client: its bytes are still to arrive (releaseHeld).
        if (!this.held.has(client)) upstream.destroy();
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
    for (const connection of this.open.values()) connection.silent = true;
    return this.open.size;
  }

  /**
   * A Redis that stalls for the connections open now: what they send is kept, not forwarded, and nothing comes
   * back, even after the client gave up on the connection; releaseHeld then delivers it, as a Redis that resumes
   * reads what its socket buffers held. Connections made from now on are forwarded as usual.
   */
  holdCurrent(): void {
    for (const [client, { upstream }] of this.open) {
      this.held.set(client, { upstream, data: [] });
    }
  }

  /** Cuts the client side of held connections (a middlebox's reset): the client's pending commands fail at once. */
  cutHeldClients(): void {
    for (const client of this.held.keys()) client.destroy();
  }

  /** Delivers what held connections sent, then ends them. */
  releaseHeld(): void {
    for (const [client, { upstream, data }] of this.held) {
      this.held.delete(client);
      const bytes = Buffer.concat(data);
      this.onForward?.(bytes);
      upstream.end(bytes);
    }
  }

  /** Connections open now that are silent. */
  get stalledOpen(): number {
    return [...this.open.values()].filter((c) => c.silent).length;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
