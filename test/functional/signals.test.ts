import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxGatewayConfig, startSandboxes, type SandboxSet } from '../../src/sandbox/sandbox.set';
import { CountingProxy } from '../helpers/tcp.proxy';
import { startHarness, TEST_HMAC_KEY, uniqueName } from '../helpers/gateway.harness';
import { CREATE_SA, gql } from '../helpers/graphql.client';
import { ROOT, spawnGateway } from '../helpers/process.harness';
import { freePort } from '../helpers/redis.global-setup';

/** `node dist/main.js` (what `npm start` runs) as a real child process, stopped by signals. */
describe('signals to the compiled gateway process', () => {
  let sandboxes: SandboxSet;
  beforeAll(async () => {
    sandboxes = await startSandboxes();
  });
  afterAll(() => sandboxes.stop());
  beforeEach(() => sandboxes.reset());

  function configFile(extra: Record<string, unknown> = {}): string {
    const file = join(mkdtempSync(join(tmpdir(), 'idgw-sig-')), 'gateway.json');
    writeFileSync(file, JSON.stringify({ ...sandboxGatewayConfig(sandboxes), ...extra }));
    return file;
  }

  it('SIGTERM to `npm start` itself reaches the gateway: it stops and frees its port', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, ...sandboxes.tokens, GATEWAY_CONFIG: configFile(), PORT: String(port), REDIS_URL: undefined },
      stdio: 'ignore',
    });
    const health = () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
    try {
      for (let i = 0; (await health()) !== 200; i++) {
        if (i > 200) throw new Error('npm start did not come up');
        await new Promise((r) => setTimeout(r, 50));
      }
      npm.kill('SIGTERM');
      await new Promise((r) => npm.once('exit', r));
      // Before the script exec'd node, npm's shell died and the gateway went on serving on its own.
      let status = 200;
      for (let i = 0; i < 100 && status !== 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = await health();
      }
      expect(status).toBe(0);
    } finally {
      npm.kill('SIGKILL');
    }
  });

  it.each([
    ['SIGINT to the process', 'SIGINT', false],
    ['SIGTERM to its process group', 'SIGTERM', true],
  ] as const)('%s: the in-flight create is answered in full, then exit 0', async (_label, signal, group) => {
    const port = await freePort();
    const gw = spawnGateway({ ...sandboxes.tokens, GATEWAY_CONFIG: configFile(), PORT: String(port), REDIS_URL: undefined }, [], { detached: group });
    try {
      await gw.ready;
      const url = `http://127.0.0.1:${port}/graphql`;
      sandboxes.hoop.inject({ delayMs: 800 });
      const inFlight = gql(url, CREATE_SA, { input: { name: uniqueName('sig'), providers: ['hoop', 'generic'] } });
      while (sandboxes.hoop.arrived === 0) await new Promise((r) => setTimeout(r, 10));
      if (group) process.kill(-gw.child.pid!, signal);
      else gw.child.kill(signal);
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body.data.createServiceAccount.status).toBe('SUCCEEDED');
      expect(await gw.exited).toBe(0);
      expect(gw.output()).toContain('shutting down');
    } finally {
      await gw.kill('SIGKILL');
    }
  });

  it('a create between its claim and its first upstream call gives the claim back: 503, nothing sent, the same key then works', async () => {
    const proxy = await new CountingProxy(Number(new URL(process.env.REDIS_URL!).port || 6379), new URL(process.env.REDIS_URL!).hostname).start();
    const keyPrefix = `idgw-sig-${uniqueName('p')}:`;
    const port = await freePort();
    const gw = spawnGateway({
      ...sandboxes.tokens,
      GATEWAY_CONFIG: configFile({
        redis: { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix, commandTimeoutMs: 5000 },
        // A 5 s command timeout: the grace must cover the call (9 200 ms) and recording its outcome (3 × 5 000 ms).
        server: { ...(sandboxGatewayConfig(sandboxes).server as object), shutdownGraceMs: 25_000 },
      }),
      PORT: String(port),
      REDIS_URL: undefined,
      IDEMPOTENCY_HMAC_KEY: TEST_HMAC_KEY,
    });
    const key = uniqueName('claim');
    const input = { name: uniqueName('gb'), providers: ['versori'], idempotencyKey: key };
    try {
      await gw.ready;
      // The connection's own traffic (readiness pings) must be over, or one of its writes would pass for the claim.
      for (let last = -1; proxy.clientWrites !== last;) {
        last = proxy.clientWrites;
        await new Promise((r) => setTimeout(r, 300));
      }
      // Redis answers slowly from now on: the claim is in the air when the signal comes.
      proxy.delayMs = 700;
      const before = proxy.clientWrites;
      const pending = gql(`http://127.0.0.1:${port}/graphql`, CREATE_SA, { input });
      while (proxy.clientWrites === before) await new Promise((r) => setTimeout(r, 5));
      gw.child.kill('SIGTERM');
      const res = await pending;
      expect(res.status).toBe(503);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', shuttingDown: true });
      expect(await gw.exited).toBe(0);
      expect(sandboxes.versori.count()).toBe(0);
    } finally {
      await gw.kill('SIGKILL');
      await proxy.stop();
    }

    // Another replica on the same Redis: the key is free, not "in progress" for a lease.
    const other = await startHarness({ redis: true, configure: (c) => (c.redis!.keyPrefix = keyPrefix) });
    try {
      const again = await other.gql(CREATE_SA, { input });
      expect(again.body.errors).toBeUndefined();
      expect(again.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    } finally {
      await other.close();
    }
  });
});
