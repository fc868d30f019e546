import { connect } from 'node:net';
import pino from 'pino';
import { startGateway, type RunningGateway } from '../../src/app';
import { resolveConfig } from '../../src/config/config.loader';
import { sandboxGatewayConfig, startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';
import { CREATE_SA, gql } from '../helpers/graphql.client';
import { startHarness, TEST_HMAC_KEY, uniqueName, type Harness } from '../helpers/gateway.harness';

/** Raw HTTP/1.1 on one socket: the only way to have a request arrive on a connection the server already holds open. */
function httpRequest(method: string, path: string, body = ''): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('close() while a request is in flight', () => {
  let h: Harness;
  beforeAll(async () => {
    // A grace must exceed every provider's worst-case call and 500 ms of slack (no Redis here; config.schema.ts):
    // 1500 + 2 × (1500 + 100) + 500 = 5200 ms < 6000.
    h = await startHarness({
      configure: (c) => {
        c.server = { ...c.server, shutdownGraceMs: 6_000 };
        c.providers.forEach((p: any) => (p.timeoutMs = 1_500));
      },
    });
  });
  afterAll(() => h.sandboxes.stop());

  it('lets it finish with its credentials, refuses what arrives meanwhile with 503, then stops', async () => {
    const { port } = new URL(h.url);
    h.sandboxes.versori.inject({ delayMs: 500 });
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const create = JSON.stringify({ query: CREATE_SA, variables: { input: { name: uniqueName('drain'), providers: ['versori'] } } });
    socket.write(httpRequest('POST', '/graphql', create));
    while (h.sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));

    const started = Date.now();
    const closed = h.gateway.close();
    socket.write(httpRequest('GET', '/healthz'));
    await closed;
    await ended;

    const statuses = [...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
    expect(statuses).toEqual([200, 503]);
    expect(received).toContain('"status":"SUCCEEDED"');
    expect(received).toContain('"code":"SERVICE_UNAVAILABLE"');
    // Woken by the response, not by the grace period running out.
    expect(Date.now() - started).toBeLessThan(4_000);
    await expect(fetch(h.url, { method: 'POST' })).rejects.toThrow();
  });
});

describe('close() with a request that outlives the grace period', () => {
  // The config refuses a grace that does not cover every provider's worst-case call (config.schema.ts), so no
  // provider call outlives a valid one; the drain's own deadline is still the net under anything else that might
  // (a slow Redis). To exercise that net, this gateway's config is changed after validation.
  let sandboxes: SandboxSet;
  let gateway: RunningGateway;
  beforeAll(async () => {
    sandboxes = await startSandboxes();
    const config = resolveConfig(sandboxGatewayConfig(sandboxes, { port: 0 }), { ...sandboxes.tokens, IDEMPOTENCY_HMAC_KEY: TEST_HMAC_KEY });
    gateway = await startGateway({ ...config, server: { ...config.server, shutdownGraceMs: 200 } }, { logger: pino({ level: 'silent' }) });
  });
  afterAll(() => sandboxes.stop());

  it('closes the connection at the deadline instead of waiting', async () => {
    sandboxes.versori.inject({ delayMs: 3_000 });
    const pending = gql(gateway.url, CREATE_SA, { input: { name: uniqueName('late'), providers: ['versori'] } }).catch((err: unknown) => err);
    while (sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const closed = gateway.close();
    // fetch's TypeError comes from another realm under jest: instanceof Error would not hold.
    expect(String(await pending)).toMatch(/fetch failed/);
    expect(Date.now() - started).toBeLessThan(2_000);
    await closed;
  });
});
