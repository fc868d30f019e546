import { CREATE_SA } from '../helpers/graphql.client';
import { startHarness, uniqueName } from '../helpers/gateway.harness';
import { freePort } from '../helpers/redis.global-setup';
import { RedisProcess } from '../helpers/redis.process';
import { RedisIdempotencyStore, type RedisStoreOptions } from '../../src/idempotency/redis.store';
import { CountingProxy } from '../helpers/tcp.proxy';
import type { GuardClaim } from '../../src/domain';

/** A Redis store with a short command timeout (300 ms): a stall is a timeout within the test's patience. */
function stallStore(url: string, options: Partial<RedisStoreOptions> = {}): RedisIdempotencyStore {
  return new RedisIdempotencyStore({
    ttlSeconds: 600,
    leaseSeconds: 30,
    url,
    keyPrefix: 'idgw-stall:',
    commandTimeoutMs: 300,
    audit: { retentionSeconds: 600, maxEvents: 100 },
    ...options,
  });
}

describe('Redis unreachable: fail closed, recover without a restart', () => {
  it('wrong port: SERVICE_UNAVAILABLE (HTTP 503) at once, /readyz 503, nothing sent upstream', async () => {
    const h = await startHarness({ redis: true, redisUrl: `redis://127.0.0.1:${await freePort()}` });
    try {
      const started = Date.now();
      const res = await h.gql(CREATE_SA, { input: { name: uniqueName('down') } });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.body.errors[0].message).toMatch(/sent nothing to any provider/);
      // When to try again, for a client (the extension) and for HTTP (the header).
      expect(res.body.errors[0].extensions.retryAfterSeconds).toBe(1);
      expect(res.headers.get('retry-after')).toBe('1');
      // A bound on correctness, not a benchmark: ioredis's default would queue for ~15 s.
      expect(elapsed).toBeLessThan(5000);
      expect(h.sandboxes.count()).toBe(0);
      const ready = await fetch(h.url.replace('/graphql', '/readyz'));
      expect(ready.status).toBe(503);
      expect(res.text).not.toContain('stacktrace');
    } finally {
      await h.close();
    }
  });

  it('many commands meeting a Redis that does not answer share one wait: all refused, no listener per command', async () => {
    const store = stallStore(`redis://127.0.0.1:${await freePort()}`);
    try {
      const client = (store as unknown as { redis: { listenerCount(event: string): number } }).redis;
      const before = client.listenerCount('ready');
      const ref = { clientId: 'c', operation: 'createServiceAccount' as const, key: 'k' };
      const pending = Array.from({ length: 30 }, () => store.claim(ref, 'fp', ['hoop']));
      await new Promise((r) => setImmediate(r));
      // One listener each (30 here) made Node print MaxListenersExceededWarning, "possible memory leak", past ten.
      expect(client.listenerCount('ready') - before).toBeLessThanOrEqual(2);
      const answers = await Promise.allSettled(pending);
      expect(answers.map((a) => (a.status === 'rejected' ? (a.reason as { code?: string }).code : 'answered'))).toEqual(Array(30).fill('SERVICE_UNAVAILABLE'));
      // Afterwards too, at most the two of a moment: ioredis's own for a reconnect attempt under way, and one shared
      // wait of a background retry (it failed once in CI at before + 2 with before + 1 asserted).
      expect(client.listenerCount('ready')).toBeLessThanOrEqual(before + 2);
    } finally {
      await store.close();
    }
  });

  it('Redis stops and comes back: 503 meanwhile, then creates again with the same gateway', async () => {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    const h = await startHarness({ redis: true, redisUrl: redis.url });
    try {
      expect((await h.gql(CREATE_SA, { input: { name: uniqueName('up'), providers: ['hoop'] } })).body.data.createServiceAccount.status).toBe('SUCCEEDED');
      await redis.stop();
      const down = await h.gql(CREATE_SA, { input: { name: uniqueName('dn'), providers: ['hoop'] } });
      expect(down.status).toBe(503);
      expect(down.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect((await fetch(h.url.replace('/graphql', '/readyz'))).status).toBe(503);

      await redis.start();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await fetch(h.url.replace('/graphql', '/readyz'))).status;
      }
      expect(status).toBe(200);
      const back = await h.gql(CREATE_SA, { input: { name: uniqueName('back'), providers: ['hoop'] } });
      expect(back.body.data.createServiceAccount.status).toBe('SUCCEEDED');
    } finally {
      await h.close();
      await redis.stop();
    }
  });

  it('a claim that timed out against a stalled Redis does not block a retry of its key once Redis resumes', async () => {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    const store = stallStore(redis.url);
    try {
      await store.ping();
      const ref = { clientId: 'c', operation: 'createServiceAccount' as const, key: uniqueName('stall-key') };
      redis.pause();
      await expect(store.claim(ref, 'fp', ['hoop'])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      redis.resume();
      // The late claim runs once Redis answers again, and its give-back right after it.
      await new Promise((r) => setTimeout(r, 300));
      expect((await store.claim(ref, 'fp', ['hoop'])).kind).toBe('claimed');
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('natural-key guards whose claim timed out do not hold the name once Redis resumes: another key can take it', async () => {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    const store = stallStore(redis.url);
    try {
      await store.ping();
      const guards = [{ providerId: 'hoop', naturalKey: uniqueName('name') }];
      const ref = { clientId: 'c', operation: 'createServiceAccount' as const, key: uniqueName('stall-key') };
      const claim = await store.claim(ref, 'fp', ['hoop']);
      if (claim.kind !== 'claimed') throw new Error(claim.kind);
      redis.pause();
      await expect(store.guard(ref, claim.owner, guards)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await store.release(ref, claim.owner).catch(() => undefined);
      redis.resume();
      // The late guard claim runs once Redis answers again, and its give-back right after it.
      await new Promise((r) => setTimeout(r, 300));
      const other = { ...ref, key: uniqueName('other-key') };
      const next = await store.claim(other, 'fp2', ['hoop']);
      if (next.kind !== 'claimed') throw new Error(next.kind);
      expect(await store.guard(other, next.owner, guards)).toEqual([true]);
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('guard claims that landed while their connection went silent are given back once a new connection works', async () => {
    const target = new URL(process.env.REDIS_URL!);
    const proxy = await new CountingProxy(Number(target.port || 6379), target.hostname).start();
    const store = stallStore(`redis://127.0.0.1:${proxy.port}`, { keyPrefix: `idgw-giveback-${process.pid}:` });
    const direct = stallStore(process.env.REDIS_URL!, { keyPrefix: `idgw-giveback-${process.pid}:`, commandTimeoutMs: 1000 });
    try {
      const guards = [{ providerId: 'hoop', naturalKey: uniqueName('name') }];
      const ref = { clientId: 'c', operation: 'createServiceAccount' as const, key: uniqueName('silent-key') };
      const claim = await store.claim(ref, 'fp', ['hoop']);
      if (claim.kind !== 'claimed') throw new Error(claim.kind);
      // The guard claim reaches Redis and runs; then the connection goes silent both ways, so its reply and
      // the immediate give-back behind it are lost (what a Cluster node dying mid-phase does to a pipeline).
      proxy.onForward = (data) => {
        if (data.includes('guard:{')) {
          proxy.onForward = undefined;
          proxy.stallCurrent();
        }
      };
      await expect(store.guard(ref, claim.owner, guards)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      // The identity service gives the claim back too; on the silent connection that fails at first.
      await expect(store.release(ref, claim.owner)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      const other = { ...ref, key: uniqueName('other-key') };
      // The silent connection is dropped and made again within seconds; a later try of the give-back frees the name.
      let free: GuardClaim = false;
      for (const until = Date.now() + 8000; free !== true && Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
        [free] = await direct.guard(other, 'other-owner', guards);
      }
      expect(free).toBe(true);
      // And the claim's give-back landed on a later try: a retry of the same key is a fresh claim, not "in progress".
      let again = '';
      for (const until = Date.now() + 8000; again !== 'claimed' && Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
        again = (await direct.claim(ref, 'fp', ['hoop'])).kind;
      }
      expect(again).toBe('claimed');
    } finally {
      await store.close();
      await direct.close();
      await proxy.stop();
    }
  }, 20_000);

  it("a takeover whose guard phase fails keeps the crashed attempt's guards: that attempt may have created the identity", async () => {
    const target = new URL(process.env.REDIS_URL!);
    const proxy = await new CountingProxy(Number(target.port || 6379), target.hostname).start();
    const options = { leaseSeconds: 1, keyPrefix: `idgw-keep-${process.pid}:` };
    const store = stallStore(`redis://127.0.0.1:${proxy.port}`, options);
    const direct = stallStore(process.env.REDIS_URL!, { ...options, commandTimeoutMs: 1000 });
    try {
      const guards = [{ providerId: 'hoop', naturalKey: uniqueName('name') }];
      const ref = { clientId: 'c', operation: 'createServiceAccount' as const, key: uniqueName('crashed-key') };
      const crashed = await direct.claim(ref, 'fp', ['hoop']);
      if (crashed.kind !== 'claimed') throw new Error(crashed.kind);
      expect(await direct.guard(ref, crashed.owner, guards)).toEqual([true]);
      await new Promise((r) => setTimeout(r, 1100)); // the crashed attempt's lease runs out
      const takeover = await store.claim(ref, 'fp', ['hoop']);
      if (takeover.kind !== 'claimed') throw new Error(takeover.kind);
      expect(takeover.takenOverFrom).toEqual(['hoop']);
      proxy.onForward = (data) => {
        if (data.includes('guard:{')) {
          proxy.onForward = undefined;
          proxy.stallCurrent();
        }
      };
      await expect(store.guard(ref, takeover.owner, guards, { keepOnFailure: guards })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await new Promise((r) => setTimeout(r, 2500)); // past the reconnect and the first give-back tries
      // Still held for the attempt that may have created it (its lease is over: refused for good, not "busy").
      expect(await direct.guard({ ...ref, key: uniqueName('other-key') }, 'other-owner', guards)).toEqual([false]);
    } finally {
      await store.close();
      await direct.close();
      await proxy.stop();
    }
  }, 20_000);
});
