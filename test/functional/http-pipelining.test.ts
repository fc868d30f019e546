import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import pino from 'pino';
import { MAX_IGNORED_AFTER_REFUSAL } from '../../src/server/client-error.handler';
import { createHttpServer } from '../../src/server/http.server';
import { answerTurn, MAX_QUEUED } from '../../src/server/pipeline.turn';
import { pumpFor } from '../helpers/socket.pump';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gateway's HTTP layer (node:http, its routes, timeouts and refusals) over a real socket, with a slow POST /graphql. */
describe('the HTTP layer under a pipelining client that will not stop', () => {
  let server: Server;
  let port: number;
  let onTurn: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let readyCalls = 0;
  beforeAll(async () => {
    server = createHttpServer({
      logger: pino({ level: 'silent' }),
      // A create that takes 3 s (a refusal waits on it), or 300 ms for `?quick`; each waits for its turn as the gateway's do.
      graphql: async (req: IncomingMessage, res: ServerResponse) => {
        // As the gateway's handler does: its turn first, then its body.
        if (!(await answerTurn(req, res))) return;
        for await (const _ of req);
        onTurn(req, res);
        await sleep(req.url?.includes('quick') ? 300 : 3000);
        res.setHeader('content-type', 'application/json');
        res.end('{"data":{}}');
      },
      // Answers at staggered times (each later than the one before), for a refusal waiting behind them.
      readiness: async () => {
        await sleep(1500 + 50 * readyCalls++);
        return { ready: true, body: {} };
      },
      draining: () => false,
      limits: { headersTimeoutMs: 600, requestTimeoutMs: 1500, maxConnections: 20, idleSocketTimeoutMs: 30_000 },
      metrics: { contentType: 'text/plain', scrape: async () => '' },
      cors: () => false,
      playground: () => false,
      authRequired: false,
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('after a 408 behind a running request, whole requests still sent are not read on and on (each would be kept, unanswered, until the connection closes)', async () => {
    let parsed = 0;
    const count = () => void parsed++;
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString())).on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}GET /healthz HTTP/1.1\r\nHo');
    await sleep(1200); // past headersTimeoutMs: the 408 is decided, waiting for the running request's answer
    server.on('request', count);
    socket.write('st: 127.0.0.1\r\n\r\n');
    const chunk = Buffer.from('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(1000));
    pumpFor(socket, chunk, 700);
    await sleep(1000);
    // Unbounded, Node parsed 65 000 to 110 000 requests here (+120 MiB of heap); one chunk's worth at most now.
    server.off('request', count);
    expect(parsed).toBeLessThan(5000);
    // The running request is answered, then the refusal.
    for (let i = 0; i < 80 && !/408 Request Timeout/.test(text); i++) await sleep(50);
    expect([...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(['200', '408']);
    socket.destroy();
  });

  it('POSTs pipelined behind a running one wait for their turn behind one close listener, not one each (Node warns of a leak past ten)', async () => {
    const closeListeners: number[] = [];
    const turns: string[] = [];
    onTurn = (req, res) => {
      turns.push(req.url!);
      closeListeners.push(res.socket!.listenerCount('close'));
    };
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString())).on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    const post = (i: number) => `POST /graphql?quick=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`;
    socket.write(Array.from({ length: 12 }, (_, i) => post(i)).join(''));
    for (let i = 0; i < 200 && (text.match(/HTTP\/1\.1 200/g) ?? []).length < 12; i++) await sleep(50);
    expect(turns).toEqual(Array.from({ length: 12 }, (_, i) => `/graphql?quick=${i}`));
    // The first ran while the eleven others waited: their wait added one listener to the connection, not eleven.
    expect(closeListeners[1] - closeListeners[0]).toBeLessThanOrEqual(1);
    onTurn = () => undefined;
    socket.destroy();
  });

  it('a client that keeps sending after its refusal, while answers owed to it drain one by one (each lets Node read again), is cut past a bound', async () => {
    let parsed = 0;
    const count = () => void parsed++;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let closed = false;
    socket.on('close', () => (closed = true));
    await new Promise((r) => socket.once('connect', r));
    readyCalls = 0;
    const readyz = 'GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(40);
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}${readyz}GET /healthz HTTP/1.1\r\nHo`,
    );
    await sleep(1200); // the 408 is decided; the POST and the forty /readyz answers are still owed
    server.on('request', count);
    socket.write('st: 127.0.0.1\r\n\r\n');
    const chunk = Buffer.from('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(1000));
    pumpFor(socket, chunk, 4000, () => closed);
    await sleep(4500);
    server.off('request', count);
    // Unbounded, about 64 000 were parsed and kept here; past the bound the connection is cut (one chunk more at most).
    expect(parsed).toBeLessThan(MAX_IGNORED_AFTER_REFUSAL + 2000);
    socket.destroy();
  }, 15_000);

  it('thousands of tiny POSTs pipelined behind a running one are not all read and kept: the connection is held back, then cut', async () => {
    let parsed = 0;
    const count = () => void parsed++;
    server.on('request', count);
    const socket = connect(port, '127.0.0.1');
    let closed = false;
    socket.on('error', () => undefined).on('close', () => (closed = true));
    await new Promise((r) => socket.once('connect', r));
    const post = (path: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`;
    // The first runs 3 s; 5000 behind it, about 500 KB, written as fast as the connection takes them.
    socket.write(post('/graphql') + Array.from({ length: 5000 }, () => post('/graphql?quick')).join(''));
    for (let i = 0; i < 60 && !closed; i++) await sleep(50);
    server.off('request', count);
    const wasClosed = closed;
    socket.destroy();
    // Unbounded, all 5001 were parsed and kept until their turn; now the connection is cut past MAX_QUEUED waiting.
    expect(wasClosed).toBe(true);
    expect(parsed).toBeLessThan(MAX_QUEUED + 1000);
  });
});
