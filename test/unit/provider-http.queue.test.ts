import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { genericModule } from '../../src/providers/generic/generic.module';
import { adapterTestbed } from '../helpers/adapter.testbed';
import { readyCall } from '../helpers/prepared';

/**
 * A provider that answers 200 and never sends the body: the pool's 64 connections fill up with calls that
 * may take their whole budget (a 2xx may hold a one-time secret), and a 65th request waits in undici's queue
 * until its deadline. That one was never written: nothing can exist
 * upstream, so it must not read as a possible create (a TIMEOUT keeps the name's guard for a whole TTL and,
 * on a provider without a duplicate check, forbids a retry).
 */
describe('a request whose deadline passes before undici writes it', () => {
  const bed = adapterTestbed(genericModule);
  const held: ServerResponse[] = [];
  let received = 0;
  let connections = 0;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      received++;
      req.resume();
      held.push(res);
      // The status line goes out and the body never comes: such a call may use its whole budget.
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"code":200,');
    });
    server.on('connection', () => connections++);
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    held.forEach((res) => res.destroy());
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is UNAVAILABLE "nothing was sent", retryable, at its own deadline: not when a connection frees up (the 64 read slow 2xx bodies, which may take their whole budget)', async () => {
    const adapter = bed.adapter({ id: 'billing-api', baseUrl: url, tokenEnv: 'BILLING_TOKEN', timeoutMs: 1000, defaults: { permissions: ['org:read'] } });
    const settled: string[] = [];
    const call = (name: string) =>
      readyCall(adapter.prepare.createServiceAccount!({ name, status: 'ACTIVE', options: {} }))
        .send()
        .then((o) => {
          settled.push(name);
          return o;
        });
    const busy = Array.from({ length: 64 }, (_, i) => call(`busy-${i}`));
    while (received < 64) await new Promise((r) => setTimeout(r, 10));
    const queued = await call('queued');
    expect(queued).toEqual({
      kind: 'failed',
      failure: {
        code: 'UNAVAILABLE',
        message: 'billing-api could not be reached (no connection to it was ready within 1000 ms); nothing was sent',
        retryable: true,
      },
    });
    // It settled first: the 64 were still within their budgets when its deadline passed.
    expect(settled).toEqual(['queued']);
    // The 64 bodies complete: their kept-alive connections are free, and undici hands one the dead queued
    // request, which must fail unwritten without closing that good connection.
    held.splice(0).forEach((res) => res.end('"data":{"id":"sa-1"}}'));
    expect((await Promise.all(busy)).every((o) => o.kind === 'created')).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(64);
    const after = call('after');
    while (received < 65) await new Promise((r) => setTimeout(r, 10));
    held.splice(0).forEach((res) => res.end('"data":{"id":"sa-2"}}'));
    expect((await after).kind).toBe('created');
    // It went over one of the 64 connections: none was lost to the dead request.
    expect(connections).toBe(64);
  });

  it('a failure before undici wrote anything (a TLS handshake with a plain-HTTP server) says nothing was sent, and is retryable', async () => {
    const before = received;
    const adapter = bed.adapter({
      id: 'billing-api',
      baseUrl: url.replace('http:', 'https:'),
      tokenEnv: 'BILLING_TOKEN',
      timeoutMs: 1000,
      defaults: { permissions: ['org:read'] },
    });
    const outcome = await readyCall(adapter.prepare.createServiceAccount!({ name: 'tls-bot', status: 'ACTIVE', options: {} })).send();
    expect(outcome).toMatchObject({ kind: 'failed', failure: { code: 'UNAVAILABLE', retryable: true } });
    expect((outcome as { failure: { message: string; mayHaveCreated?: boolean } }).failure.message).toMatch(
      /^billing-api could not be reached \(ERR_SSL_\w+\); nothing was sent$/,
    );
    expect((outcome as { failure: { mayHaveCreated?: boolean } }).failure.mayHaveCreated).toBeUndefined();
    expect(received).toBe(before);
  });
});
