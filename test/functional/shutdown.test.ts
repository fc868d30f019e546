import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxGatewayConfig, startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';
import { CREATE_SA, gql } from '../helpers/graphql.client';
import { spawnGateway } from '../helpers/process.harness';
import { freePort } from '../helpers/redis.global-setup';

describe('SIGTERM', () => {
  let sandboxes: SandboxSet;
  beforeAll(async () => {
    sandboxes = await startSandboxes();
  });
  afterAll(() => sandboxes.stop());

  it('stops accepting, lets the in-flight create finish with its credentials, then exits 0', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'idgw-term-')), 'gateway.json');
    writeFileSync(file, JSON.stringify(sandboxGatewayConfig(sandboxes)));
    const port = await freePort();
    const gw = spawnGateway({ ...sandboxes.tokens, GATEWAY_CONFIG: file, PORT: String(port), REDIS_URL: undefined });
    await gw.ready;
    const url = `http://127.0.0.1:${port}/graphql`;
    sandboxes.versori.inject({ delayMs: 1000 });
    const inFlight = gql(url, CREATE_SA, { input: { name: 'term-in-flight', providers: ['versori'] } });
    while (sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    gw.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    expect(res.body.data.createServiceAccount.results[0].credentials[0].kind).toBe('CLIENT_SECRET');
    expect(await gw.exited).toBe(0);
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });
  it('a create whose client went away still finishes and is recorded before Redis closes: a retry gets its outcome, no second call', async () => {
    const config = { ...sandboxGatewayConfig(sandboxes), redis: { url: process.env.REDIS_URL!, keyPrefix: `idgw-term-${process.pid}-${Date.now()}:` } };
    const file = join(mkdtempSync(join(tmpdir(), 'idgw-term-')), 'gateway.json');
    writeFileSync(file, JSON.stringify(config));
    const start = async () => {
      const port = await freePort();
      const gw = spawnGateway({
        ...sandboxes.tokens,
        GATEWAY_CONFIG: file,
        PORT: String(port),
        REDIS_URL: undefined,
        IDEMPOTENCY_HMAC_KEY: 'term-test-hmac-key-0123456789',
      });
      await gw.ready;
      return { gw, url: `http://127.0.0.1:${port}/graphql` };
    };
    const first = await start();
    sandboxes.reset();
    sandboxes.versori.inject({ delayMs: 1000 });
    const input = { name: `term-gone-${Date.now()}`, providers: ['versori'], idempotencyKey: `term-gone-key-${Date.now()}` };
    const client = new AbortController();
    const gone = fetch(first.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: CREATE_SA, variables: { input } }),
      signal: client.signal,
    }).catch(() => 'aborted');
    while (sandboxes.versori.arrived === 0) await new Promise((r) => setTimeout(r, 10));
    client.abort();
    expect(await gone).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    first.gw.child.kill('SIGTERM');
    expect(await first.gw.exited).toBe(0);
    expect(first.gw.output()).not.toMatch(/outcome not recorded|could not record/);
    expect(first.gw.output()).toContain('the client went away before its answer was written');
    const second = await start();
    try {
      const retry = await gql(second.url, CREATE_SA, { input });
      expect(retry.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', original: { status: 'SUCCEEDED' } });
      expect(retry.body.errors[0].extensions.inProgress).toBeUndefined();
      expect(sandboxes.versori.count()).toBe(1);
    } finally {
      await second.gw.kill();
    }
  });
});
