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
});
